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

/**
 * KubeadmControlPlane. EKS-A's preflight asks `observedGeneration == generation && readyReplicas == replicas`;
 * a backup taken mid-rollout also needs every replica up to date and no surplus machine, and the
 * summary condition (v1beta2 `Available`, v1beta1 `Ready`) True.
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
 * EtcdadmCluster, by EKS-A's own rule: `generation == status.observedGeneration && status.ready`. Its Ready
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

/**
 * MachineDeployments: a rollout is in flight while any count trails spec.replicas, surplus machines
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
    if (problems.length > 0 || ready < desired || available < desired || upToDate < desired) {
      const counts = `${ready}/${desired} ready, ${available}/${desired} available, ${upToDate}/${desired} up to date`;
      out.push(reason('workers-rolling-out', objectRef(md), [counts, ...problems].join(', ')));
    }
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
