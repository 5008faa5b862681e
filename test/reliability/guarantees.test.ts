// The README "Guarantees" figures are the ones scripts/guarantees.mjs measured: the section matches
// GUARANTEES.json word for word, every counted test passed, and the suite still has exactly the tests the
// figures counted (a cell added or removed since means the figures must be measured again).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script, no type declarations
import * as guarantees from '../../scripts/guarantees.mjs';

const { GUARANTEES_FILE, README, REPO, computeGuarantees, currentSection, kindOf, parseCell, renderSection, replaceSection } = guarantees as Record<string, any>;
const REGENERATE = 'run `npm run build && node scripts/guarantees.mjs` and commit README.md and test/reliability/GUARANTEES.json';

describe('the figures', () => {
  it('README.md carries exactly the section rendered from GUARANTEES.json', () => {
    expect(existsSync(GUARANTEES_FILE), `test/reliability/GUARANTEES.json is missing: ${REGENERATE}`).toBe(true);
    const g = JSON.parse(readFileSync(GUARANTEES_FILE, 'utf8'));
    const section = currentSection(readFileSync(README, 'utf8'));
    expect(section, 'README.md needs the <!-- guarantees:start --> and <!-- guarantees:end --> markers').toBeDefined();
    expect(section, REGENERATE).toBe(renderSection(g));
  });

  it('every test the figures count passed when they were measured', () => {
    const g = JSON.parse(readFileSync(GUARANTEES_FILE, 'utf8'));
    for (const part of [g.tests, g.matrix.cells, g.hostile.tests, g.secrets.tests]) {
      expect(part.failed).toBe(0);
      expect(part.skipped).toBe(0);
      expect(part.passed).toBe(part.total);
    }
    // Floors: a suite that lost most of its cells or checks must not look as good as this one.
    expect(g.matrix.cells.total).toBeGreaterThanOrEqual(40);
    expect(g.hostile.inputsTried).toBeGreaterThanOrEqual(200);
    expect(g.secrets.checks).toBeGreaterThanOrEqual(5_000);
  });

  it('the suite holds the tests the figures counted, no more and no fewer', () => {
    const g = JSON.parse(readFileSync(GUARANTEES_FILE, 'utf8'));
    const listed = spawnSync(path.join(REPO, 'node_modules', '.bin', 'vitest'), ['list', 'test/reliability', '--exclude', 'test/reliability/guarantees.test.ts', '--json'], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(listed.status, listed.stderr).toBe(0);
    const titles = (JSON.parse(listed.stdout) as Array<{ name: string }>).map((t) => t.name.split(' > ').at(-1)!);
    expect(titles.filter((t) => kindOf(t) === 'cell').sort(), REGENERATE).toEqual([...g.matrix.titles].sort());
    expect(titles.filter((t) => kindOf(t) === 'hostile').length, REGENERATE).toBe(g.hostile.tests.total);
    expect(titles.filter((t) => kindOf(t) === 'secrets').length, REGENERATE).toBe(g.secrets.tests.total);
    expect(titles.length, REGENERATE).toBe(g.tests.total);
  }, 120_000);
});

describe('the script that measures them', () => {
  it.each([
    ['cell inventory × api-5xx', 'cell', { command: 'cluster', step: 'inventory', fault: 'api-5xx' }],
    ['cell backup: capi × SIGINT', 'cell', { command: 'backup', step: 'capi', fault: 'SIGINT' }],
    ['hostile spec: metadata.name with a pipe', 'hostile', undefined],
    ['oversized: a 50 MB spec is refused before it is parsed', 'hostile', undefined],
    ['secrets: preflight -v 9, table and JSON', 'secrets', undefined],
    ['README.md carries exactly the section', 'other', undefined],
  ])('%s is counted as %s', (title, kind, cell) => {
    expect(kindOf(title)).toBe(kind);
    expect(parseCell(title)).toEqual(cell);
  });

  const report = {
    testResults: [
      {
        name: path.join(REPO, 'test/reliability/x.test.ts'),
        assertionResults: [
          { title: 'cell lock × api-5xx', status: 'passed' },
          { title: 'cell lock × SIGINT', status: 'passed' },
          { title: 'cell etcd × SIGINT', status: 'skipped' },
          { title: 'hostile API: a', status: 'passed' },
          { title: 'secrets: b', status: 'failed' },
        ],
      },
    ],
  };
  const metrics = ['{"kind":"hostile:api","count":1}', '{"kind":"hostile:api","count":1}', '{"kind":"hostile:spec","count":1}', '{"kind":"secret-checks","count":120}', '{"kind":"outputs-scanned","count":3}', ''];

  it('counts cells, steps, faults, hostile inputs by source and secret checks', () => {
    const g = computeGuarantees(report, metrics, { date: '2026-01-01', vitest: '4.1.12', realTools: true });
    expect(g.tests).toEqual({ passed: 3, failed: 1, skipped: 1, total: 5 });
    expect(g.matrix.cells).toEqual({ passed: 2, failed: 0, skipped: 1, total: 3 });
    expect(g.matrix.steps).toEqual(['lock', 'etcd']);
    expect(g.matrix.faults).toEqual(['SIGINT', 'api-5xx']);
    expect(g.hostile).toEqual({ tests: { passed: 1, failed: 0, skipped: 0, total: 1 }, inputsTried: 3, bySource: { api: 2, spec: 1 } });
    expect(g.secrets).toEqual({ tests: { passed: 0, failed: 1, skipped: 0, total: 1 }, checks: 120, outputsScanned: 3 });
    expect(renderSection(g)).toMatch(/\*\*2 of 3\*\* fault-matrix cells pass: 2 steps \(lock, etcd\) × 2 faults/);
  });

  it('replaces only what lies between the markers, and reports missing markers', () => {
    const readme = '# x\n\n## Guarantees\n<!-- guarantees:start -->\nold\n<!-- guarantees:end -->\n\n## Next\n';
    const updated = replaceSection(readme, 'new figures');
    expect(updated).toBe('# x\n\n## Guarantees\n<!-- guarantees:start -->\nnew figures\n<!-- guarantees:end -->\n\n## Next\n');
    expect(currentSection(updated)).toBe('new figures');
    expect(replaceSection('# no markers\n', 'x')).toBeUndefined();
    expect(currentSection('# no markers\n')).toBeUndefined();
  });
});
