#!/usr/bin/env node
// `npm run bench`: every benchmark in one process run, each against its floor measured in the same run,
// then bench/RESULTS.md. The hand-written notes at the end of RESULTS.md (below NOTES_MARKER) are kept.
//   npm run bench                       (build, then everything; about 10 minutes on 2 cores)
//   node bench/run-all.mjs --only startup,verify   (prints; leaves RESULTS.md alone)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { drill } from './drill.mjs';
import { dryRun } from './dry-run.mjs';
import { etcdSnapshot } from './etcd-snapshot.mjs';
import { fleet } from './fleet.mjs';
import { inventory } from './inventory.mjs';
import { mirrorCheck } from './mirror-check.mjs';
import { push } from './push.mjs';
import { loadAverage, log, renderResult, repoRoot, verdict, writeResult } from './lib.mjs';
import { startup } from './startup.mjs';
import { verify } from './verify.mjs';

const RESULTS = path.join(repoRoot, 'bench', 'RESULTS.md');
const NOTES_MARKER = '<!-- Everything below this line is written by hand and kept by bench/run-all.mjs. -->';

// The options each benchmark runs with here: at least 5 rounds each, sized to fit 10 minutes on 2 cores.
const BENCHMARKS = [
  { name: 'startup', run: startup, options: { runs: 9 } },
  { name: 'verify', run: verify, options: { gib: 1, runs: 5, workloads: 10 } },
  { name: 'dry-run', run: dryRun, options: { workloads: 500, runs: 5, bare: 0 } },
  { name: 'inventory', run: inventory, options: { sizes: [50, 500, 2000], runs: 5 } },
  { name: 'etcd-snapshot', run: etcdSnapshot, options: { mib: 256, runs: 5, mibEach: 16 } },
  // Each plan round gates 200 clusters and each upgrade round is two whole fleet runs: fewer rounds than the others.
  { name: 'fleet', run: fleet, options: { clusters: 200, runs: 1, upgrades: 8, upgradeMs: 20000, parallelRuns: 1 } },
  { name: 'drill', run: drill, options: { mib: 256, runs: 5, smallKeys: 20000, withoutStatus: 1 } },
  { name: 'push', run: push, options: { mib: 256, runs: 5, rssGib: 1 } },
  { name: 'mirror-check', run: mirrorCheck, options: { images: 500, runs: 5 } },
];
// RESULTS.md lists them in the order of the issue.
const ISSUE_ORDER = ['inventory', 'dry-run', 'verify', 'etcd-snapshot', 'startup', 'fleet', 'drill', 'push', 'mirror-check'];

/** First line a tool prints about its version (stdout or stderr), or "not found". */
function version(file, args) {
  try {
    const out = execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n')[0].trim();
  } catch (error) {
    const text = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    return text ? text.split('\n')[0] : 'not found';
  }
}

function machine() {
  let kubectl = 'not found';
  try {
    kubectl = JSON.parse(execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' })).clientVersion.gitVersion;
  } catch {
    // reported as not found
  }
  const ssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' });
  return [
    `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
    `node ${process.version}, kubectl ${kubectl}, ${version('etcd', ['--version'])}, ${(ssh.stderr || ssh.stdout || 'ssh not found').split('\n')[0].trim()}, ${version('sha256sum', ['--version'])}`,
  ];
}

function keptNotes() {
  if (!existsSync(RESULTS)) return `${NOTES_MARKER}\n`;
  const text = readFileSync(RESULTS, 'utf8');
  const at = text.indexOf(NOTES_MARKER);
  return at < 0 ? `${NOTES_MARKER}\n` : text.slice(at);
}

const only = (() => {
  const at = process.argv.indexOf('--only');
  return at > 0 ? process.argv[at + 1].split(',') : undefined;
})();

const started = performance.now();
const loadAtStart = loadAverage();
const results = [];
for (const b of BENCHMARKS) {
  if (only && !only.includes(b.name)) continue;
  const t = performance.now();
  const loadBefore = loadAverage();
  log(`== ${b.name} (load average ${loadBefore.join(', ')})`);
  let result;
  try {
    result = await b.run(b.options);
  } catch (error) {
    result = {
      name: b.name,
      title: b.name,
      targets: [{ what: 'the benchmark ran', value: 'failed', target: 'ran', met: false }],
      sections: [`The benchmark failed: \`${String(error?.stack ?? error).split('\n')[0]}\``],
      data: {},
    };
  }
  result.seconds = Number(((performance.now() - t) / 1000).toFixed(1));
  result.loadBefore = loadBefore;
  result.loadAfter = loadAverage();
  writeResult(result);
  log(renderResult(result));
  log(`== ${b.name}: ${result.seconds} s`);
  results.push(result);
}
const seconds = (performance.now() - started) / 1000;
const missed = results.flatMap((r) => r.targets.filter((t) => !t.met).map((t) => `${r.name}: ${t.what}`));

const ordered = ISSUE_ORDER.map((n) => results.find((r) => r.name === n)).filter(Boolean);
const doc = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (`bench/run-all.mjs`); every figure is a ratio against a floor measured in the same run, on the same machine, interleaved with our runs.',
  '',
  `- Run: ${new Date().toISOString()}, ${seconds.toFixed(0)} s for the benchmarks (plus the build).`,
  `- Machine: ${machine().join('; ')}.`,
  `- Load average (1, 5, 15 min) at the start: ${loadAtStart.join(', ')}; at the end: ${loadAverage().join(', ')}. Other work was running on the machine; the interleaved floors absorb most of it.`,
  `- Targets: ${missed.length === 0 ? 'all PASS' : `${missed.length} FAIL: ${missed.join('; ')}`}.`,
  '',
  '| benchmark | measure | value | target | |',
  '|---|---|---|---|---|',
  ...ordered.flatMap((r) => r.targets.map((t) => `| ${r.name} | ${t.what} | ${t.value} | ${t.target} | ${verdict(t)} |`)),
  '',
  ...ordered.map((r) => `${renderResult(r)}\n_${r.seconds} s; load average before ${r.loadBefore.join(', ')}, after ${r.loadAfter.join(', ')}._\n`),
  keptNotes(),
].join('\n');

if (only) {
  log(`--only: ${RESULTS} left as it was`);
} else {
  writeFileSync(RESULTS, doc);
  log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
}
for (const r of ordered) for (const t of r.targets) log(`${t.met ? 'PASS' : 'FAIL'} ${r.name}: ${t.what}: ${t.value} (target ${t.target})`);
log(`bench: ${seconds.toFixed(0)} s; ${missed.length === 0 ? 'every target PASS' : `FAIL: ${missed.join('; ')}`}`);
process.exitCode = missed.length === 0 ? 0 : 1;
