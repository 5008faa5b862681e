import { EKSA_GROUP } from '../kube/kinds.js';
import type { KubeObject } from '../kube/types.js';

export type ReasonCode =
  | 'eksa-not-ready'
  | 'failure-message'
  | 'generation-behind'
  | 'paused'
  | 'capi-cluster-missing'
  | 'capi-not-provisioned'
  | 'control-plane-not-ready'
  | 'etcd-not-ready'
  | 'workers-rolling-out'
  | 'machine-failed'
  // The air-gapped and GitOps checks of the gate (src/steps/airgap.ts, src/steps/gitops.ts).
  | 'images-missing'
  | 'gitops-suspended'
  | 'gitops-not-ready';

/** One named cause of a cluster not being ready. */
export interface Reason {
  readonly code: ReasonCode;
  /** The object it was read from, e.g. `KubeadmControlPlane eksa-system/w02`. */
  readonly object: string;
  /** One human line that starts with the object and carries the condition message or the counts. */
  readonly message: string;
}

/** The CAPI objects of EKS-A clusters live here (EKS-A `constants.EksaSystemNamespace`). */
export const EKSA_SYSTEM_NAMESPACE = 'eksa-system';

const CAPI_GROUP = 'cluster.x-k8s.io';

// Both APIs have a kind `Cluster`; the reader must be told which one a reason is about.
function kindLabel(apiVersion: string, kind: string): string {
  if (kind !== 'Cluster') return kind;
  // Not groupOf: that reads a slash-less apiVersion as the core group, this reads it as the group.
  const group = apiVersion.split('/')[0];
  if (group === EKSA_GROUP) return 'EKS-A Cluster';
  if (group === CAPI_GROUP) return 'CAPI Cluster';
  return kind;
}

/** `Kind namespace/name`, the way reasons name an object. */
export function objectRef(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return `${kindLabel(obj.apiVersion, obj.kind)} ${ns ? `${ns}/` : ''}${obj.metadata.name}`;
}

/** The name of an object that should exist and does not. */
export function missingRef(kind: string, namespace: string, name: string): string {
  return `${kind} ${namespace}/${name}`;
}

export function reason(code: ReasonCode, object: string, detail: string): Reason {
  return { code, object, message: `${object}: ${detail}` };
}
