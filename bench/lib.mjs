// Shared by the benchmarks: statistics, timing a child process without blocking this process's event
// loop (the simulated API server may run in it), result files, and the shape every benchmark returns.
//
// A benchmark returns { name, title, targets: [{ what, value, target, met }], sections: [markdown], data }.
// run-all.mjs renders those into bench/RESULTS.md; run alone, a benchmark prints the same markdown.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const outDir = path.join(repoRoot, 'bench', 'out');
export const cliBin = path.join(repoRoot, 'bin', 'eksa-safe-upgrade.js');

/** Compiles a self-contained test helper (node built-ins and type-only imports) to an importable module in bench/out. */
export async function loadTestHelper(relative, name) {
  // Imported here, not at the top: a child process that loads lib.mjs must not carry the compiler in its RSS.
  const { default: ts } = await import('typescript');
  const source = readFileSync(path.join(repoRoot, relative), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, name);
  writeFileSync(file, outputText);
  return import(pathToFileURL(file).href);
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** median/min/max of a list of numbers, rounded for the tables. */
export function stats(xs, digits = 0) {
  const r = (x) => Number(x.toFixed(digits));
  return { median: r(median(xs)), min: r(Math.min(...xs)), max: r(Math.max(...xs)), n: xs.length };
}

/** `1234 (1100–1500)`: median, then min–max. */
export function fmt(xs, digits = 0) {
  const s = stats(xs, digits);
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

export const ratio = (a, b, digits = 2) => Number((a / b).toFixed(digits));

/**
 * The median of the per-round ratios ours[i] / floor[i]. Each pair ran back to back, so a change of
 * machine load during the benchmark hits both sides of a pair alike; the ratio of the two medians can pair
 * a quiet floor with a busy run of ours. Every target uses this; the ratio of medians is shown beside it.
 */
export const pairedRatio = (ours, floor, digits = 2) => Number(median(ours.map((x, i) => x / floor[i])).toFixed(digits));

/**
 * Runs a child asynchronously and measures its wall time. stdout is kept only when asked (it can be
 * ~100 MB at fleet scale); stderr's tail is kept for the error message.
 */
export function timeChild(file, args, { env = process.env, cwd, keepStdout = false, okCodes = [0] } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { env, cwd, stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout?.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (!okCodes.includes(code)) return reject(new Error(`${path.basename(file)} ${args.slice(0, 4).join(' ')}… exited ${code}: ${err.trim()}`));
      const endedAt = Date.now();
      resolve({ ms, startedAt: endedAt - ms, endedAt, code, stdout: keepStdout ? Buffer.concat(out).toString() : '', stderr: err });
    });
  });
}

export const loadAverage = () => loadavg().map((l) => Number(l.toFixed(2)));

export function writeResult(result) {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, `${result.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** true when this module is the script node was started with (each benchmark also runs alone). */
export const isMain = (url) => process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(url);

/** A target's verdict as the tables and the console print it. */
export const verdict = (t) => (t.met ? 'PASS' : '**FAIL**');

/** The markdown of one benchmark: its targets, then its own sections. */
export function renderResult(result) {
  const lines = [`## ${result.title}`, '', '| measure | value | target | |', '|---|---|---|---|'];
  for (const t of result.targets) lines.push(`| ${t.what} | ${t.value} | ${t.target} | ${verdict(t)} |`);
  lines.push('');
  for (const s of result.sections) lines.push(s.trimEnd(), '');
  return lines.join('\n');
}

/** Standalone entry: run, print, record, and exit 1 when a target missed. */
export async function runStandalone(benchmark, options) {
  const result = await benchmark(options);
  writeResult(result);
  process.stdout.write(`${renderResult(result)}\n`);
  if (result.targets.some((t) => !t.met)) process.exitCode = 1;
}

/** `--name value` options of a benchmark run alone; numbers stay numbers. `--help` prints them with their defaults. */
export function cliOptions(defaults) {
  const kebab = (key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const usage = `usage: node ${path.relative(process.cwd(), process.argv[1] ?? 'bench/<name>.mjs')} ${Object.entries(defaults).map(([k, d]) => `[${kebab(k)} ${Array.isArray(d) ? d.join(',') : d}]`).join(' ')}`;
  const refuse = (problem) => {
    process.stderr.write(`Error: ${problem}\n${usage}\n`);
    process.exit(2);
  };
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const key = argv[i].replace(/^--/, '').replace(/-(.)/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) refuse(`unknown option ${argv[i]}; known: ${Object.keys(defaults).map(kebab).join(', ')}`);
    const raw = argv[++i];
    if (raw === undefined) refuse(`${argv[i - 1]} needs a value`);
    const d = defaults[key];
    const value = Array.isArray(d) ? raw.split(',').map(Number) : typeof d === 'number' ? Number(raw) : raw;
    if ([value].flat().some((v) => typeof v === 'number' && !(Number.isFinite(v) && v >= 0))) refuse(`${argv[i - 1]} ${raw} is not a number >= 0`);
    out[key] = value;
  }
  return out;
}

export const log = (line) => process.stderr.write(`${line}\n`);

/**
 * The simulated management tree, served from this process (children must then be timed with timeChild,
 * never a *Sync call, or the server could not answer them). Returns what a run of the CLI needs.
 */
export async function startSim({ workloads = 0, scenario = 'healthy', workdir }) {
  const { simEnv, startSimServer, writeClusterFiles, resolveScenarioPath, clusterPaths } = await import('../sim/index.js');
  const scenarioFile = resolveScenarioPath(scenario);
  const server = await startSimServer({ scenario: scenarioFile, workloads, seed: 'bench' });
  writeClusterFiles(workdir, server.scenario, server.url);
  const management = server.scenario.management;
  const env = { ...process.env, ...simEnv({ workdir, url: server.url, scenarioFile, management }), CI: '1', NO_COLOR: '1' };
  const { spec, kubeconfig } = clusterPaths(workdir, management);
  return {
    server,
    env,
    workdir,
    clusters: server.scenario.clusters.length,
    spec,
    kubeconfig,
    close: () => server.close(),
  };
}

/** Reads a --journal NDJSON file of the CLI. */
export function readJournal(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
    .filter((e) => e.source === 'eksa-safe-upgrade');
}

/** Length of the union of the [start, start + duration] intervals of the commands that ran. */
export function coveredMs(entries) {
  const spans = entries
    .filter((e) => !e.skipped)
    .map((e) => [Date.parse(e.time), Date.parse(e.time) + e.durationMs])
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of spans) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}
