// Building blocks for generated objects: metadata, owner references, conditions in both CAPI shapes.
import { uidFor } from './ids.js';
import { tracksGeneration } from '../store.js';

export const SYSTEM_NS = 'eksa-system';
export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

/**
 * One object with full metadata. `generation` starts at 1 and status.observedGeneration follows it
 * (set by the callers), which is what a settled controller leaves behind.
 */
export function makeObject(ctx, apiVersion, kind, name, namespace, { labels, annotations, ownerReferences } = {}, body = {}) {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      uid: uidFor(ctx.seed, group, kind, namespace ?? '', name),
      creationTimestamp: ctx.created,
      // Built-in kinds (Secret, Namespace, …) carry no generation; custom resources start at 1.
      ...(tracksGeneration({ group }) ? { generation: 1 } : {}),
      ...(labels && Object.keys(labels).length ? { labels } : {}),
      ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
      ...(ownerReferences?.length ? { ownerReferences } : {}),
    },
    ...body,
  };
}

/** An ownerReference to `owner`; `controller` marks the managing owner (MachineSet of a Machine, …). */
export function ownerRef(owner, controller = false) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    ...(controller ? { controller: true, blockOwnerDeletion: true } : { blockOwnerDeletion: true }),
  };
}

/**
 * CAPI v1beta1 / EKS-A conditions (`clusterv1beta1.Condition`): severity and reason only when not True.
 * @param {string} time
 * @param {Array<string | { type: string, status?: string, reason?: string, message?: string, severity?: string }>} list
 */
export function v1beta1Conditions(time, list) {
  return list.map((c) => {
    const { type, status = 'True', reason, message, severity } = typeof c === 'string' ? { type: c } : c;
    return {
      type,
      status,
      lastTransitionTime: time,
      ...(status !== 'True' ? { severity: severity ?? (status === 'False' ? 'Info' : ''), reason: reason ?? '' } : {}),
      ...(status !== 'True' && message ? { message } : {}),
    };
  });
}

/**
 * CAPI v1beta2 conditions (`metav1.Condition`): every entry has reason, message and observedGeneration.
 * @param {string} time
 * @param {number} generation
 * @param {Array<[type: string, status: 'True' | 'False' | 'Unknown', reason: string, message?: string]>} list
 */
export function v1beta2Conditions(time, generation, list) {
  return list.map(([type, status, reason, message = '']) => ({
    type, status, observedGeneration: generation, lastTransitionTime: time, reason, message,
  }));
}

/** `apiGroup` references of CAPI v1beta2 (`ContractVersionedObjectReference`). */
export function refV1beta2(apiVersion, kind, name) {
  return { apiGroup: apiVersion.split('/')[0], kind, name };
}

/** Full `ObjectReference`s of CAPI v1beta1. */
export function refV1beta1(apiVersion, kind, name, namespace = SYSTEM_NS) {
  return { apiVersion, kind, name, namespace };
}

/** apiVersions of the CAPI kinds whose version follows the cluster's shape. */
export function apiVersions(shape) {
  return {
    capi: `cluster.x-k8s.io/${shape}`,
    kcp: `controlplane.cluster.x-k8s.io/${shape}`,
    bootstrap: `bootstrap.cluster.x-k8s.io/${shape}`,
  };
}

/** A reference in the shape's style: `{apiGroup, kind, name}` (v1beta2) or a full ObjectReference (v1beta1). */
export const refFor = (shape) => (apiVersion, kind, name) => (shape === 'v1beta2'
  ? refV1beta2(apiVersion, kind, name)
  : refV1beta1(apiVersion, kind, name));

