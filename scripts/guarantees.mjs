#!/usr/bin/env node
// The README "Guarantees" figures, from a run of the reliability suite and nothing else: runs
// test/reliability with vitest's JSON reporter, counts the fault-matrix cells, the hostile inputs tried and
// the secret checks made, writes test/reliability/GUARANTEES.json, and rewrites the README section between
// <!-- guarantees:start --> and <!-- guarantees:end --> (printed instead when the markers are missing).
// Nothing is written when a test failed. Usage: node scripts/guarantees.mjs (after npm run build).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GUARANTEES_FILE = path.join(REPO, 'test', 'reliability', 'GUARANTEES.json');
export const README = path.join(REPO, 'README.md');
export const START = '<!-- guarantees:start -->';
export const END = '<!-- guarantees:end -->';
/** The test that compares the README with GUARANTEES.json: not part of the figures it checks. */
const SELF_CHECK = 'test/reliability/guarantees.test.ts';

/** What a test's title says it is (the suite's naming convention). */
export function kindOf(title) {
  if (title.startsWith('cell ')) return 'cell';
  if (title.startsWith('hostile ') || title.startsWith('oversized:')) return 'hostile';
  if (title.startsWith('secrets:')) return 'secrets';
  return 'other';
}

/** `cell backup: capi × SIGINT` → { command: 'backup', step: 'capi', fault: 'SIGINT' }. */
export function parseCell(title) {
  const m = /^cell (?:(backup): )?(.+?) × (.+)$/.exec(title);
  return m ? { command: m[1] ?? 'cluster', step: m[2], fault: m[3] } : undefined;
}

const tally = (tests) => ({
  passed: tests.filter((t) => t.status === 'passed').length,
  failed: tests.filter((t) => t.status === 'failed').length,
  skipped: tests.filter((t) => t.status !== 'passed' && t.status !== 'failed').length,
  total: tests.length,
});

/**
 * The figures, from vitest's JSON report and the metrics the tests appended (one `{kind, count}` per line):
 * `hostile:<source>` per hostile value tried, `secret-checks` (secret values × outputs searched) and
 * `outputs-scanned` per run.
 */
export function computeGuarantees(report, metricLines, meta) {
  const tests = report.testResults.flatMap((file) =>
    file.assertionResults.map((a) => ({ title: a.title, status: a.status, file: path.relative(REPO, file.name) })),
  );
  const by = (kind) => tests.filter((t) => kindOf(t.title) === kind);
  const metrics = metricLines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  const sum = (kind) => metrics.filter((m) => m.kind === kind).reduce((n, m) => n + m.count, 0);
  const cells = by('cell').map((t) => ({ ...parseCell(t.title), status: t.status }));
  const bySource = {};
  for (const m of metrics.filter((x) => x.kind.startsWith('hostile:'))) bySource[m.kind.slice(8)] = (bySource[m.kind.slice(8)] ?? 0) + m.count;
  return {
    generatedBy: 'node scripts/guarantees.mjs',
    date: meta.date,
    vitest: meta.vitest,
    realTools: meta.realTools,
    tests: tally(tests),
    matrix: {
      cells: tally(by('cell')),
      steps: [...new Set(cells.map((c) => c.step))],
      faults: [...new Set(cells.map((c) => c.fault))].sort(),
      titles: by('cell').map((t) => t.title),
    },
    hostile: { tests: tally(by('hostile')), inputsTried: Object.values(bySource).reduce((a, b) => a + b, 0), bySource },
    secrets: { tests: tally(by('secrets')), checks: sum('secret-checks'), outputsScanned: sum('outputs-scanned') },
  };
}

const n = (x) => x.toLocaleString('en-US');

/** The README section for these figures: the only place they are rendered. */
export function renderSection(g) {
  const m = g.matrix;
  const sources = Object.entries(g.hostile.bySource).sort(([a], [b]) => a.localeCompare(b)).map(([s, c]) => `${s} ${n(c)}`).join(', ');
  return [
    `Measured by \`${g.generatedBy}\` on ${g.date} (vitest ${g.vitest}${g.realTools ? ', real etcd and sshd' : ''}) from \`test/reliability/\`; the figures are in \`test/reliability/GUARANTEES.json\`.`,
    '',
    '| promise | evidence |',
    '|---|---|',
    `| Every fault ends cleanly: the documented exit code, one \`Error:\` line naming the cause, no backup set claiming to be complete, every cluster back in its pause state, the lock released, no orphan process | **${n(m.cells.passed)} of ${n(m.cells.total)}** fault-matrix cells pass: ${m.steps.length} steps (${m.steps.join(', ')}) × ${m.faults.length} faults (${m.faults.join(', ')}) |`,
    `| Hostile names, addresses, users, paths and tool output are refused before use or proven harmless; oversized input fails fast or stays in bounded memory | **${n(g.hostile.inputsTried)}** hostile inputs tried (${sources}) in **${n(g.hostile.tests.passed)} of ${n(g.hostile.tests.total)}** passing tests |`,
    `| Kubeconfig contents, Secret data, private keys and tokens never reach stdout, stderr, \`-v\` logs, the JSON report, the journal or the step summary | **${n(g.secrets.checks)}** checks (secret values × outputs) over **${n(g.secrets.outputsScanned)}** outputs of every run of the suite, none found; **${n(g.secrets.tests.passed)} of ${n(g.secrets.tests.total)}** secrets tests pass, backup sets 0700/0600 under umask 000, complete and failed, with etcd snapshots |`,
  ].join('\n');
}

/** The README with the section between the markers replaced; undefined when the markers are missing. */
export function replaceSection(readme, section) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + START.length)}\n${section}\n${readme.slice(end)}`;
}

/** The section as it stands in the README, or undefined without markers. */
export function currentSection(readme) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + START.length, end).trim();
}

function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'esu-guarantees-'));
  const reportFile = path.join(work, 'vitest.json');
  const metricsFile = path.join(work, 'metrics.ndjson');
  writeFileSync(metricsFile, '');
  const vitest = path.join(REPO, 'node_modules', '.bin', 'vitest');
  const run = spawnSync(vitest, ['run', 'test/reliability', '--exclude', SELF_CHECK, '--reporter=json', `--outputFile=${reportFile}`], {
    cwd: REPO,
    env: { ...process.env, EKSA_GUARANTEES_METRICS: metricsFile },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (!existsSync(reportFile)) {
    console.error(`guarantees: vitest wrote no report (exit ${run.status})`);
    process.exit(1);
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const version = spawnSync(vitest, ['--version'], { cwd: REPO }).stdout.toString().trim().split(/\s+/)[0]?.replace(/^vitest\//, '') ?? '?';
  const g = computeGuarantees(report, readFileSync(metricsFile, 'utf8').split('\n'), {
    date: new Date().toISOString().slice(0, 10),
    vitest: version,
    realTools: process.env.REQUIRE_REAL_TOOLS === '1',
  });
  rmSync(work, { recursive: true, force: true });
  if (g.tests.failed > 0 || run.status !== 0) {
    const failed = report.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed').map((a) => `  ${a.fullName}`));
    console.error(`guarantees: ${g.tests.failed} test(s) failed; nothing written:\n${failed.join('\n')}`);
    process.exit(1);
  }
  writeFileSync(GUARANTEES_FILE, `${JSON.stringify(g, null, 2)}\n`);
  const section = renderSection(g);
  const readme = readFileSync(README, 'utf8');
  const updated = replaceSection(readme, section);
  if (updated === undefined) {
    console.log(`README.md has no ${START} … ${END} markers; the section is:\n\n${section}`);
  } else {
    writeFileSync(README, updated);
    console.log(`guarantees: ${g.matrix.cells.passed} cells, ${g.hostile.inputsTried} hostile inputs, ${g.secrets.checks} secret checks; README.md and ${path.relative(REPO, GUARANTEES_FILE)} written`);
  }
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) main();
