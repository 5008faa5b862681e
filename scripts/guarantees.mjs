#!/usr/bin/env node
// The README "Guarantees" figures, from a run of the reliability suite and nothing else: counts the
// fault-matrix cells against the applicability table (test/reliability/applicability.mjs), the distinct hostile
// payloads tried (end to end through the built CLI and in-process, apart) and the distinct secret values
// searched for, writes test/reliability/GUARANTEES.json, and rewrites the README section between
// <!-- guarantees:start --> and <!-- guarantees:end --> (printed instead when the markers are missing).
// Nothing is written when a test failed.
//
//   node scripts/guarantees.mjs            run test/reliability (after npm run build) and write the figures
//   node scripts/guarantees.mjs --from-run write them from the last `npm test` (.vitest/results.json and
//                                          .vitest/metrics.ndjson, which vitest.config.ts makes every run write)
//   node scripts/guarantees.mjs --check    recompute them from the last `npm test` and fail (exit 1) when the
//                                          committed README or GUARANTEES.json differs: counts only, never the
//                                          date or the vitest version (what .ci/run does after its npm test)
//   Options of --from-run/--check: --report FILE --metrics FILE --readme FILE --figures FILE.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { APPLICABILITY, columnOf, pairs } from '../test/reliability/applicability.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GUARANTEES_FILE = path.join(REPO, 'test', 'reliability', 'GUARANTEES.json');
export const README = path.join(REPO, 'README.md');
export const RUN_REPORT = path.join(REPO, '.vitest', 'results.json');
export const RUN_METRICS = path.join(REPO, '.vitest', 'metrics.ndjson');
export const START = '<!-- guarantees:start -->';
export const END = '<!-- guarantees:end -->';
/** The test that compares the README with GUARANTEES.json: not part of the figures it checks. */
const SELF_CHECK = 'test/reliability/guarantees.test.ts';
/** The suite the figures are measured from; a whole `npm test` report is narrowed to it. */
const counted = (file) => file.startsWith('test/reliability/') && file !== SELF_CHECK;

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
 * The figures, from vitest's JSON report (narrowed to test/reliability) and the metrics its tests appended, one
 * JSON object per line with the test file it came from: `hostile` ({source, via: cli|in-process, payload: a
 * hash}) per hostile input tried, `secret-scan` ({outputs, values: hashes of the distinct secret values
 * searched for}) per run whose outputs were searched.
 */
export function computeGuarantees(report, metricLines, meta) {
  const tests = report.testResults
    .map((file) => ({ file, rel: path.relative(REPO, file.name) }))
    .filter(({ rel }) => counted(rel))
    .flatMap(({ file, rel }) => file.assertionResults.map((a) => ({ title: a.title, status: a.status, file: rel })));
  const by = (kind) => tests.filter((t) => kindOf(t.title) === kind);
  const metrics = metricLines
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
    .filter((m) => m.file === undefined || counted(m.file));

  // The matrix: each cell is one applicable step × fault pair; M is the table's applicable pairs.
  const cells = by('cell').map((t) => ({ ...parseCell(t.title), status: t.status, title: t.title }));
  for (const c of cells) {
    const applies = APPLICABILITY[c.step]?.[columnOf(c.fault)];
    if (applies !== true) throw new Error(`${c.title}: ${c.step} × ${columnOf(c.fault)} is not an applicable pair of test/reliability/applicability.mjs${typeof applies === 'string' ? ` (${applies})` : ''}`);
  }
  const key = (c) => `${c.step} × ${columnOf(c.fault)}`;
  const all = pairs();
  const applicable = all.filter((p) => p.applies).map((p) => `${p.step} × ${p.fault}`);
  const covered = new Set(cells.filter((c) => c.status === 'passed').map(key));
  const struck = new Set(cells.map(key));

  const hostile = metrics.filter((m) => m.kind === 'hostile');
  const distinct = (list) => new Set(list.map((m) => m.payload)).size;
  const bySource = {};
  for (const source of [...new Set(hostile.map((m) => m.source))].sort()) bySource[source] = distinct(hostile.filter((m) => m.source === source));
  const via = (v) => ({ tries: hostile.filter((m) => m.via === v).length, payloads: distinct(hostile.filter((m) => m.via === v)) });

  const scans = metrics.filter((m) => m.kind === 'secret-scan');
  return {
    generatedBy: 'node scripts/guarantees.mjs',
    date: meta.date,
    vitest: meta.vitest,
    realTools: meta.realTools,
    tests: tally(tests),
    matrix: {
      cells: tally(by('cell')),
      pairs: { applicable: applicable.length, covered: applicable.filter((p) => covered.has(p)).length, notApplicable: all.length - applicable.length, total: all.length },
      steps: [...new Set(all.map((p) => p.step))],
      faults: [...new Set(all.map((p) => p.fault))],
      uncovered: applicable.filter((p) => !struck.has(p)),
      titles: by('cell').map((t) => t.title),
    },
    hostile: {
      tests: tally(by('hostile')),
      payloads: distinct(hostile),
      endToEnd: via('cli'),
      inProcess: via('in-process'),
      bySource,
    },
    secrets: {
      tests: tally(by('secrets')),
      values: new Set(scans.flatMap((m) => m.values ?? [])).size,
      runs: scans.length,
      outputsScanned: scans.reduce((n, m) => n + (m.outputs ?? 0), 0),
    },
  };
}

const n = (x) => x.toLocaleString('en-US');

/** The README section for these figures: the only place they are rendered. */
export function renderSection(g) {
  const m = g.matrix;
  const h = g.hostile;
  const sources = Object.entries(h.bySource).map(([s, c]) => `${s} ${n(c)}`).join(', ');
  return [
    `Measured by \`${g.generatedBy}\` on ${g.date} (vitest ${g.vitest}${g.realTools ? ', real etcd and sshd' : ''}) from \`test/reliability/\`; the figures are in \`test/reliability/GUARANTEES.json\`, and CI recomputes them from its own test run and fails when these differ.`,
    '',
    '| promise | evidence | how it is counted |',
    '|---|---|---|',
    `| Every fault ends cleanly: the documented exit code, exactly one \`Error:\` line naming the cause, no backup set claiming to be complete, every cluster back in its pause state (a cluster paused on purpose stays paused), the lock released, no orphan process, and the journal shows the fault struck the step it is named after | **${n(m.pairs.covered)} of ${n(m.pairs.applicable)}** applicable step × fault pairs covered by **${n(m.cells.passed)} of ${n(m.cells.total)}** passing cells | ${m.steps.length} steps × ${m.faults.length} faults = ${n(m.pairs.total)} pairs; ${n(m.pairs.notApplicable)} do not apply, each with its reason in \`test/reliability/applicability.mjs\`; a pair counts once a cell striking it passed (several cells may strike one pair)${m.uncovered.length ? `; not yet struck: ${m.uncovered.join(', ')}` : ''} |`,
    `| Hostile names, addresses, users, paths and tool output are refused before use or proven harmless; oversized input fails fast or stays in bounded memory | **${n(h.payloads)}** distinct hostile payloads (${sources}): **${n(h.endToEnd.payloads)}** tried end to end through the built CLI (${n(h.endToEnd.tries)} tries), **${n(h.inProcess.payloads)}** against the validators in-process (${n(h.inProcess.tries)} tries); **${n(h.tests.passed)} of ${n(h.tests.total)}** hostile tests pass | a payload is one distinct value, counted once however many fields or runs it was put into; end to end means a real process of the built CLI, where an injected command could run and the canary would see it; in-process means a validator called directly |`,
    `| Kubeconfig contents, Secret data, private keys and tokens never reach stdout, stderr, \`-v\` logs, the JSON report, the journal or the step summary | **${n(g.secrets.values)}** distinct secret values searched for in **${n(g.secrets.outputsScanned)}** outputs of **${n(g.secrets.runs)}** runs of the built CLI, none found; **${n(g.secrets.tests.passed)} of ${n(g.secrets.tests.total)}** secrets tests pass, backup sets 0700/0600 under umask 000, complete and failed, with etcd snapshots | a secret value is counted once, though each is searched as text and as its base64 form, and every output is also searched for any simulated secret by pattern |`,
  ].join('\n');
}

/** The figures without when and with what they were measured: what --check compares. */
export function countsOf(g) {
  const { generatedBy: _by, date: _date, vitest: _vitest, ...counts } = g;
  return counts;
}

/** Where two figure sets differ: `path: committed → this run` lines (empty when they agree). */
export function differences(committed, run, at = '') {
  if (JSON.stringify(committed) === JSON.stringify(run)) return [];
  if (committed && run && typeof committed === 'object' && typeof run === 'object' && !Array.isArray(committed) && !Array.isArray(run)) {
    return [...new Set([...Object.keys(committed), ...Object.keys(run)])].flatMap((k) => differences(committed[k], run[k], at ? `${at}.${k}` : k));
  }
  return [`${at}: ${JSON.stringify(committed)} → ${JSON.stringify(run)}`];
}

/**
 * The check CI runs after its `npm test`: the figures recomputed from that run must equal the committed
 * GUARANTEES.json (counts only) and the README must carry the section they render. Returns the problems.
 */
export function checkFigures({ report, metricLines, readme, committed }) {
  const run = computeGuarantees(report, metricLines, { date: committed.date, vitest: committed.vitest, realTools: committed.realTools });
  const problems = differences(countsOf(committed), countsOf(run)).map((d) => `GUARANTEES.json ${d}`);
  const section = currentSection(readme);
  if (section === undefined) problems.push(`README.md has no ${START} … ${END} markers`);
  else if (section !== renderSection(run)) problems.push('README.md: the Guarantees section differs from the one this run renders');
  return { problems, run };
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

function write(g, report) {
  if (g.tests.failed > 0) {
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
    console.log(`guarantees: ${g.matrix.pairs.covered} of ${g.matrix.pairs.applicable} applicable pairs (${g.matrix.cells.passed} cells), ${g.hostile.payloads} hostile payloads, ${g.secrets.values} secret values; README.md and ${path.relative(REPO, GUARANTEES_FILE)} written`);
  }
}

function vitestVersion() {
  const vitest = path.join(REPO, 'node_modules', '.bin', 'vitest');
  return spawnSync(vitest, ['--version'], { cwd: REPO }).stdout.toString().trim().split(/\s+/)[0]?.replace(/^vitest\//, '') ?? '?';
}

function readRun(reportFile, metricsFile) {
  if (!existsSync(reportFile)) {
    console.error(`guarantees: no test report at ${path.relative(REPO, reportFile)}: run npm test first`);
    process.exit(1);
  }
  return { report: JSON.parse(readFileSync(reportFile, 'utf8')), metricLines: existsSync(metricsFile) ? readFileSync(metricsFile, 'utf8').split('\n') : [] };
}

function main() {
  const { values } = parseArgs({
    options: { check: { type: 'boolean' }, 'from-run': { type: 'boolean' }, report: { type: 'string' }, metrics: { type: 'string' }, readme: { type: 'string' }, figures: { type: 'string' } },
  });
  if (values.check) {
    const { report, metricLines } = readRun(path.resolve(values.report ?? RUN_REPORT), path.resolve(values.metrics ?? RUN_METRICS));
    const figures = path.resolve(values.figures ?? GUARANTEES_FILE);
    const readme = readFileSync(path.resolve(values.readme ?? README), 'utf8');
    const { problems, run } = checkFigures({ report, metricLines, readme, committed: JSON.parse(readFileSync(figures, 'utf8')) });
    if (problems.length > 0) {
      console.error(`guarantees: the committed figures are not the ones this test run measured:\n${problems.map((p) => `  ${p}`).join('\n')}`);
      console.error('run `node scripts/guarantees.mjs --from-run` after `npm test` (or `node scripts/guarantees.mjs`) and commit README.md and test/reliability/GUARANTEES.json');
      process.exit(1);
    }
    console.log(`guarantees: README.md and GUARANTEES.json match this run (${run.matrix.pairs.covered} of ${run.matrix.pairs.applicable} applicable pairs, ${run.hostile.payloads} hostile payloads, ${run.secrets.values} secret values)`);
    return;
  }
  if (values['from-run']) {
    const { report, metricLines } = readRun(path.resolve(values.report ?? RUN_REPORT), path.resolve(values.metrics ?? RUN_METRICS));
    write(computeGuarantees(report, metricLines, { date: new Date().toISOString().slice(0, 10), vitest: vitestVersion(), realTools: process.env.REQUIRE_REAL_TOOLS === '1' }), report);
    return;
  }
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
  const g = computeGuarantees(report, readFileSync(metricsFile, 'utf8').split('\n'), { date: new Date().toISOString().slice(0, 10), vitest: vitestVersion(), realTools: process.env.REQUIRE_REAL_TOOLS === '1' });
  rmSync(work, { recursive: true, force: true });
  if (run.status !== 0 && g.tests.failed === 0) {
    console.error(`guarantees: vitest exited ${run.status}; nothing written`);
    process.exit(1);
  }
  write(g, report);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) main();
