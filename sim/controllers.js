// Simulated controllers: after a write that bumps metadata.generation of a kind that has a controller,
// status.observedGeneration catches up, as CAPI, etcdadm and EKS-A controllers record it within seconds
// of a spec change. Here after `reconcileDelayMs` (0 = in the same write). Only observedGeneration (and
// the observedGeneration of metav1 conditions, and EKS-A's reconciled generations) move: conditions,
// replicas and versions stay as they are, so a spec change alone never makes anything Ready or unready.
//
// An object annotated `sim.eksa.aws/stuck: "true"` is never caught up (a controller that is wedged);
// removing the annotation releases it. Paused CAPI Clusters are caught up like any other: CAPI records
// observedGeneration for them too. Objects whose status has no observedGeneration (never reconciled, e.g.
// restored without status) are left alone.
export const STUCK_ANNOTATION = 'sim.eksa.aws/stuck';
export const DEFAULT_RECONCILE_DELAY_MS = 50;

const CONTROLLED = new Set([
  'cluster.x-k8s.io/Cluster', 'cluster.x-k8s.io/MachineDeployment', 'cluster.x-k8s.io/MachineSet',
  'cluster.x-k8s.io/Machine', 'cluster.x-k8s.io/MachineHealthCheck',
  'controlplane.cluster.x-k8s.io/KubeadmControlPlane',
  'bootstrap.cluster.x-k8s.io/KubeadmConfig', 'bootstrap.cluster.x-k8s.io/EtcdadmConfig',
  'etcdcluster.cluster.x-k8s.io/EtcdadmCluster',
  'anywhere.eks.amazonaws.com/Cluster',
  ...['VSphere', 'Tinkerbell', 'Nutanix', 'CloudStack', 'Snow', 'Docker'].flatMap((p) => [
    `anywhere.eks.amazonaws.com/${p}DatacenterConfig`, `anywhere.eks.amazonaws.com/${p}MachineConfig`,
  ]),
]);

/** True when a controller of this kind records observedGeneration. */
export const hasController = (info) => CONTROLLED.has(`${info.group}/${info.kind}`);

export const isStuck = (obj) => obj.metadata?.annotations?.[STUCK_ANNOTATION] === 'true';

/** True when the object's status lags its generation and a controller would catch it up. */
export function lagsBehind(obj) {
  const observed = obj.status?.observedGeneration;
  return typeof observed === 'number' && typeof obj.metadata?.generation === 'number' && observed < obj.metadata.generation;
}

const withGeneration = (conditions, generation) => (Array.isArray(conditions)
  ? conditions.map((c) => (c && typeof c === 'object' && 'observedGeneration' in c ? { ...c, observedGeneration: generation } : c))
  : conditions);

/** The status a controller leaves after reconciling the current generation. */
export function caughtUpStatus(obj) {
  const generation = obj.metadata.generation;
  const status = { ...obj.status, observedGeneration: generation };
  if (status.conditions) status.conditions = withGeneration(status.conditions, generation);
  if (status.v1beta2?.conditions) status.v1beta2 = { ...status.v1beta2, conditions: withGeneration(status.v1beta2.conditions, generation) };
  // EKS-A's cluster controller records both once a reconcile of this generation succeeded.
  for (const field of ['reconciledGeneration', 'childrenReconciledGeneration']) {
    if (typeof status[field] === 'number') status[field] = generation;
  }
  return status;
}

/**
 * Run the simulated controllers over a store until `stop()`.
 * @param {import('./store.js').ObjectStore} store
 * @param {{ reconcileDelayMs?: number }} [options]
 */
export function startControllers(store, { reconcileDelayMs = DEFAULT_RECONCILE_DELAY_MS } = {}) {
  const timers = new Map();
  const due = (info, obj) => hasController(info) && lagsBehind(obj) && !isStuck(obj);

  if (reconcileDelayMs === 0) {
    store.setGenerationHook((info, next) => {
      if (due(info, next)) next.status = caughtUpStatus(next);
    });
  }
  const catchUp = (info, namespace, name) => {
    const current = store.get(info, namespace, name);
    if (!current || !due(info, current)) return;
    store.update(info, namespace, name, { ...current, status: caughtUpStatus(current) }, { subresource: 'status' });
  };
  // Also catches what the write hook cannot: an object released from `stuck`, or a lag written by a client.
  const onChange = ({ type, info, object }) => {
    if (type !== 'MODIFIED' || !due(info, object)) return;
    const key = `${info.group}/${info.resource}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (timers.has(key)) return;
    const timer = setTimeout(() => {
      timers.delete(key);
      catchUp(info, object.metadata.namespace, object.metadata.name);
    }, reconcileDelayMs);
    timer.unref?.();
    timers.set(key, timer);
  };
  store.on('change', onChange);
  return {
    stop() {
      store.off('change', onChange);
      store.setGenerationHook(undefined);
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
