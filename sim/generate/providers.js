// Provider-specific parts of a cluster: EKS-A datacenter/machine config specs and the CAPI
// infrastructure objects (cluster, machine templates, machines). vSphere and Tinkerbell.
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
 * @property {string} machineConfigKind
 * @property {string} infraClusterKind
 * @property {string} infraMachineKind
 * @property {string} templateKind
 * @property {(os: string) => string} sshUser
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
};

export const INFRA_API_VERSION = INFRA;
