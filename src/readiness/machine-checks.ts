import type { ClusterObjects, KubeObject } from '../kube/types.js';
import {
  conditionProblem,
  describeCondition,
  describeFailure,
  describeGenerationLag,
  describePhase,
  failureOf,
  findCondition,
  generationLag,
  isRecord,
  isTrue,
  shapeOf,
  statusField,
} from './conditions.js';
import { missingRef, objectRef, reason, type Reason } from './reason.js';
import { currentReplicas, desiredReplicas, replicaCount } from './replicas.js';

/** The EKS-A Cluster's `spec.controlPlaneConfiguration.count`, when it is an integer. */
function eksaControlPlaneCount(eksa: KubeObject): number | undefined {
  const count = eksa.spec?.controlPlaneConfiguration?.count;
  return typeof count === 'number' && Number.isInteger(count) ? count : undefined;
}

/**
 * KubeadmControlPlane, judged on the CAPI object itself (the EKS-A Ready condition can be stale: the EKS-A
 * controller watches no CAPI kind). Every rule of EKS-A's ControlPlaneReady, in its order (aws/eks-anywhere
 * `pkg/controller/clusters/status.go` `updateControlPlaneReadyCondition`): observedGeneration != generation;
 * replicas − upToDate > 0; replicas ≠ the EKS-A count (scaling up/down); ready ≠ the EKS-A count;
 * `ControlPlaneComponentsHealthy` False; `Available` (v1beta1 `Ready`) False. EKS-A's preflight also asks
 * `readyReplicas == replicas`; a backup taken mid-rollout needs no surplus machine either.
 */
export function controlPlaneReasons(c: ClusterObjects, namespace: string): Reason[] {
  const kcp = c.controlPlane;
  if (!kcp) return [reason('control-plane-not-ready', missingRef('KubeadmControlPlane', namespace, c.name), 'not found')];
  const ref = objectRef(kcp);
  const out: Reason[] = [];
  const failure = failureOf(kcp);
  if (failure) out.push(reason('failure-message', ref, describeFailure(failure)));

  const desired = desiredReplicas(kcp) ?? 1; // the CAPI webhook defaults KCP replicas to 1
  const current = currentReplicas(kcp);
  const ready = replicaCount(kcp, 'ready');
  const upToDate = replicaCount(kcp, 'upToDate');
  const problems: string[] = [];
  if (current !== desired) problems.push(`${current} machines for ${desired} desired`);
  const lag = generationLag(kcp);
  if (lag) problems.push(describeGenerationLag(lag));
  // EKS-A holds the counts to its own spec, not the KCP's (ScalingUp, ScalingDown, NodesNotReady).
  const count = eksaControlPlaneCount(c.eksa);
  if (count !== undefined && count !== desired && (current !== count || ready !== count)) {
    problems.push(`${current} machines and ${ready} ready for EKS-A controlPlaneConfiguration.count ${count}`);
  }
  // ControlPlaneComponentsHealthy: only False counts, as in EKS-A (ControlPlaneComponentsUnhealthy).
  const components = findCondition(kcp, 'ControlPlaneComponentsHealthy');
  if (components?.status === 'False') problems.push(describeCondition('ControlPlaneComponentsHealthy', components));
  if (shapeOf(kcp) === 'v1beta2') {
    if (statusField(kcp, 'initialization', 'controlPlaneInitialized') !== true) problems.push('not initialized');
    conditionProblem(kcp, 'Available', problems);
  } else {
    if (statusField(kcp, 'initialized') !== true) problems.push('not initialized');
    if (statusField(kcp, 'ready') !== true) problems.push('status.ready is not true');
    conditionProblem(kcp, 'Ready', problems);
  }
  if (problems.length > 0 || ready < desired || upToDate < desired) {
    const counts = `${ready}/${desired} replicas ready, ${upToDate}/${desired} up to date`;
    out.push(reason('control-plane-not-ready', ref, [counts, ...problems].join(', ')));
  }
  return out;
}

/**
 * EtcdadmCluster, by EKS-A's own rule (`pkg/controller/clusters/controlplane.go` `etcdadmClusterReady`, called
 * first by `status.go` `updateConditionsForEtcdAndControlPlane`): `generation == status.observedGeneration && status.ready`. Its Ready
 * condition is deliberately ignored: it only turns True once old members are deleted after an upgrade.
 * External etcd configured on the EKS-A Cluster without an EtcdadmCluster is not ready either.
 */
export function etcdReasons(c: ClusterObjects, namespace: string): Reason[] {
  const etcd = c.etcd;
  if (!etcd) {
    if (!isRecord(c.eksa.spec?.externalEtcdConfiguration)) return [];
    const ref = missingRef('EtcdadmCluster', namespace, `${c.name}-etcd`);
    return [reason('etcd-not-ready', ref, 'not found, but the EKS-A Cluster configures external etcd')];
  }
  const problems: string[] = [];
  if (statusField(etcd, 'ready') !== true) problems.push('status.ready is not true');
  const lag = generationLag(etcd);
  if (lag) problems.push(describeGenerationLag(lag));
  if (problems.length === 0) return [];
  // status.replicas of an EtcdadmCluster is its count of ready members.
  const desired = desiredReplicas(etcd);
  const counts = desired === undefined ? [] : [`${currentReplicas(etcd)}/${desired} members ready`];
  return [reason('etcd-not-ready', objectRef(etcd), [...counts, ...problems].join(', '))];
}

/** Names of the worker node groups on the EKS-A Cluster spec. */
function workerGroupNames(eksa: KubeObject): string[] {
  const groups = eksa.spec?.workerNodeGroupConfigurations;
  if (!Array.isArray(groups)) return [];
  return groups.flatMap((g: unknown) => (isRecord(g) && typeof g.name === 'string' ? [g.name] : []));
}

/** The cluster-autoscaler annotation EKS-A leaves out of its worker totals (`pkg/clusterapi/autoscaler.go`). */
export const AUTOSCALER_MIN_SIZE_ANNOTATION = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size';

function optionalCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * EKS-A's WorkersReady over the whole cluster, in its order (aws/eks-anywhere
 * `pkg/controller/clusters/status.go` `updateWorkersReadyCondition`): totals across MachineDeployments
 * without the autoscaler min-size annotation against the summed `count` of the groups without
 * `autoscalingConfiguration` (outdated, scaling up, scaling down, ready); then the autoscaled groups'
 * min/max, which EKS-A keys by the group's name but looks up by the MachineDeployment's name
 * (`<cluster>-<group>`), so it only fires when the two coincide — followed as it behaves; then any
 * MachineDeployment whose own Ready condition is False. Undefined when EKS-A would call the workers ready.
 * (observedGeneration != generation is judged per MachineDeployment by `workerReasons`.)
 */
export function workerTotalsProblem(eksa: KubeObject, machineDeployments: readonly KubeObject[]): string | undefined {
  const groups = Array.isArray(eksa.spec?.workerNodeGroupConfigurations) ? (eksa.spec!.workerNodeGroupConfigurations as unknown[]) : [];
  let expected = 0;
  const autoscaled = new Map<string, { min: number; max: number }>();
  for (const g of groups) {
    if (!isRecord(g)) continue;
    if (isRecord(g.autoscalingConfiguration)) {
      if (typeof g.name === 'string') {
        autoscaled.set(g.name, { min: optionalCount(g.autoscalingConfiguration.minCount) ?? 0, max: optionalCount(g.autoscalingConfiguration.maxCount) ?? 0 });
      }
    } else {
      expected += optionalCount(g.count) ?? 1; // EKS-A defaults an absent count to 1 (setWorkerNodeGroupDefaults)
    }
  }
  let total = 0;
  let upToDate = 0;
  let ready = 0;
  for (const md of machineDeployments) {
    if (Object.hasOwn(md.metadata.annotations ?? {}, AUTOSCALER_MIN_SIZE_ANNOTATION)) continue;
    total += currentReplicas(md);
    upToDate += replicaCount(md, 'upToDate');
    ready += replicaCount(md, 'ready');
  }
  if (total - upToDate > 0) return `worker nodes not up to date yet, ${total} upgrading (${upToDate} up to date)`;
  if (total < expected) return `scaling up worker nodes, ${expected} expected by the worker node groups' count (${total} actual)`;
  if (total > expected) return `scaling down worker nodes, ${expected} expected by the worker node groups' count (${total} actual)`;
  if (ready !== expected) return `worker nodes not ready yet, ${expected} expected (${ready} ready)`;
  for (const md of machineDeployments) {
    const range = autoscaled.get(md.metadata.name);
    const replicas = currentReplicas(md);
    if (range && (replicas < range.min || replicas > range.max)) {
      return `worker nodes count for ${md.metadata.name} not between ${range.min} and ${range.max} yet (${replicas} actual)`;
    }
  }
  for (const md of machineDeployments) {
    const mdReady = findCondition(md, 'Ready');
    if (mdReady?.status === 'False') return `MachineDeployment ${md.metadata.name}: ${describeCondition('Ready', mdReady)}`;
  }
  return undefined;
}

/**
 * MachineDeployments, each judged on its own (EKS-A's preflight `worker nodes ready`: phase Running,
 * available and ready == replicas; status.go: observedGeneration != generation, Ready False), then EKS-A's
 * totals (`workerTotalsProblem`). A rollout is in flight while any count trails spec.replicas, surplus machines
 * exist, the phase is not Running or the controller has not seen the latest spec. EKS-A names each
 * one `<cluster>-<worker group>`; a worker group without one is still being created.
 */
export function workerReasons(c: ClusterObjects, namespace: string): Reason[] {
  const out: Reason[] = [];
  const existing = new Set(c.machineDeployments.map((md) => md.metadata.name));
  for (const group of workerGroupNames(c.eksa)) {
    const name = `${c.name}-${group}`;
    if (!existing.has(name)) {
      out.push(reason('workers-rolling-out', missingRef('MachineDeployment', namespace, name), `not found for worker node group ${group}`));
    }
  }
  for (const md of c.machineDeployments) {
    const current = currentReplicas(md);
    const desired = desiredReplicas(md) ?? current;
    const ready = replicaCount(md, 'ready');
    const available = replicaCount(md, 'available');
    const upToDate = replicaCount(md, 'upToDate');
    const problems: string[] = [];
    if (current !== desired) problems.push(`${current} machines for ${desired} desired`);
    const phase = statusField(md, 'phase');
    if (phase !== 'Running') problems.push(describePhase(phase));
    const lag = generationLag(md);
    if (lag) problems.push(describeGenerationLag(lag));
    // EKS-A's last WorkersReady rule: the MachineDeployment's own Ready condition False (MachineDeploymentNotReady).
    const mdReady = findCondition(md, 'Ready');
    if (mdReady?.status === 'False') problems.push(describeCondition('Ready', mdReady));
    if (problems.length > 0 || ready < desired || available < desired || upToDate < desired) {
      const counts = `${ready}/${desired} ready, ${available}/${desired} available, ${upToDate}/${desired} up to date`;
      out.push(reason('workers-rolling-out', objectRef(md), [counts, ...problems].join(', ')));
    }
  }
  // Per MachineDeployment all is well, yet EKS-A may still hold the totals against its own worker counts.
  if (out.length === 0) {
    const totals = workerTotalsProblem(c.eksa, c.machineDeployments);
    if (totals) out.push(reason('workers-rolling-out', objectRef(c.eksa), totals));
  }
  return out;
}

/**
 * Machines: failed ones, and every one not Running, which includes machines still provisioning or being
 * deleted by a rollout (EKS-A's patched CAPI marks etcd machines Running too), and every one whose
 * node is not healthy.
 */
export function machineReasons(c: ClusterObjects): Reason[] {
  const out: Reason[] = [];
  for (const machine of c.machines) {
    const problems: string[] = [];
    const phase = statusField(machine, 'phase');
    if (phase !== 'Running') problems.push(`${describePhase(phase)}, not Running`);
    const failure = failureOf(machine);
    if (failure) problems.push(describeFailure(failure));
    const nodeHealthy = findCondition(machine, 'NodeHealthy');
    // Absent on etcd machines, which have no Node; present and not True means the node is in trouble.
    if (nodeHealthy !== undefined && !isTrue(nodeHealthy)) problems.push(describeCondition('NodeHealthy', nodeHealthy));
    if (problems.length > 0) out.push(reason('machine-failed', objectRef(machine), problems.join(', ')));
  }
  return out;
}
