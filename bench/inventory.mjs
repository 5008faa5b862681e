#!/usr/bin/env node
// Gate cost at fleet scale: `preflight --output json` against the floor it cannot beat, a bare
// `kubectl get` of the same kinds, on the same simulated API server in the same run.
// Usage: node bench/inventory.mjs [--workloads 500] [--runs 5]   (needs `npm run build` first)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { simEnv, startSimServer, writeClusterFiles, resolveScenarioPath } from '../sim/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { workloads: { type: 'string', default: '500' }, runs: { type: 'string', default: '5' } } });
const workloads = Number(values.workloads);
const runs = Number(values.runs);
const { inventoryKinds } = await import(path.join(root, 'dist', 'kube', 'kinds.js'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const workdir = mkdtempSync(path.join(tmpdir(), 'bench-inventory-'));
const scenarioFile = resolveScenarioPath('healthy');
const server = await startSimServer({ scenario: scenarioFile, workloads });
try {
  writeClusterFiles(workdir, server.scenario, server.url);
  const env = { ...process.env, ...simEnv({ workdir, url: server.url, scenarioFile, management: server.scenario.management }), CI: '1' };
  const spec = path.join(workdir, 'mgmt', 'mgmt-eks-a-cluster.yaml');
  const kubeconfig = path.join(workdir, 'mgmt', 'mgmt-eks-a-cluster.kubeconfig');
  const floorArgs = ['--kubeconfig', kubeconfig, '--request-timeout=30s', 'get', inventoryKinds('vsphere').join(','), '--all-namespaces', '-o', 'json'];
  // The server runs in this process: children must not block it, so run them asynchronously via a helper.
  const runChild = (file, args) =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      import('node:child_process').then(({ execFile }) =>
        execFile(file, args, { env, cwd: workdir, maxBuffer: 1 << 30 }, (error) => {
          if (error && error.code !== 0) return reject(error);
          resolve(Number(process.hrtime.bigint() - started) / 1e6);
        }),
      );
    });
  await runChild('kubectl', floorArgs); // warm kubectl's discovery cache for both
  const ours = [];
  const floor = [];
  for (let i = 0; i < runs; i++) {
    floor.push(await runChild('kubectl', floorArgs));
    ours.push(await runChild(process.execPath, [path.join(root, 'bin', 'eksa-safe-upgrade.js'), 'preflight', '-f', spec, '--output', 'json']));
  }
  const ratio = median(ours) / median(floor);
  const fmt = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  console.log(`inventory bench: ${workloads} workload clusters, ${runs} runs each`);
  console.log(`  floor  kubectl get (same kinds): ${fmt(floor)}`);
  console.log(`  ours   preflight --output json:  ${fmt(ours)}`);
  console.log(`  ratio ${ratio.toFixed(2)} (target <= 1.5): ${ratio <= 1.5 ? 'met' : 'MISSED'}`);
  process.exitCode = ratio <= 1.5 ? 0 : 1;
} finally {
  await server.close();
  rmSync(workdir, { recursive: true, force: true });
}
