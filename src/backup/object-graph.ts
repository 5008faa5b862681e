import type { ClusterObjects } from '../kube/types.js';

/** A Kubernetes object by identity, as a backup must hold it. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export const refKey = (r: ObjectRef): string => `${r.kind}/${r.namespace}/${r.name}`;

export function parseRefKey(key: string): ObjectRef {
  const [kind = '', namespace = '', ...rest] = key.split('/');
  return { kind, namespace, name: rest.join('/') };
}

const CAPI_NAMESPACE = 'eksa-system';

/**
 * What clusterctl must have written for one cluster: its CAPI Cluster, infrastructure cluster,
 * control plane, external etcd, every MachineDeployment and Machine the inventory saw, and the
 * kubeconfig and CA Secrets a restore cannot do without.
 */
export function expectedCapiObjects(c: ClusterObjects): ObjectRef[] {
  const ns = c.capi?.metadata.namespace ?? CAPI_NAMESPACE;
  const refs: ObjectRef[] = [{ kind: 'Cluster', namespace: ns, name: c.name }];
  const infra = c.capi?.spec?.infrastructureRef as { kind?: string; name?: string; namespace?: string } | undefined;
  if (infra?.kind && infra.name) refs.push({ kind: infra.kind, namespace: infra.namespace ?? ns, name: infra.name });
  const cpRef = c.capi?.spec?.controlPlaneRef as { kind?: string; name?: string } | undefined;
  refs.push({ kind: cpRef?.kind ?? 'KubeadmControlPlane', namespace: ns, name: cpRef?.name ?? c.name });
  if (c.eksa.spec?.externalEtcdConfiguration) {
    const etcdRef = c.capi?.spec?.managedExternalEtcdRef as { kind?: string; name?: string } | undefined;
    refs.push({ kind: etcdRef?.kind ?? 'EtcdadmCluster', namespace: ns, name: etcdRef?.name ?? `${c.name}-etcd` });
  }
  for (const o of [...c.machineDeployments, ...c.machines]) {
    refs.push({ kind: o.kind, namespace: o.metadata.namespace ?? ns, name: o.metadata.name });
  }
  refs.push({ kind: 'Secret', namespace: ns, name: `${c.name}-kubeconfig` }, { kind: 'Secret', namespace: ns, name: `${c.name}-ca` });
  return refs;
}

/** What we export ourselves, since clusterctl does not carry EKS-A objects (eks-anywhere#5894). */
export function expectedEksaObjects(c: ClusterObjects): ObjectRef[] {
  const ns = c.eksa.metadata.namespace ?? 'default';
  const spec = c.eksa.spec ?? {};
  const refs: ObjectRef[] = [{ kind: 'Cluster', namespace: ns, name: c.name }];
  const add = (ref: unknown) => {
    const r = ref as { kind?: string; name?: string } | undefined;
    if (r?.kind && r.name && !refs.some((x) => x.kind === r.kind && x.name === r.name)) refs.push({ kind: r.kind, namespace: ns, name: r.name });
  };
  add(spec.datacenterRef);
  add(spec.controlPlaneConfiguration?.machineGroupRef);
  add(spec.externalEtcdConfiguration?.machineGroupRef);
  for (const group of (spec.workerNodeGroupConfigurations ?? []) as Array<{ machineGroupRef?: unknown }>) add(group?.machineGroupRef);
  for (const idp of (spec.identityProviderRefs ?? []) as unknown[]) add(idp);
  add(spec.gitOpsRef);
  return refs;
}

export interface MissingObjects {
  readonly cluster: string;
  readonly missing: readonly ObjectRef[];
}

/** Every expected object that is not among the found ones, per cluster; empty when the graph is whole. */
export function findMissing(expected: Readonly<Record<string, readonly ObjectRef[]>>, found: Iterable<ObjectRef>): MissingObjects[] {
  const have = new Set<string>();
  for (const r of found) have.add(refKey(r));
  const result: MissingObjects[] = [];
  for (const [cluster, refs] of Object.entries(expected)) {
    const missing = refs.filter((r) => !have.has(refKey(r)));
    if (missing.length > 0) result.push({ cluster, missing });
  }
  return result;
}

export function describeMissing(missing: readonly MissingObjects[]): string {
  return missing
    .map((m) => `${m.cluster}: ${m.missing.slice(0, 8).map(refKey).join(', ')}${m.missing.length > 8 ? ` and ${m.missing.length - 8} more` : ''}`)
    .join('; ');
}
