// checkProvisioningCompleted and checkClustersNotPaused of clusterctl's mover.go, over plain objects.
// The client reads Clusters through its own API version (contract); an object stored in the other shape is
// read the way the conversion webhook would hand it over, so either shape of scenario object works.

import { gvkString } from './go-style.js';

const PAUSED_ANNOTATION = 'cluster.x-k8s.io/paused';

function conditionTrue(conditions, type) {
  return (conditions ?? []).some((c) => c?.type === type && c?.status === 'True');
}

/** The fields the check reads, from a Cluster in either v1beta1 or v1beta2 shape. */
export function clusterView(obj) {
  const status = obj.status ?? {};
  const v1beta1Shaped = (obj.apiVersion ?? '').endsWith('/v1beta1');
  const cpRef = obj.spec?.controlPlaneRef;
  if (v1beta1Shaped) {
    return {
      infrastructureProvisioned: status.infrastructureReady === true,
      controlPlaneInitialized: status.controlPlaneReady === true,
      v1beta2Conditions: status.v1beta2?.conditions ?? status.conditions,
      v1beta1Conditions: status.conditions,
      controlPlaneRefDefined: Boolean(cpRef),
    };
  }
  return {
    infrastructureProvisioned: status.initialization?.infrastructureProvisioned === true,
    controlPlaneInitialized: status.initialization?.controlPlaneInitialized === true,
    v1beta2Conditions: status.conditions,
    v1beta1Conditions: status.deprecated?.v1beta1?.conditions ?? status.conditions,
    controlPlaneRefDefined: Boolean(cpRef?.name),
  };
}

/**
 * @param {any[]} clusters Cluster objects as read from the API
 * @param {any[]} machines Machine objects as read from the API
 * @param {{ contract: 'v1beta2'|'v1beta1', nodeRefCheck: 'never'|'non-etcd-machines' }} behaviour
 * @returns {string[]} one message per failing object, in the order clusterctl checks them
 */
export function provisioningErrors(clusters, machines, behaviour) {
  const errors = [];
  const clusterGvk = JSON.stringify(gvkString(`cluster.x-k8s.io/${behaviour.contract}`, 'Cluster'));
  const machineGvk = JSON.stringify(gvkString(`cluster.x-k8s.io/${behaviour.contract}`, 'Machine'));
  for (const c of clusters) {
    const id = `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`;
    const v = clusterView(c);
    const conditions = behaviour.contract === 'v1beta2' ? v.v1beta2Conditions : v.v1beta1Conditions;
    if (!v.infrastructureProvisioned) {
      errors.push(`cannot start the move operation while ${clusterGvk} ${id} is still provisioning the infrastructure`);
    } else if (!conditionTrue(conditions, 'ControlPlaneInitialized')) {
      errors.push(`cannot start the move operation while the control plane for ${clusterGvk} ${id} is not yet initialized`);
    } else if (v.controlPlaneRefDefined && !v.controlPlaneInitialized) {
      const state = behaviour.contract === 'v1beta2' ? 'initialized' : 'ready';
      errors.push(`cannot start the move operation while the control plane for ${clusterGvk} ${id} is not yet ${state}`);
    }
  }
  if (behaviour.nodeRefCheck === 'non-etcd-machines') {
    for (const m of machines) {
      const isEtcdMachine = 'cluster.x-k8s.io/etcd-cluster' in (m.metadata?.labels ?? {});
      const nodeRef = m.status?.nodeRef;
      const hasNodeRef = (m.apiVersion ?? '').endsWith('/v1beta1') ? Boolean(nodeRef) : Boolean(nodeRef?.name);
      if (!hasNodeRef && !isEtcdMachine) {
        const id = `${m.metadata?.namespace ?? ''}/${m.metadata?.name ?? ''}`;
        errors.push(`cannot start the move operation while ${machineGvk} ${id} is still provisioning the node`);
      }
    }
  }
  return errors;
}

/** `ns/name` of every Cluster with spec.paused or the cluster.x-k8s.io/paused annotation. */
export function pausedClusters(clusters) {
  return clusters
    .filter((c) => c.spec?.paused === true || PAUSED_ANNOTATION in (c.metadata?.annotations ?? {}))
    .map((c) => `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`);
}

/** `ns/name` of every ClusterClass with the paused annotation. */
export function pausedClusterClasses(classes) {
  return classes
    .filter((c) => PAUSED_ANNOTATION in (c.metadata?.annotations ?? {}))
    .map((c) => `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`);
}

export { PAUSED_ANNOTATION };
