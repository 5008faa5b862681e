// The cluster upgrade proper, as the scenario scripts it (`eksctl.upgrade.outcome`):
//   succeed               apply the spec, drive the rollout over durationMs, wait until the EKS-A Cluster has
//                         observed its generation and every condition is True, then carry on
//   succeed-async         apply the spec and hand the rollout to the server's controllers (EKS-A v0.18+ keeps
//                         reconciling after the CLI exits): the CLI carries on at once
//   fail                  roll half-way, then fail like the applier's wait does, cluster left Ready False
//   hang                  roll half-way, then wait forever (until SIGINT/SIGTERM)
//   exit-early-not-ready  roll half-way, then carry on as if it had worked: Ready stays False
// A spec that changes nothing (no new generation) rolls nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import { driveUpgrade, EKSA_CLUSTER } from '../upgrade/drive.js';
import { applySpec, waitForCluster, waitingFor } from './apply.js';
import { EksctlError } from './context.js';
import { EKSCTL_ERROR_EXIT } from './config.js';

const FOREVER_MS = 2 ** 31 - 1;

/**
 * @param {{ api: import('../upgrade/api.js').UpgradeApi, server: string, docs: any[], name: string, cliVersion: string,
 *   script: { outcome: string, durationMs: number, failMessage?: string, exitCode?: number }, log: import('./log.js').EksaLogger }} input
 */
export async function rollout({ api, server, docs, name, cliVersion, script, log }) {
  // The EKS-A Cluster lives in the spec's namespace (`default` unless it says otherwise).
  const namespace = docs.find((d) => d.kind === 'Cluster')?.metadata?.namespace ?? 'default';
  log.v(3, 'Applying cluster spec');
  const { before, after } = await applySpec(api, docs, cliVersion);
  const changed = before && after && after.metadata.generation !== before.metadata.generation;
  const { outcome, durationMs } = script;
  if (outcome === 'succeed-async') {
    if (changed) await startServerUpgrade(server, name, namespace, durationMs);
    return;
  }
  const until = outcome === 'succeed' ? 'end' : 'midpoint';
  if (changed) await driveUpgrade(api, { name, namespace, durationMs, until });
  if (outcome === 'succeed') {
    log.v(3, 'Waiting for cluster changes to be completed');
    await waitForCluster(api, name, { namespace });
  } else if (outcome === 'fail') {
    const cluster = await api.get(EKSA_CLUSTER, namespace, name);
    throw new EksctlError(script.failMessage ?? (cluster && waitingFor(cluster)) ?? 'waiting for cluster to be ready: timed out', script.exitCode ?? EKSCTL_ERROR_EXIT);
  } else if (outcome === 'hang') {
    for (;;) await sleep(FOREVER_MS);
  }
}

async function startServerUpgrade(server, cluster, namespace, durationMs) {
  const response = await fetch(`${server}/__sim/upgrades`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ cluster, namespace, durationMs }),
  });
  if (!response.ok) throw new EksctlError(`fake eksctl: the simulator refused the upgrade: ${await response.text()}`);
}
