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
// What the bin loads: the bundle, and the chunks of `preflight` (scripts/bundle.mjs).
const cliModule = path.join(repoRoot, 'dist', 'cli.bundle.mjs');
const preflightChunks = () => readdirSync(path.join(repoRoot, 'dist', 'chunks')).filter((f) => /^preflight(-gate)?-[\w-]+\.mjs$/.test(f)).map((f) => path.join(repoRoot, 'dist', 'chunks', f));
const nodeCliFloor = path.join(repoRoot, 'bench', 'node-cli-floor.mjs');
/** Own time may grow at most linearly: its per-cluster value may not grow between sizes by more than this (noise). */
const GROWTH_TOLERANCE = 1.5;

/**
 * Our own CPU time on the main thread from a .cpuprofile: every sample but idle (waiting for kubectl);
 * `afterMs`, the part from the first command the runner starts onwards (handling kubectl's output,
 * inventory, readiness, skew, the report: the work that grows with the fleet, without the start-up before
 * it). Also the top functions by self time, and garbage collection, for the table.
 */
function summariseProfile(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
  // Time of the first sample spawning a child: the reads start there (the runner is the only spawner).
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inRunner = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { url, functionName } = byId.get(at).callFrame;
      if (url === 'node:internal/child_process' && /(^|\.)spawn$/.test(functionName)) return true;
    }
    return false;
  };
  let clock = 0;
  let readsStart;
  let afterUs = 0;
  profile.samples.forEach((id, i) => {
    clock += profile.timeDeltas[i] ?? 0;
    if (readsStart === undefined && inRunner(id)) readsStart = clock;
    if (readsStart !== undefined && byId.get(id).callFrame.functionName !== '(idle)') afterUs += profile.timeDeltas[i + 1] ?? 0;
  });
  const byFunction = new Map();
  let busyUs = 0;
  for (const [id, us] of self) {
    const { functionName, url } = byId.get(id).callFrame;
    if (functionName === '(idle)') continue;
    busyUs += us;
    const where = url.includes('/dist/chunks/') ? `${url.replace(/.*\/dist\/chunks\/([\w-]+?)-[\w-]{8}\.mjs$/, 'chunk $1')}:${functionName || '(top)'}` : url.includes('/node_modules/') ? url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, '$1') : url.includes('/dist/') ? `${url.replace(/.*\/dist\//, '')}:${functionName || '(top)'}` : functionName || url;
    byFunction.set(where, (byFunction.get(where) ?? 0) + us);
  }
  const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([where, us]) => ({ where, ms: Math.round(us / 1000) }));
  return { busyMs: Math.round(busyUs / 1000), afterMs: Math.round(afterUs / 1000), gcMs: Math.round((byFunction.get('(garbage collector)') ?? 0) / 1000), top };
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
        // From the first command on: handling kubectl's output, readiness, skew, the report, exiting.
        ownAfterMs: run.endedAt - Math.min(...entries.map((e) => Date.parse(e.time))) - coveredMs(entries),
        // When the first read started, from the start of the process: node, the modules, the spec.
        firstReadMs: Math.min(...entries.map((e) => Date.parse(e.time))) - run.startedAt,
        kubectlCalls: entries.filter((e) => e.argv[0] === 'kubectl').length,
        calls: entries.length,
        getMs: get?.durationMs ?? NaN,
      };
    };
    // Our fixed cost, no I/O: node, the CLI and every module `preflight` loads (what a run pays before
    // its first kubectl call can start).
    const startupArgs = ['--input-type=module', '-e', [cliModule, ...preflightChunks()].map((f) => `await import(${JSON.stringify(pathToFileURL(f).href)});`).join(' ')];
    const startup = () => timeChild(process.execPath, startupArgs, { env: sim.env, cwd: workdir });
    // The floor a Node CLI on our libraries can reach: yargs, yaml, the same three reads through execa,
    // JSON.parse (bench/node-cli-floor.mjs).
    const nodeFloorArgs = [nodeCliFloor, 'preflight', '-f', sim.spec, '--kinds', inventoryKinds('vsphere').join(',')];
    const nodeFloor = () => timeChild(process.execPath, nodeFloorArgs, { env: sim.env, cwd: workdir });
    // Unmeasured: fills kubectl's discovery cache (both sides use it) and the page cache.
    await timeChild('kubectl', ['--kubeconfig', sim.kubeconfig, 'api-resources', '-o', 'name'], { env: sim.env, cwd: workdir });
    await startup();
    if (withStartup) await nodeFloor();
    const rows = { floor: [], ours: [], startup: [], nodeFloor: [] };
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) rows.floor.push((await floor()).ms);
      // The last round's run is profiled (--cpu-prof): our own CPU time, by function. Its few % of
      // profiler overhead can only make our median worse.
      rows.ours.push(await ours({ profile: i === runs - 1 }));
      if (i % 2 === 1) rows.floor.push((await floor()).ms);
      if (withStartup) rows.startup.push((await startup()).ms);
      if (withStartup) rows.nodeFloor.push((await nodeFloor()).ms);
      log(`inventory ${workloads}: round ${i + 1}: floor ${rows.floor.at(-1).toFixed(0)} ms, ours ${rows.ours.at(-1).ms.toFixed(0)} ms (own ${rows.ours.at(-1).ownMs.toFixed(0)})`);
    }
    const oursMs = rows.ours.map((r) => r.ms);
    return {
      workloads,
      clusters: sim.clusters,
      floorMs: rows.floor,
      oursMs,
      ownMs: rows.ours.map((r) => r.ownMs),
      ownAfterMs: rows.ours.map((r) => r.ownAfterMs),
      firstReadMs: rows.ours.map((r) => r.firstReadMs),
      ourGetMs: rows.ours.map((r) => r.getMs),
      kubectlCalls: [...new Set(rows.ours.map((r) => r.kubectlCalls))],
      calls: [...new Set(rows.ours.map((r) => r.calls))],
      startupMs: rows.startup,
      nodeFloorMs: rows.nodeFloor,
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
  // Linear at most: our own time once the reads start, per cluster, may not grow from one size to the
  // next by more than the noise tolerance. Linear work keeps it flat (or falling, as the fixed part is
  // spread wider); quadratic work would multiply it by the size ratio (4× from 500 to 2000).
  const perCluster = results.map((r) => (median(r.ownAfterMs) / r.clusters) * 1000);
  const linear = perCluster.every((us, i) => i === 0 || us <= perCluster[i - 1] * GROWTH_TOLERANCE);
  targets.push({
    what: 'our own time once the reads start, per cluster, by size (median)',
    value: results.map((r, i) => `${r.workloads}: ${perCluster[i].toFixed(0)} µs`).join(', '),
    target: `linear at most (each ≤ ${GROWTH_TOLERANCE}× the one before)`,
    met: linear,
  });

  // The floor a Node CLI can reach: its own start-up, then the same kubectl get (the get cannot start
  // before the CLI has read the spec). Not a target; it says what the ratio at small sizes is made of.
  const startupMs = median(results[0].startupMs);
  const table = [
    `${runs} paired rounds per size; ms, median (min–max). "own processing" = our wall time minus the time covered by the external commands we ran (from \`--journal\`): node start-up, parsing kubectl's JSON, readiness, skew, the report; "once the reads start" = the same from the first command on (no start-up): what grows with the fleet, and what the growth check uses; "first read starts at" = ms from the start of our process to the first command the runner spawned (from \`--journal\`).`,
    '',
    '| workload clusters (+4 in the scenario) | `kubectl get` (floor) | `preflight -o json` | ratio: per-round median (of the medians) | ours − floor | ours / (floor + our start-up) | our kubectl get (journal) | own processing | own once the reads start | first read starts at | kubectl calls / all calls |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.workloads} | ${fmt(r.floorMs)} | ${fmt(r.oursMs)} | ${r.ratio.toFixed(2)} (${r.ratioOfMedians.toFixed(2)}) | ${(median(r.oursMs) - median(r.floorMs)).toFixed(0)} | ${(median(r.oursMs) / (median(r.floorMs) + startupMs)).toFixed(2)} | ${fmt(r.ourGetMs)} | ${fmt(r.ownMs)} | ${fmt(r.ownAfterMs)} | ${fmt(r.firstReadMs)} | ${r.kubectlCalls.join('/')} / ${r.calls.join('/')} |`,
    ),
    '',
    'Where our own time goes: the `--cpu-prof` profile of the last round at each size, main thread, idle (waiting for kubectl) left out; "once the reads start" leaves out the start-up before the first command (node, modules, spec).',
    '',
    '| workload clusters | own CPU ms, all | once the reads start | per cluster | garbage collection ms | top self time (ms) |',
    '|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.workloads} | ${r.profile.busyMs} | ${r.profile.afterMs} | ${((r.profile.afterMs / r.clusters) * 1000).toFixed(0)} µs | ${r.profile.gcMs} | ${r.profile.top.map((t) => `${t.where} ${t.ms}`).join(', ')} |`),
    '',
    `Our fixed cost, measured in the rounds of the first size: \`node\` importing the CLI and every module \`preflight\` loads, no I/O: ${fmt(results[0].startupMs)} ms. It is paid before the first kubectl call can start, at every size.`,
    '',
    `The floor a Node.js CLI on this project's libraries can reach, measured in the same rounds at ${results[0].workloads} workload clusters: \`bench/node-cli-floor.mjs\` parses the command line with yargs, reads the spec with yaml, runs the same three reads through execa and parses kubectl's JSON — nothing of ours: ${fmt(results[0].nodeFloorMs)} ms, ${pairedRatio(results[0].nodeFloorMs, results[0].floorMs).toFixed(2)}× the bare \`kubectl get\` on its own. \`preflight\` against it: **${pairedRatio(results[0].oursMs, results[0].nodeFloorMs).toFixed(2)}×** (median of the per-round ratios).`,
  ].join('\n');
  return {
    name: 'inventory',
    title: '1. Inventory + readiness (`preflight --output json`) vs a bare `kubectl get` of the same kinds',
    targets,
    sections: [table],
    data: { runs, results, perClusterUs: perCluster, loadAverage: loadAverage() },
  };
}

if (isMain(import.meta.url)) await runStandalone(inventory, cliOptions({ sizes: [50, 500, 2000], runs: 5 }));
