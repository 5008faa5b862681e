// The CAPI backup the real CLI takes before it upgrades (pkg/executables/clusterctl.go BackupManagement):
// `mkdir -p ./<mgmt>/<dir>` and `clusterctl move --to-directory … --namespace eksa-system --filter-cluster N`.
// The directory `<cluster>-backup-<2006-01-02T15_04_05>` is removed after a successful upgrade and survives a
// failed one. Two ways (scenario `eksctl.upgrade.capiBackup`):
//   simulated (default)  what the move does to the cluster, through the API and in a few milliseconds: refuse
//                        paused Clusters (clusterctl v1.12+), pause the covered Clusters, resume them; the
//                        directory is created but stays empty
//   clusterctl           run the clusterctl on PATH (the simulator's fake): files written, the scenario's
//                        `clusterctl:` faults apply, 2-4 s
// A management upgrade also pauses every workload CAPI Cluster for its duration and then resumes them all
// with `{"spec":{"paused":null}}`, whatever their pause state was before.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CAPI_CLUSTER, SYSTEM_NS } from '../upgrade/drive.js';
import { EksctlError } from './context.js';
import { goStamp } from './log.js';
import { pausedClusters } from '../fakes/provisioning.js';

/** `<cluster>-backup-<time>`, named when the task runner starts. */
export const backupDirName = (clusterName, date = new Date()) => `${clusterName}-backup-${goStamp(date)}`;

function clusterctlMove(args, { cwd, env }) {
  return new Promise((resolve) => {
    const child = spawn('clusterctl', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', (e) => resolve({ code: 127, output: e.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The cluster-side effect of `clusterctl move --to-directory`: pause, then resume, the covered Clusters. */
async function simulatedMove(api, filterCluster) {
  const clusters = (await api.list(CAPI_CLUSTER, { namespace: SYSTEM_NS })).filter((c) => !filterCluster || c.metadata.name === filterCluster);
  // Listed in SYSTEM_NS, so pausedClusters' `ns/name` is `eksa-system/<name>`.
  const paused = pausedClusters(clusters);
  if (paused.length) throw new EksctlError(`failed taking backup of CAPI objects: executing clusterctl: Error: cannot start operation while the following Clusters are paused: ${paused.join(', ')}`);
  for (const value of [true, null]) {
    for (const c of clusters) await api.patch(CAPI_CLUSTER, SYSTEM_NS, c.metadata.name, { spec: { paused: value } });
  }
}

/**
 * BackupManagement. `filterCluster` '' backs up everything (the management upgrade's first try).
 * @returns {Promise<string>} the directory, relative to cwd
 */
export async function backupCapi({ mode, api, managementName, managementKubeconfig, dirName, filterCluster, cwd, env }) {
  const dir = path.join('.', managementName, dirName);
  fs.mkdirSync(path.resolve(cwd, dir), { recursive: true });
  if (mode !== 'clusterctl') {
    await simulatedMove(api, filterCluster);
    return dir;
  }
  const { code, output } = await clusterctlMove(
    ['move', '--to-directory', dir, '--kubeconfig', managementKubeconfig, '--namespace', SYSTEM_NS, '--filter-cluster', filterCluster],
    { cwd, env },
  );
  if (code !== 0) {
    const last = output.trim().split('\n').filter((l) => l.trim() !== '').at(-1) ?? `exit status ${code}`;
    throw new EksctlError(`failed taking backup of CAPI objects: executing clusterctl: ${last}`);
  }
  return dir;
}

/** PauseCAPIWorkloadClusters / ResumeCAPIWorkloadClusters: every CAPI Cluster but the management one. */
export async function setWorkloadsPaused(api, managementName, paused) {
  for (const c of await api.list(CAPI_CLUSTER, { namespace: SYSTEM_NS })) {
    if (c.metadata.name === managementName) continue;
    await api.patch(CAPI_CLUSTER, SYSTEM_NS, c.metadata.name, { spec: { paused: paused ? true : null } });
  }
}

/** postClusterUpgrade: os.RemoveAll(<mgmt>/<dir>). */
export function removeBackup(cwd, dir) {
  fs.rmSync(path.resolve(cwd, dir), { recursive: true, force: true });
}
