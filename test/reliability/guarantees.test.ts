// The README "Guarantees" figures are the ones scripts/guarantees.mjs measured: the section matches
// GUARANTEES.json word for word, every counted test passed, and the suite still has exactly the tests the
// figures counted (a cell added or removed since means the figures must be measured again). And the check
// .ci/run makes after its own `npm test` (--check) fails on a stale figure: shown failing below.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script, no type declarations
import * as guarantees from '../../scripts/guarantees.mjs';

// @ts-expect-error: a plain ESM table, no type declarations
import { APPLICABILITY, FAULTS, STEPS, columnOf, pairs } from './applicability.mjs';

const { GUARANTEES_FILE, README, REPO, checkFigures, computeGuarantees, currentSection, kindOf, parseCell, renderSection, replaceSection } = guarantees as Record<string, any>;
const REGENERATE = 'run `npm run build && node scripts/guarantees.mjs` (or `node scripts/guarantees.mjs --from-run` after npm test) and commit README.md and test/reliability/GUARANTEES.json';

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
    expect(g.matrix.cells.total).toBeGreaterThanOrEqual(50);
    expect(g.matrix.pairs.covered).toBeGreaterThanOrEqual(50);
    expect(g.hostile.payloads).toBeGreaterThanOrEqual(16);
    expect(g.hostile.endToEnd.payloads).toBeGreaterThanOrEqual(16);
    expect(g.secrets.values).toBeGreaterThanOrEqual(10);
  });

  it('the suite holds the tests the figures counted, no more and no fewer', () => {
    const g = JSON.parse(readFileSync(GUARANTEES_FILE, 'utf8'));
    // `vitest list` runs the global setup too, which empties the metrics file: the list gets a scratch file of
    // its own, so the figures this very run is collecting keep every line written before it.
    const shared = process.env.EKSA_GUARANTEES_METRICS;
    const sizeBefore = shared && existsSync(shared) ? statSync(shared).size : 0;
    const scratch = mkdtempSync(path.join(tmpdir(), 'esu-list-metrics-'));
    const listed = spawnSync(path.join(REPO, 'node_modules', '.bin', 'vitest'), ['list', 'test/reliability', '--exclude', 'test/reliability/guarantees.test.ts', '--json'], {
      cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, EKSA_GUARANTEES_METRICS: path.join(scratch, 'metrics.ndjson') },
    });
    rmSync(scratch, { recursive: true, force: true });
    expect(listed.status, listed.stderr).toBe(0);
    if (shared && existsSync(shared)) expect(statSync(shared).size, 'the metrics of this run were emptied by `vitest list`').toBeGreaterThanOrEqual(sizeBefore);
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
    ['cell handoff × SIGHUP', 'cell', { command: 'cluster', step: 'handoff', fault: 'SIGHUP' }],
    ['cell export × SIGKILL-then-rerun', 'cell', { command: 'cluster', step: 'export', fault: 'SIGKILL-then-rerun' }],
    ['hostile spec: metadata.name with a pipe', 'hostile', undefined],
    ['oversized: a 50 MB spec is refused before it is parsed', 'hostile', undefined],
    ['secrets: preflight -v 9, table and JSON', 'secrets', undefined],
    ['README.md carries exactly the section', 'other', undefined],
  ])('%s is counted as %s', (title, kind, cell) => {
    expect(kindOf(title)).toBe(kind);
    expect(parseCell(title)).toEqual(cell);
  });

  const file = (rel: string, results: Array<{ title: string; status: string }>) => ({ name: path.join(REPO, rel), assertionResults: results });
  const report = {
    testResults: [
      file('test/reliability/x.test.ts', [
        { title: 'cell lock × api-5xx', status: 'passed' },
        { title: 'cell lock × SIGINT', status: 'passed' },
        { title: 'cell lock × api-lost-answer: create answer dropped', status: 'passed' },
        { title: 'cell lock × api-lost-answer: 503 after the create', status: 'passed' },
        { title: 'cell etcd × SIGINT', status: 'skipped' },
        { title: 'hostile API: a', status: 'passed' },
        { title: 'secrets: b', status: 'failed' },
      ]),
      // A whole `npm test` report: only test/reliability counts, and not the check of the figures itself.
      file('test/e2e/cluster.test.ts', [{ title: 'cell capi × SIGINT', status: 'passed' }]),
      file('test/reliability/guarantees.test.ts', [{ title: 'README.md carries exactly the section', status: 'passed' }]),
    ],
  };
  const metric = (o: Record<string, unknown>) => JSON.stringify({ count: 1, file: 'test/reliability/x.test.ts', ...o });
  const metrics = [
    metric({ kind: 'hostile', source: 'api', via: 'cli', payload: 'p1' }),
    metric({ kind: 'hostile', source: 'api', via: 'in-process', payload: 'p1' }),
    metric({ kind: 'hostile', source: 'api', via: 'in-process', payload: 'p2' }),
    metric({ kind: 'hostile', source: 'spec', via: 'in-process', payload: 'p2' }),
    metric({ kind: 'secret-scan', outputs: 4, values: ['s1', 's2'] }),
    metric({ kind: 'secret-scan', outputs: 3, values: ['s2', 's3'] }),
    metric({ kind: 'secret-scan', outputs: 9, values: ['s9'], file: 'test/e2e/cluster.test.ts' }),
    '',
  ];
  const meta = { date: '2026-01-01', vitest: '4.1.12', realTools: true };

  it('counts applicable pairs, distinct payloads (end to end and in-process apart) and distinct secret values', () => {
    const g = computeGuarantees(report, metrics, meta);
    expect(g.tests).toEqual({ passed: 5, failed: 1, skipped: 1, total: 7 });
    expect(g.matrix.cells).toEqual({ passed: 4, failed: 0, skipped: 1, total: 5 });
    // Two cells strike lock × api-lost-answer: one pair. etcd × SIGINT was skipped: struck, not covered.
    const applicable = pairs().filter((p: { applies: boolean }) => p.applies).length;
    expect(g.matrix.pairs).toEqual({ applicable, covered: 3, notApplicable: STEPS.length * FAULTS.length - applicable, total: STEPS.length * FAULTS.length });
    expect(g.matrix.uncovered).not.toContain('etcd × SIGINT');
    expect(g.matrix.uncovered).toContain('capi × SIGINT');
    expect(g.hostile).toMatchObject({ payloads: 2, endToEnd: { tries: 1, payloads: 1 }, inProcess: { tries: 3, payloads: 2 }, bySource: { api: 2, spec: 1 } });
    expect(g.secrets).toEqual({ tests: { passed: 0, failed: 1, skipped: 0, total: 1 }, values: 3, runs: 2, outputsScanned: 7 });
    expect(renderSection(g)).toMatch(/\*\*3 of \d+\*\* applicable step × fault pairs covered by \*\*4 of 5\*\* passing cells/);
  });

  it('refuses a cell whose pair the applicability table says does not apply', () => {
    const bad = { testResults: [file('test/reliability/x.test.ts', [{ title: 'cell handoff × api-5xx', status: 'passed' }])] };
    expect(() => computeGuarantees(bad, [], meta)).toThrow(/handoff × api-5xx is not an applicable pair .*eksctl makes/);
  });

  it('the table gives every pair that does not apply a reason, and every step and fault a row and column', () => {
    expect(Object.keys(APPLICABILITY)).toEqual(STEPS);
    for (const step of STEPS) {
      expect(Object.keys(APPLICABILITY[step]).sort()).toEqual([...FAULTS].sort());
      for (const fault of FAULTS) {
        const v = APPLICABILITY[step][fault];
        expect(v === true || (typeof v === 'string' && v.length > 10), `${step} × ${fault}`).toBe(true);
      }
    }
    expect(columnOf('api-hang (--move-timeout 4s)')).toBe('api-hang');
    expect(columnOf('api-lost-answer: patch answer dropped')).toBe('api-lost-answer');
    expect(columnOf('api-error (403)')).toBe('api-error (403)');
    expect(columnOf('SIGHUP')).toBe('SIGHUP');
    expect(columnOf('SIGKILL-then-rerun')).toBe('SIGKILL-then-rerun');
    // SIGHUP applies wherever SIGINT and SIGTERM do; SIGKILL-then-rerun from the lock on, where a kill leaves something.
    for (const step of STEPS) expect([step, APPLICABILITY[step].SIGHUP === true]).toEqual([step, APPLICABILITY[step].SIGINT === true && APPLICABILITY[step].SIGTERM === true]);
    expect(STEPS.filter((step: string) => APPLICABILITY[step]['SIGKILL-then-rerun'] === true)).toEqual(['lock', 'capi', 'pause-restore', 'export', 'etcd', 'recheck', 'renew', 'handoff', 'confirm']);
  });

  it('the CI check passes on figures this run measured and fails on a stale one, naming it', () => {
    const g = computeGuarantees(report, metrics, meta);
    const readme = `# x\n<!-- guarantees:start -->\n${renderSection(g)}\n<!-- guarantees:end -->\n`;
    expect(checkFigures({ report, metricLines: metrics, readme, committed: g }).problems).toEqual([]);
    // Another date and vitest version are not a difference: counts only.
    const older = { ...g, date: '2020-01-01', vitest: '0.0.1' };
    expect(checkFigures({ report, metricLines: metrics, readme: `# x\n<!-- guarantees:start -->\n${renderSection(older)}\n<!-- guarantees:end -->\n`, committed: older }).problems).toEqual([]);
    const stale = { ...g, hostile: { ...g.hostile, payloads: g.hostile.payloads + 1 } };
    const { problems } = checkFigures({ report, metricLines: metrics, readme: `# x\n<!-- guarantees:start -->\n${renderSection(stale)}\n<!-- guarantees:end -->\n`, committed: stale });
    expect(problems).toEqual(['GUARANTEES.json hostile.payloads: 3 → 2', 'README.md: the Guarantees section differs from the one this run renders']);

    // And through the script as .ci/run calls it: exit 1 on the stale figure, 0 on the measured ones.
    const dir = mkdtempSync(path.join(tmpdir(), 'esu-guarantees-check-'));
    try {
      const files = { report: path.join(dir, 'results.json'), metrics: path.join(dir, 'metrics.ndjson'), readme: path.join(dir, 'README.md'), figures: path.join(dir, 'GUARANTEES.json') };
      writeFileSync(files.report, JSON.stringify(report));
      writeFileSync(files.metrics, metrics.join('\n'));
      const check = (committed: unknown) => {
        writeFileSync(files.figures, JSON.stringify(committed));
        writeFileSync(files.readme, `# x\n<!-- guarantees:start -->\n${renderSection(committed)}\n<!-- guarantees:end -->\n`);
        return spawnSync(process.execPath, [path.join(REPO, 'scripts', 'guarantees.mjs'), '--check', ...Object.entries(files).flatMap(([k, v]) => [`--${k}`, v])], { encoding: 'utf8' });
      };
      const failed = check(stale);
      expect(failed.status, failed.stderr).toBe(1);
      expect(failed.stderr).toMatch(/GUARANTEES\.json hostile\.payloads: 3 → 2/);
      const passed = check(g);
      expect(passed.status, passed.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
