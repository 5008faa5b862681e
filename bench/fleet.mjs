#!/usr/bin/env node
// Benchmark 6: `workloads`. Two measures, each against a floor measured in the same run:
//   plan:     `workloads --all --dry-run` on a tree of N workload clusters to upgrade (the fleet plan: every
//             cluster's gate and plan) vs the sum of the durations of its own reads, from its --journal;
//   parallel: the wall time of `workloads` upgrading 8 simulated clusters (fake eksctl, a fixed duration each)
//             with --parallel 4 vs the same run with --parallel 1, on a fresh simulated tree each.
//   npm run build && node bench/fleet.mjs [--clusters 200] [--runs 3] [--upgrades 8] [--upgrade-ms 20000] [--parallel-runs 1]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { cliBin, cliOptions, fmt, isMain, loadAverage, log, median, pairedRatio, readJournal, repoRoot, runStandalone, startSim, timeChild } from './lib.mjs';

const PLAN_TARGET = 2;
const PARALLEL_TARGET = 0.35;
const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-1';
const FLAGS = ['--skip-etcd-backup', '--reason', 'bench: no etcd nodes', '--cli-tools-image', IMAGE, '--request-timeout', '120s', '--confirm-interval', '1s'];

/** A management cluster at the target and `n` workload clusters `wNNN` to upgrade, each eksctl run `upgradeMs` long. */
function fleetScenario(dir, n, upgradeMs) {
  const file = path.join(dir, `fleet-${n}.yaml`);
  const names = Array.from({ length: n }, (_, i) => `w${String(i + 1).padStart(3, '0')}`);
  writeFileSync(
    file,
    stringify({
      extends: path.join(repoRoot, 'sim', 'scenarios', 'fleet', 'fleet-22.yaml'),
      name: `fleet-${n}`,
      clusters: [
        { name: 'mgmt', os: 'ubuntu', etcd: 'stacked', controlPlane: 1, kubernetesVersion: '1.32', eksaVersion: 'v0.23.0', workers: [{ name: 'md-0', count: 1 }] },
        ...names.map((name) => ({ name, os: 'ubuntu', etcd: 'stacked', controlPlane: 1, workers: [{ name: 'md-0', count: 1 }] })),
      ],
      eksctl: { upgrade: { outcome: 'succeed', durationMs: upgradeMs } },
    }),
  );
  return file;
}

async function withSim(n, upgradeMs, fn) {
  const workdir = mkdtempSync(path.join(tmpdir(), 'bench-fleet-'));
  const sim = await startSim({ scenario: fleetScenario(workdir, n, upgradeMs), workdir });
  try {
    return await fn(sim, workdir);
  } finally {
    await sim.close();
    rmSync(workdir, { recursive: true, force: true });
  }
}

export async function fleet({ clusters = 200, runs = 3, upgrades = 8, upgradeMs = 20000, parallelRuns = 1 } = {}) {
  // 1. The fleet plan of `clusters` workload clusters.
  const plan = await withSim(clusters, 300, async (sim, workdir) => {
    const rows = [];
    for (let i = 0; i < runs; i++) {
      const journal = path.join(workdir, `journal-${i}.ndjson`);
      const args = [cliBin, 'workloads', '--kubeconfig', sim.kubeconfig, '--all', '--dry-run', '-o', 'json', ...FLAGS, '--journal', journal];
      const run = await timeChild(process.execPath, args, { env: sim.env, cwd: workdir });
      const reads = readJournal(journal).filter((e) => e.kind === 'read' && !e.skipped);
      rows.push({ ms: run.ms, floorMs: reads.reduce((s, e) => s + e.durationMs, 0), reads: reads.length });
      log(`fleet plan ${clusters}: round ${i + 1}: ours ${rows.at(-1).ms.toFixed(0)} ms, its reads ${rows.at(-1).floorMs} ms (${reads.length} reads)`);
    }
    return rows;
  });
  // 2. 8 upgrades, --parallel 4 vs --parallel 1, interleaved, each on a fresh tree.
  const pairs = [];
  const upgradeRun = (parallel) =>
    withSim(upgrades, upgradeMs, async (sim, workdir) => {
      const args = [cliBin, 'workloads', '--kubeconfig', sim.kubeconfig, '--all', ...FLAGS, '--canary', '0', '--wave-size', String(upgrades), '--parallel', String(parallel)];
      return (await timeChild(process.execPath, args, { env: sim.env, cwd: workdir })).ms;
    });
  for (let i = 0; i < parallelRuns; i++) {
    const sequential = await upgradeRun(1);
    const parallel = await upgradeRun(4);
    pairs.push({ sequential, parallel });
    log(`fleet parallel: round ${i + 1}: --parallel 1 ${sequential.toFixed(0)} ms, --parallel 4 ${parallel.toFixed(0)} ms`);
  }
  const planRatio = pairedRatio(plan.map((r) => r.ms), plan.map((r) => r.floorMs));
  const parallelRatio = pairedRatio(pairs.map((p) => p.parallel), pairs.map((p) => p.sequential));
  return {
    name: 'fleet',
    title: `6. \`workloads\`: the fleet plan of ${clusters} workload clusters vs its reads; ${upgrades} upgrades with --parallel 4 vs --parallel 1`,
    targets: [
      { what: `fleet plan (dry run, ${clusters} clusters) / the sum of its reads as journaled, median of the per-run ratios`, value: planRatio.toFixed(2), target: `≤ ${PLAN_TARGET}`, met: planRatio <= PLAN_TARGET },
      { what: `${upgrades} upgrades: --parallel 4 / --parallel 1 wall time, median of the per-round ratios`, value: parallelRatio.toFixed(2), target: `≤ ${PARALLEL_TARGET}`, met: parallelRatio <= PARALLEL_TARGET },
    ],
    sections: [
      [
        `${runs} rounds of the fleet plan, ${parallelRuns} round(s) of the upgrades (fake eksctl ${upgradeMs} ms each); ms, median (min–max).`,
        '',
        '| | ms |',
        '|---|---|',
        `| \`workloads --all --dry-run\`, ${clusters} clusters | ${fmt(plan.map((r) => r.ms))} |`,
        `| sum of its reads (journal), ${plan[0].reads} reads | ${fmt(plan.map((r) => r.floorMs))} |`,
        `| ${upgrades} upgrades, --parallel 1 | ${fmt(pairs.map((p) => p.sequential))} |`,
        `| ${upgrades} upgrades, --parallel 4 | ${fmt(pairs.map((p) => p.parallel))} |`,
        '',
        `Ratio of the medians: plan ${(median(plan.map((r) => r.ms)) / median(plan.map((r) => r.floorMs))).toFixed(2)}, parallel ${(median(pairs.map((p) => p.parallel)) / median(pairs.map((p) => p.sequential))).toFixed(2)}.`,
      ].join('\n'),
    ],
    data: { clusters, runs, upgrades, upgradeMs, parallelRuns, plan, pairs, loadAverage: loadAverage() },
  };
}

if (isMain(import.meta.url)) await runStandalone(fleet, cliOptions({ clusters: 200, runs: 3, upgrades: 8, upgradeMs: 20000, parallelRuns: 1 }));
