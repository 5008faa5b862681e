import { stringify } from 'yaml';
import { SafeUpgradeError } from '../errors.js';
import { describeValue, isDns1123Label, isDns1123Subdomain } from '../kube/names.js';
import { EKSA_GROUP, groupOf } from '../kube/kinds.js';
import type { KubeObject } from '../kube/types.js';
import type { Provider } from '../spec/types.js';
import { refKey, type ObjectRef } from './object-graph.js';

const PROVIDER_EKSA_KINDS: Record<Provider, string[]> = {
  vsphere: ['vspheredatacenterconfigs', 'vspheremachineconfigs'],
  tinkerbell: ['tinkerbelldatacenterconfigs', 'tinkerbellmachineconfigs', 'tinkerbelltemplateconfigs'],
  nutanix: ['nutanixdatacenterconfigs', 'nutanixmachineconfigs'],
  cloudstack: ['cloudstackdatacenterconfigs', 'cloudstackmachineconfigs'],
  snow: ['snowdatacenterconfigs', 'snowmachineconfigs'],
  docker: ['dockerdatacenterconfigs'],
  aws: ['awsdatacenterconfigs'],
};

/**
 * The EKS-A kinds a cluster can reference, for the one kubectl read that exports them: the spec's provider's,
 * then those of the other providers a mixed tree names (`otherProviders`).
 */
export function eksaExportKinds(provider: Provider, others: readonly Provider[] = []): string[] {
  const providerKinds = [...new Set([provider, ...others].flatMap((p) => PROVIDER_EKSA_KINDS[p]))];
  return ['clusters', ...providerKinds, 'oidcconfigs', 'awsiamconfigs', 'fluxconfigs', 'gitopsconfigs'].map(
    (k) => `${k}.v1alpha1.${EKSA_GROUP}`,
  );
}

/** The exported objects a cluster in scope references, keyed by its file name in eksa/. */
export function selectEksaObjects(items: readonly KubeObject[], wanted: readonly ObjectRef[]): Map<string, KubeObject> {
  const want = new Set(wanted.map(refKey));
  const files = new Map<string, KubeObject>();
  for (const item of items) {
    if (groupOf(item.apiVersion) !== EKSA_GROUP) continue;
    const ref = { kind: item.kind, namespace: item.metadata.namespace ?? '', name: item.metadata.name };
    if (!want.has(refKey(ref))) continue;
    // The name becomes a file name: a name no sound API server returns ('../', '/') never reaches a path.
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(ref.kind) || !isDns1123Subdomain(ref.name) || (ref.namespace !== '' && !isDns1123Label(ref.namespace))) {
      throw new SafeUpgradeError('BackupFailed', `the cluster returned ${ref.kind} ${describeValue(`${ref.namespace}/${ref.name}`)}, which is not a valid Kubernetes object name`, {
        hint: 'it was not written anywhere; find out who wrote that object to the management cluster',
      });
    }
    files.set(objectFileName(ref), item);
  }
  return files;
}

/** clusterctl's naming, reused so one reader checks both folders. */
export function objectFileName(ref: ObjectRef): string {
  return `${ref.kind}_${ref.namespace}_${ref.name}.yaml`;
}

/**
 * The object as `kubectl apply -f` on a new management cluster wants it: no server-set identity or
 * status, which would be stale there.
 */
export function forReapply(object: KubeObject): string {
  const { status: _status, ...rest } = object;
  const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, generation: _gen, ownerReferences: _owners, ...metadata } = object.metadata;
  const { managedFields: _mf, ...kept } = metadata as typeof metadata & { managedFields?: unknown };
  return stringify({ ...rest, metadata: kept });
}
