// Drives one cluster through its upgrade steps over an UpgradeApi, spread over `durationMs`. Used by the
// fake eksctl (synchronous upgrades, over REST) and by the server (EKS-A v0.18+ controllers finishing an
// upgrade after the CLI exited). While the cluster is paused (CAPI `spec.paused` or the paused annotation,
// or EKS-A's `anywhere.eks.amazonaws.com/paused`) no step is taken, as the real controllers stand still.
import { setTimeout as sleep } from 'node:timers/promises';
import { upgradeSteps, midpoint } from './progression.js';
import { timestamp } from '../store.js';
import { PAUSED_ANNOTATION } from '../fakes/provisioning.js';

export const EKSA_CLUSTER = 'Cluster.anywhere.eks.amazonaws.com';
export const CAPI_CLUSTER = 'Cluster.cluster.x-k8s.io';
export const SYSTEM_NS = 'eksa-system';
const PAUSE_POLL_MS = 25;

/** Everything of cluster `name` the steps touch, read fresh. */
export async function readClusterTree(api, name, namespace = 'default') {
  const selector = `cluster.x-k8s.io/cluster-name=${name}`;
  const eksa = await api.get(EKSA_CLUSTER, namespace, name);
  if (!eksa) throw new Error(`clusters.anywhere.eks.amazonaws.com "${name}" not found`);
  const capi = await api.get(CAPI_CLUSTER, SYSTEM_NS, name);
  if (!capi) throw new Error(`clusters.cluster.x-k8s.io "${name}" not found`);
  const kcp = await api.get('kcp', SYSTEM_NS, capi.spec?.controlPlaneRef?.name ?? name);
  if (!kcp) throw new Error(`kubeadmcontrolplanes.controlplane.cluster.x-k8s.io "${name}" not found`);
  const etcdName = capi.spec?.managedExternalEtcdRef?.name;
  const etcd = etcdName ? await api.get('etcdadmclusters', SYSTEM_NS, etcdName) : undefined;
  const [mds, machineSets, machines] = await Promise.all(['machinedeployments', 'machinesets', 'machines']
    .map((kind) => api.list(kind, { namespace: SYSTEM_NS, labelSelector: selector })));
  return { eksa, capi, kcp, etcd, mds, machineSets, machines };
}

async function isPaused(api, name, namespace) {
  const [capi, eksa] = await Promise.all([api.get(CAPI_CLUSTER, SYSTEM_NS, name), api.get(EKSA_CLUSTER, namespace, name)]);
  return capi?.spec?.paused === true || PAUSED_ANNOTATION in (capi?.metadata?.annotations ?? {})
    || eksa?.metadata?.annotations?.['anywhere.eks.amazonaws.com/paused'] === 'true';
}

async function apply(api, op) {
  let current;
  if (op.metadata || op.spec) {
    current = await api.patch(op.kind, op.namespace, op.name, { ...(op.metadata ? { metadata: op.metadata } : {}), ...(op.spec ? { spec: op.spec } : {}) });
  }
  if (op.status) {
    current ??= await api.get(op.kind, op.namespace, op.name);
    if (current) await api.patch(op.kind, op.namespace, op.name, { status: op.status(current, timestamp()) }, { status: true });
  }
}

/**
 * @param {import('./api.js').UpgradeApi} api
 * @param {{ name: string, namespace?: string, durationMs: number, until?: 'end' | 'midpoint', signal?: AbortSignal,
 *   onStep?: (label: string, index: number, total: number) => void }} options
 * @returns {Promise<{ total: number, applied: number }>} resolves once the last step is applied
 */
export async function driveUpgrade(api, { name, namespace = 'default', durationMs, until = 'end', signal, onStep }) {
  const steps = upgradeSteps(await readClusterTree(api, name, namespace));
  const last = until === 'midpoint' ? midpoint(steps) : steps.length;
  const pause = steps.length > 1 ? durationMs / (steps.length - 1) : 0;
  for (let i = 0; i < last; i += 1) {
    if (i > 0 && pause > 0) await sleep(pause, undefined, { signal });
    while (await isPaused(api, name, namespace)) await sleep(PAUSE_POLL_MS, undefined, { signal });
    signal?.throwIfAborted();
    const step = /** @type {import('./progression.js').Step} */ (steps[i]);
    for (const op of step.ops) await apply(api, op);
    onStep?.(step.label, i, steps.length);
  }
  return { total: steps.length, applied: last };
}
