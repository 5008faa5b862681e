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

/** Every kind the gate reads, for one `kubectl get … -A -o json`. */
export function inventoryKinds(provider: Provider): string[] {
  const own = PROVIDER_KINDS[provider];
  return [
    EKSA_CLUSTERS,
    `${own.datacenter}.v1alpha1.${EKSA_GROUP}`,
    ...(own.machine ? [`${own.machine}.v1alpha1.${EKSA_GROUP}`] : []),
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
