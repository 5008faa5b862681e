import type { KubeObject } from './types.js';

/** The EKS-A infrastructure provider, named by its datacenter kind. */
export type Provider = 'vsphere' | 'tinkerbell' | 'nutanix' | 'cloudstack' | 'snow' | 'docker' | 'aws';

// Resource arguments for kubectl. EKS-A kinds use the `res.version.group` form: it keeps kubectl's
// discovery cache warm. CAPI kinds use `res.group` so kubectl picks the served version (v1beta1 on
// older EKS-A, v1beta2 since CAPI 1.11); the inventory reads both status shapes.
export const EKSA_GROUP = 'anywhere.eks.amazonaws.com';
export const EKSA_CLUSTERS = `clusters.v1alpha1.${EKSA_GROUP}`;
export const CAPI_CLUSTERS = 'clusters.cluster.x-k8s.io';
export const KUBEADM_CONTROL_PLANES = 'kubeadmcontrolplanes.controlplane.cluster.x-k8s.io';
export const ETCDADM_CLUSTERS = 'etcdadmclusters.etcdcluster.cluster.x-k8s.io';
export const MACHINE_DEPLOYMENTS = 'machinedeployments.cluster.x-k8s.io';
export const MACHINES = 'machines.cluster.x-k8s.io';

const PROVIDER_KINDS: Record<Provider, { datacenter: string; machine: string | undefined }> = {
  vsphere: { datacenter: 'vspheredatacenterconfigs', machine: 'vspheremachineconfigs' },
  tinkerbell: { datacenter: 'tinkerbelldatacenterconfigs', machine: 'tinkerbellmachineconfigs' },
  nutanix: { datacenter: 'nutanixdatacenterconfigs', machine: 'nutanixmachineconfigs' },
  cloudstack: { datacenter: 'cloudstackdatacenterconfigs', machine: 'cloudstackmachineconfigs' },
  snow: { datacenter: 'snowdatacenterconfigs', machine: 'snowmachineconfigs' },
  docker: { datacenter: 'dockerdatacenterconfigs', machine: undefined },
  aws: { datacenter: 'awsdatacenterconfigs', machine: undefined },
};

/** The datacenter and machine config kinds of `providers`, in that order, each once. */
export function providerKinds(providers: readonly Provider[]): string[] {
  const kinds = providers.flatMap((p) => {
    const own = PROVIDER_KINDS[p];
    return [`${own.datacenter}.v1alpha1.${EKSA_GROUP}`, ...(own.machine ? [`${own.machine}.v1alpha1.${EKSA_GROUP}`] : [])];
  });
  return [...new Set(kinds)];
}

/**
 * The providers the tree's EKS-A Clusters name (`spec.datacenterRef.kind`) besides `own`, sorted: a mixed
 * tree (a vSphere management cluster with CloudStack or Nutanix workloads) keeps each cluster's datacenter
 * and machine configs in its provider's kinds. Unknown datacenter kinds are left out.
 */
export function otherProviders(own: Provider, eksaClusters: readonly KubeObject[]): Provider[] {
  const named = new Set<Provider>();
  for (const c of eksaClusters) {
    if (c.kind !== 'Cluster' || groupOf(c.apiVersion) !== EKSA_GROUP) continue;
    const kind = (c.spec as { datacenterRef?: { kind?: unknown } } | undefined)?.datacenterRef?.kind;
    const provider = typeof kind === 'string' && Object.hasOwn(DATACENTER_KINDS, kind) ? DATACENTER_KINDS[kind] : undefined;
    if (provider !== undefined && provider !== own) named.add(provider);
  }
  return [...named].sort();
}

/**
 * Every kind the gate reads, for one `kubectl get … -A -o json`: the spec's provider's datacenter and
 * machine configs, then those of `others` (the other providers of a mixed tree, once the first read named them).
 */
export function inventoryKinds(provider: Provider, others: readonly Provider[] = []): string[] {
  return [
    EKSA_CLUSTERS,
    ...providerKinds([provider, ...others]),
    CAPI_CLUSTERS,
    KUBEADM_CONTROL_PLANES,
    ETCDADM_CLUSTERS,
    MACHINE_DEPLOYMENTS,
    MACHINES,
  ];
}

export const DATACENTER_KINDS: Record<string, Provider> = {
  VSphereDatacenterConfig: 'vsphere',
  TinkerbellDatacenterConfig: 'tinkerbell',
  NutanixDatacenterConfig: 'nutanix',
  CloudStackDatacenterConfig: 'cloudstack',
  SnowDatacenterConfig: 'snow',
  DockerDatacenterConfig: 'docker',
  AWSDatacenterConfig: 'aws',
};

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
