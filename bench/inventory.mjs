#!/usr/bin/env node
// Benchmark 1, the gate at fleet scale: `preflight --output json` against the floor it cannot beat, a
// bare `kubectl get` of the same kinds, on the same simulated API server (served from this process), at
// several fleet sizes. Per size: paired rounds (the order alternates), the kubectl calls our run made
// (from its --journal: must not grow with the fleet), and our own processing time = wall time minus the
// time covered by the external commands it ran (must grow linearly at most).
//   npm run build && node bench/inventory.mjs [--sizes 50,500,2000] [--runs 5]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliBin, cliOptions, coveredMs, fmt, isMain, loadAverage, log, median, pairedRatio, ratio, readJournal, repoRoot, runStandalone, startSim, timeChild } from './lib.mjs';

const TARGET = 1.5;
const cliModule = path.join(repoRoot, 'dist', 'cli.js');
const preflightModule = path.join(repoRoot, 'dist', 'commands', 'preflight.js');
/** Own time may grow at most linearly: the per-cluster slope of the upper segment may not exceed the lower one's by more than this (noise). */
const SLOPE_TOLERANCE = 1.5;

/**
 * Our own CPU time on the main thread from a .cpuprofile: every sample but idle (waiting for kubectl).
 * Also the top functions by self time, and garbage collection, for the table.
 */
function summariseProfile(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
  const byFunction = new Map();
  let busyUs = 0;
  for (const [id, us] of self) {
    const { functionName, url } = byId.get(id).callFrame;
    if (functionName === '(idle)') continue;
    busyUs += us;
    const where = url.includes('/node_modules/') ? url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, '$1') : url.includes('/dist/') ? `${url.replace(/.*\/dist\//, '')}:${functionName || '(top)'}` : functionName || url;
    byFunction.set(where, (byFunction.get(where) ?? 0) + us);
  }
  const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([where, us]) => ({ where, ms: Math.round(us / 1000) }));
  return { busyMs: Math.round(busyUs / 1000), gcMs: Math.round((byFunction.get('(garbage collector)') ?? 0) / 1000), top };
}

async function measureSize(workloads, runs, inventoryKinds, withStartup) {
  const workdir = mkdtempSync(path.join(tmpdir(), `bench-inventory-${workloads}-`));
  const sim = await startSim({ workloads, workdir });
  try {
    const floorArgs = ['--kubeconfig', sim.kubeconfig, '--request-timeout=60s', 'get', inventoryKinds('vsphere').join(','), '--all-namespaces', '-o', 'json'];
    const floor = () => timeChild('kubectl', floorArgs, { env: sim.env, cwd: workdir });
    let n = 0;
    const profiles = path.join(workdir, 'profiles');
    const ours = async ({ profile = false } = {}) => {
      const journal = path.join(workdir, `journal-${n++}.ndjson`);
      const node = profile ? [process.execPath, '--cpu-prof', '--cpu-prof-dir', profiles] : [process.execPath];
      const run = await timeChild(node[0], [...node.slice(1), cliBin, 'preflight', '-f', sim.spec, '--output', 'json', '--request-timeout', '60s', '--journal', journal], { env: sim.env, cwd: workdir });
      const entries = readJournal(journal);
      const get = entries.find((e) => e.argv[0] === 'kubectl' && e.argv.includes('get'));
      return {
        ms: run.ms,
        ownMs: run.ms - coveredMs(entries),
        kubectlCalls: entries.filter((e) => e.argv[0] === 'kubectl').length,
        calls: entries.length,
        getMs: get?.durationMs ?? NaN,
      };
    };
    // Our fixed cost, no I/O: node, the CLI and every module `preflight` loads (what a run pays before
    // its first kubectl call can start).
    const startupArgs = ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(cliModule).href)}); await import(${JSON.stringify(pathToFileURL(preflightModule).href)});`];
    const startup = () => timeChild(process.execPath, startupArgs, { env: sim.env, cwd: workdir });
    // Unmeasured: fills kubectl's discovery cache (both sides use it) and the page cache.
    await timeChild('kubectl', ['--kubeconfig', sim.kubeconfig, 'api-resources', '-o', 'name'], { env: sim.env, cwd: workdir });
    await startup();
    const rows = { floor: [], ours: [], startup: [] };
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) rows.floor.push((await floor()).ms);
      // The last round's run is profiled (--cpu-prof): our own CPU time, by function. Its few % of
      // profiler overhead can only make our median worse.
      rows.ours.push(await ours({ profile: i === runs - 1 }));
      if (i % 2 === 1) rows.floor.push((await floor()).ms);
      if (withStartup) rows.startup.push((await startup()).ms);
      log(`inventory ${workloads}: round ${i + 1}: floor ${rows.floor.at(-1).toFixed(0)} ms, ours ${rows.ours.at(-1).ms.toFixed(0)} ms (own ${rows.ours.at(-1).ownMs.toFixed(0)})`);
    }
    const oursMs = rows.ours.map((r) => r.ms);
    return {
      workloads,
      clusters: sim.clusters,
      floorMs: rows.floor,
      oursMs,
      ownMs: rows.ours.map((r) => r.ownMs),
      ourGetMs: rows.ours.map((r) => r.getMs),
      kubectlCalls: [...new Set(rows.ours.map((r) => r.kubectlCalls))],
      calls: [...new Set(rows.ours.map((r) => r.calls))],
      startupMs: rows.startup,
      profile: summariseProfile(profiles),
      ratio: pairedRatio(oursMs, rows.floor),
      ratioOfMedians: ratio(median(oursMs), median(rows.floor)),
    };
  } finally {
    await sim.close();
    rmSync(workdir, { recursive: true, force: true });
  }
}

export async function inventory({ sizes = [50, 500, 2000], runs = 5 } = {}) {
  const { inventoryKinds } = await import(path.join(repoRoot, 'dist', 'kube', 'kinds.js'));
  const results = [];
  for (const [i, workloads] of sizes.entries()) results.push(await measureSize(workloads, runs, inventoryKinds, i === 0));

  const targets = results.map((r) => ({
    what: `${r.workloads} workload clusters: preflight / kubectl get, median of the per-round ratios`,
    value: r.ratio.toFixed(2),
    target: `≤ ${TARGET}`,
    met: r.ratio <= TARGET,
  }));
  const calls = results.map((r) => r.kubectlCalls.join('/'));
  targets.push({
    what: 'kubectl calls per preflight run, by size',
    value: calls.join(', '),
    target: 'the same at every size',
    met: results.every((r) => r.kubectlCalls.length === 1) && new Set(calls).size === 1,
  });
  // Linear at most: cost per added cluster over each segment of the curve; the last segment's may not
  // exceed the first's by more than the noise tolerance (quadratic work would multiply it by the size ratio).
  const own = results.map((r) => ({ n: r.clusters, ms: r.profile.busyMs }));
  const slopes = own.slice(1).map((p, i) => (p.ms - own[i].ms) / (p.n - own[i].n));
  const linear = slopes.length < 2 || slopes.at(-1) <= Math.max(slopes[0], 0) * SLOPE_TOLERANCE + 0.05;
  if (slopes.length > 0) {
    targets.push({
      what: 'our own CPU time (profile), ms per added cluster, by segment of the curve',
      value: slopes.map((s) => s.toFixed(2)).join(' → '),
      target: `linear at most (last ≤ ${SLOPE_TOLERANCE}× first)`,
      met: linear,
    });
  }

  // The floor a Node CLI can reach: its own start-up, then the same kubectl get (the get cannot start
  // before the CLI has read the spec). Not a target; it says what the ratio at small sizes is made of.
  const startupMs = median(results[0].startupMs);
  const table = [
    `${runs} paired rounds per size; ms, median (min–max). "own" = our wall time minus the time covered by the external commands we ran (from \`--journal\`): node start-up, parsing kubectl's JSON, readiness, skew, the report.`,
    '',
    '| workload clusters (+4 in the scenario) | `kubectl get` (floor) | `preflight -o json` | ratio | ours − floor | ours / (floor + our start-up) | our kubectl get (journal) | own processing | own per cluster | kubectl calls / all calls |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.workloads} | ${fmt(r.floorMs)} | ${fmt(r.oursMs)} | ${r.ratio.toFixed(2)} | ${(median(r.oursMs) - median(r.floorMs)).toFixed(0)} | ${(median(r.oursMs) / (median(r.floorMs) + startupMs)).toFixed(2)} | ${fmt(r.ourGetMs)} | ${fmt(r.ownMs)} | ${((median(r.ownMs) / r.clusters) * 1000).toFixed(0)} µs | ${r.kubectlCalls.join('/')} / ${r.calls.join('/')} |`,
    ),
    '',
    'Our own CPU time on the main thread, from the `--cpu-prof` profile of the last round at each size (idle = waiting for kubectl, left out):',
    '',
    '| workload clusters | own CPU ms | per cluster | garbage collection ms | top self time (ms) |',
    '|---|---|---|---|---|',
    ...results.map((r) => `| ${r.workloads} | ${r.profile.busyMs} | ${((r.profile.busyMs / r.clusters) * 1000).toFixed(0)} µs | ${r.profile.gcMs} | ${r.profile.top.map((t) => `${t.where} ${t.ms}`).join(', ')} |`),
    '',
    `Our fixed cost, measured in the rounds of the first size: \`node\` importing the CLI and every module \`preflight\` loads, no I/O: ${fmt(results[0].startupMs)} ms. It is paid before the first kubectl call can start, at every size.`,
  ].join('\n');
  return {
    name: 'inventory',
    title: '1. Inventory + readiness (`preflight --output json`) vs a bare `kubectl get` of the same kinds',
    targets,
    sections: [table],
    data: { runs, results, slopes, loadAverage: loadAverage() },
  };
}

if (isMain(import.meta.url)) await runStandalone(inventory, cliOptions({ sizes: [50, 500, 2000], runs: 5 }));
