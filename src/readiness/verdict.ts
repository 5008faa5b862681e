import type { ClusterObjects, Inventory } from '../kube/types.js';
import { capiClusterReasons, eksaClusterReasons, pausedReason, pauseState } from './cluster-checks.js';
import { nonEmptyString } from './conditions.js';
import { controlPlaneReasons, etcdReasons, machineReasons, workerReasons } from './machine-checks.js';
import { EKSA_SYSTEM_NAMESPACE, type Reason } from './reason.js';

export type { Reason, ReasonCode } from './reason.js';

export type ClusterRole = 'management' | 'workload';

export interface ClusterVerdict {
  readonly name: string;
  readonly role: ClusterRole;
  /** Namespace of the EKS-A Cluster object. */
  readonly namespace: string;
  /** Current `spec.kubernetesVersion` of the EKS-A Cluster. */
  readonly kubernetesVersion?: string;
  /** Current `spec.eksaVersion` of the EKS-A Cluster. */
  readonly eksaVersion?: string;
  /** True only when `reasons` is empty. */
  readonly ready: boolean;
  readonly paused: { readonly eksa: boolean; readonly capi: boolean };
  /** Every cause found, not just the first: the operator fixes them all before the next run. */
  readonly reasons: readonly Reason[];
}

/** The readiness of one cluster from its objects alone; every failing check becomes a named reason. */
export function judgeCluster(c: ClusterObjects, role: ClusterRole): ClusterVerdict {
  const capiNamespace = c.capi?.metadata.namespace ?? EKSA_SYSTEM_NAMESPACE;
  const paused = pauseState(c);
  const pause = pausedReason(c, paused);
  const reasons: Reason[] = [
    ...eksaClusterReasons(c.eksa),
    ...(pause ? [pause] : []),
    ...capiClusterReasons(c, capiNamespace),
    ...controlPlaneReasons(c, capiNamespace),
    ...etcdReasons(c, capiNamespace),
    ...workerReasons(c, capiNamespace),
    ...machineReasons(c),
  ];
  const verdict: ClusterVerdict = {
    name: c.name,
    role,
    namespace: c.eksa.metadata.namespace ?? 'default',
    ready: reasons.length === 0,
    paused,
    reasons,
  };
  const kubernetesVersion = nonEmptyString(c.eksa.spec?.kubernetesVersion);
  const eksaVersion = nonEmptyString(c.eksa.spec?.eksaVersion);
  return {
    ...verdict,
    ...(kubernetesVersion === undefined ? {} : { kubernetesVersion }),
    ...(eksaVersion === undefined ? {} : { eksaVersion }),
  };
}

/** A verdict for every cluster of the tree: the management cluster first, then workloads by name. */
export function judgeTree(inventory: Inventory): ClusterVerdict[] {
  const management = inventory.clusters.filter((c) => c.name === inventory.management);
  const workloads = inventory.clusters
    .filter((c) => c.name !== inventory.management)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...management.map((c) => judgeCluster(c, 'management')), ...workloads.map((c) => judgeCluster(c, 'workload'))];
}
