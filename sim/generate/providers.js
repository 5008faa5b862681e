// Provider-specific parts of a cluster: EKS-A datacenter/machine config specs and the CAPI
// infrastructure objects (cluster, machine templates, machines). vSphere, Tinkerbell, CloudStack, Nutanix,
// Snow and Docker; a scenario picks one per cluster (`provider:` on the scenario or on a cluster entry).
import { createHash } from 'node:crypto';
import { uidFor, tinkerbellAddress } from './ids.js';

const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';

/** A well-formed (parseable by ssh-keygen) but fake ed25519 public key for the cluster. */
export function fakeSshKey(clusterName) {
  const u32 = (n) => Buffer.from([0, 0, 0, n]);
  const key = createHash('sha256').update(`ssh-key ${clusterName}`).digest();
  const blob = Buffer.concat([u32(11), Buffer.from('ssh-ed25519'), u32(32), key]);
  return `ssh-ed25519 ${blob.toString('base64')} sim@${clusterName}`;
}

const users = (ctx, name) => [{ name, sshAuthorizedKeys: [fakeSshKey(ctx.name)] }];

const VSPHERE_DC = {
  datacenter: 'SDDC-Datacenter',
  network: '/SDDC-Datacenter/network/sddc-cgw-network-1',
  server: 'vcenter.sim.local',
  datastore: '/SDDC-Datacenter/datastore/WorkloadDatastore',
  folder: '/SDDC-Datacenter/vm/eksa',
  resourcePool: '*/Resources/Compute-ResourcePool',
};

const vsphereSizing = (role) => ({
  diskGiB: role === 'etcd' ? 20 : 25,
  memoryMiB: role === 'etcd' ? 4096 : 8192,
  numCPUs: 2,
});

const vsphereTemplate = (ctx, os) => `/SDDC-Datacenter/vm/Templates/${os}-kube-v${ctx.def.kubernetesVersion}`;

/**
 * @typedef {object} Provider
 * @property {string} datacenterKind
 * @property {string | undefined} machineConfigKind  undefined for Docker (its Cluster names no machine configs)
 * @property {string} infraApiVersion  apiVersion of the CAPI infrastructure kinds
 * @property {string} infraClusterKind
 * @property {string} infraMachineKind
 * @property {string} templateKind
 * @property {(os: string) => string | undefined} sshUser  EKS-A's default (users[0].name) when a machine config names none
 * @property {(ctx: any) => object} datacenterSpec
 * @property {(ctx: any, role: string) => object} machineConfigSpec
 * @property {(ctx: any) => object} infraClusterSpec
 * @property {(ctx: any, role: string) => object} templateSpec
 * @property {(ctx: any, machine: any) => { spec: object, status: object }} infraMachine
 * @property {(ctx: any, machine: any) => string} providerID
 * @property {(machine: any) => string} nodeName
 */

/** @type {Record<string, Provider>} */
export const PROVIDERS = {
  vsphere: {
    datacenterKind: 'VSphereDatacenterConfig',
    machineConfigKind: 'VSphereMachineConfig',
    infraApiVersion: INFRA,
    infraClusterKind: 'VSphereCluster',
    infraMachineKind: 'VSphereMachine',
    templateKind: 'VSphereMachineTemplate',
    // EKS-A defaults: `ec2-user` for Bottlerocket (required by the webhook), `capv` otherwise.
    sshUser: (os) => (os === 'bottlerocket' ? 'ec2-user' : 'capv'),
    datacenterSpec: () => ({
      datacenter: VSPHERE_DC.datacenter, insecure: false, network: VSPHERE_DC.network, server: VSPHERE_DC.server, thumbprint: '',
    }),
    machineConfigSpec: (ctx, role) => ({
      datastore: VSPHERE_DC.datastore,
      folder: VSPHERE_DC.folder,
      ...vsphereSizing(role),
      osFamily: ctx.def.os,
      resourcePool: VSPHERE_DC.resourcePool,
      template: vsphereTemplate(ctx, ctx.def.os),
      users: users(ctx, PROVIDERS.vsphere.sshUser(ctx.def.os)),
    }),
    infraClusterSpec: (ctx) => ({
      controlPlaneEndpoint: { host: ctx.endpoint, port: 6443 }, server: VSPHERE_DC.server, thumbprint: '',
    }),
    templateSpec: (ctx, role) => ({
      template: {
        spec: {
          cloneMode: 'linkedClone',
          datacenter: VSPHERE_DC.datacenter,
          datastore: VSPHERE_DC.datastore,
          folder: VSPHERE_DC.folder,
          ...vsphereSizing(role),
          network: { devices: [{ dhcp4: true, networkName: VSPHERE_DC.network }] },
          resourcePool: VSPHERE_DC.resourcePool,
          server: VSPHERE_DC.server,
          template: vsphereTemplate(ctx, ctx.def.os),
          thumbprint: '',
        },
      },
    }),
    infraMachine: (ctx, m) => ({
      spec: {
        ...PROVIDERS.vsphere.templateSpec(ctx, m.role).template.spec,
        providerID: PROVIDERS.vsphere.providerID(ctx, m),
      },
      status: {
        ready: true,
        addresses: [{ type: 'ExternalIP', address: m.address }, { type: 'InternalIP', address: m.address }],
        vmRef: `vm-${1000 + m.index}`,
      },
    }),
    providerID: (ctx, m) => `vsphere://${uidFor('vm', ctx.name, m.name)}`,
    nodeName: (m) => m.name,
  },

  tinkerbell: {
    datacenterKind: 'TinkerbellDatacenterConfig',
    machineConfigKind: 'TinkerbellMachineConfig',
    infraApiVersion: INFRA,
    infraClusterKind: 'TinkerbellCluster',
    infraMachineKind: 'TinkerbellMachine',
    templateKind: 'TinkerbellMachineTemplate',
    sshUser: () => 'ec2-user',
    datacenterSpec: (ctx) => ({ tinkerbellIP: tinkerbellAddress(ctx.index) }),
    machineConfigSpec: (ctx, role) => ({
      hardwareSelector: { type: role === 'cp' ? 'cp' : 'worker' },
      osFamily: ctx.def.os,
      templateRef: {},
      users: users(ctx, 'ec2-user'),
    }),
    infraClusterSpec: (ctx) => ({
      controlPlaneEndpoint: { host: ctx.endpoint, port: 6443 },
      imageLookupBaseRegistry: '/',
      imageLookupFormat: `--kube-${ctx.kubeVersion}.raw.gz`,
      imageLookupOSDistro: ctx.def.os,
      imageLookupOSVersion: '',
    }),
    templateSpec: (ctx, role) => ({
      template: {
        spec: {
          hardwareAffinity: { required: [{ labelSelector: { matchLabels: { type: role === 'cp' ? 'cp' : 'worker' } } }] },
        },
      },
    }),
    infraMachine: (ctx, m) => ({
      spec: {
        ...PROVIDERS.tinkerbell.templateSpec(ctx, m.role).template.spec,
        hardwareName: m.hardware,
        providerID: PROVIDERS.tinkerbell.providerID(ctx, m),
      },
      status: {
        ready: true,
        addresses: [{ type: 'ExternalIP', address: m.address }, { type: 'InternalIP', address: m.address }],
      },
    }),
    providerID: (ctx, m) => `tinkerbell://eksa-system/${m.hardware}`,
    nodeName: (m) => m.hardware,
  },

  // CAPC. EKS-A: DefaultCloudStackUser = "capc" (pkg/api/v1alpha1/cloudstackmachineconfig.go, SetUserDefaults).
  cloudstack: simpleProvider({
    name: 'cloudstack',
    datacenterKind: 'CloudStackDatacenterConfig',
    machineConfigKind: 'CloudStackMachineConfig',
    infraApiVersion: 'infrastructure.cluster.x-k8s.io/v1beta3',
    infraPrefix: 'CloudStack',
    sshUser: () => 'capc',
    datacenterSpec: () => ({
      availabilityZones: [{ name: 'az-1', zone: { name: 'zone1', network: { name: 'net1' } }, domain: 'domain1', account: 'admin', credentialsRef: 'global', managementApiEndpoint: 'https://cloudstack.sim.local:8080/client/api' }],
    }),
    machineConfigSpec: (ctx, role) => ({
      computeOffering: { name: role === 'etcd' ? 'm4-medium' : 'm4-large' },
      template: { name: `${ctx.def.os === 'redhat' ? 'rhel8' : ctx.def.os}-kube-v${ctx.def.kubernetesVersion}` },
      osFamily: ctx.def.os,
    }),
    providerID: (ctx, m) => `cloudstack:///${uidFor('vm', ctx.name, m.name)}`,
  }),

  // CAPX. EKS-A's Nutanix machine configs default users[0].name to "eksa" (nutanixmachineconfig.go, SetDefaults).
  nutanix: simpleProvider({
    name: 'nutanix',
    datacenterKind: 'NutanixDatacenterConfig',
    machineConfigKind: 'NutanixMachineConfig',
    infraApiVersion: INFRA,
    infraPrefix: 'Nutanix',
    sshUser: () => 'eksa',
    datacenterSpec: () => ({ endpoint: 'prism.sim.local', port: 9440, credentialRef: { kind: 'Secret', name: 'nutanix-credentials' } }),
    machineConfigSpec: (ctx, role) => ({
      cluster: { type: 'name', name: 'nx-cluster-01' },
      image: { type: 'name', name: `eksa-${ctx.def.os}-kube-v${ctx.def.kubernetesVersion}` },
      memorySize: role === 'etcd' ? '4Gi' : '8Gi',
      osFamily: ctx.def.os,
      subnet: { type: 'name', name: 'vm-network' },
      systemDiskSize: '40Gi',
      vcpuSockets: 2,
      vcpusPerSocket: 1,
    }),
    providerID: (ctx, m) => `nutanix://${uidFor('vm', ctx.name, m.name)}`,
  }),

  // CAPAS. A SnowMachineConfig has no `users`: the key pair is `sshKeyName`; Bottlerocket logs in as ec2-user.
  snow: simpleProvider({
    name: 'snow',
    datacenterKind: 'SnowDatacenterConfig',
    machineConfigKind: 'SnowMachineConfig',
    infraApiVersion: INFRA,
    infraPrefix: 'AWSSnow',
    users: false,
    sshUser: (os) => (os === 'bottlerocket' ? 'ec2-user' : undefined),
    datacenterSpec: () => ({ identityRef: { kind: 'Secret', name: 'snow-credentials' } }),
    machineConfigSpec: (ctx) => ({
      amiID: '', instanceType: 'sbe-c.large', sshKeyName: `eksa-${ctx.name}`, osFamily: ctx.def.os,
      devices: ['192.168.1.10'], physicalNetworkConnector: 'SFP_PLUS',
    }),
    providerID: (ctx, m) => `aws-snow:///192.168.1.10/${uidFor('vm', ctx.name, m.name)}`,
  }),

  // CAPD: no machine configs at all (the Cluster's groups carry no machineGroupRef); nodes are containers.
  docker: simpleProvider({
    name: 'docker',
    datacenterKind: 'DockerDatacenterConfig',
    machineConfigKind: undefined,
    infraApiVersion: INFRA,
    infraPrefix: 'Docker',
    sshUser: () => undefined,
    datacenterSpec: () => ({}),
    machineConfigSpec: () => ({}),
    providerID: (ctx, m) => `docker:////${ctx.name}-${m.name}`,
  }),
};

/** A provider whose CAPI objects need no more than addresses and a providerID (the four above). */
function simpleProvider(p) {
  const { infraPrefix, users: withUsers = true, machineConfigSpec, ...rest } = p;
  const self = {
    ...rest,
    infraClusterKind: `${infraPrefix}Cluster`,
    infraMachineKind: `${infraPrefix}Machine`,
    templateKind: `${infraPrefix}MachineTemplate`,
    machineConfigSpec: (ctx, role) => {
      const spec = machineConfigSpec(ctx, role);
      const user = p.sshUser(ctx.def.os);
      return withUsers && user ? { ...spec, users: users(ctx, user) } : spec;
    },
    infraClusterSpec: (ctx) => ({ controlPlaneEndpoint: { host: ctx.endpoint, port: 6443 } }),
    templateSpec: () => ({ template: { spec: {} } }),
    infraMachine: (ctx, m) => ({
      spec: { providerID: p.providerID(ctx, m) },
      status: { ready: true, addresses: [{ type: 'ExternalIP', address: m.address }, { type: 'InternalIP', address: m.address }] },
    }),
    nodeName: (m) => m.name,
  };
  return self;
}

export const INFRA_API_VERSION = INFRA;
