import { SafeUpgradeError, UsageError } from '../errors.js';
import type { ClusterObjects, KubeObject } from '../kube/types.js';
import type { OsFamily, Provider } from '../spec/types.js';
import type { AddressType, ClusterEtcdTarget, EtcdMember, EtcdTopology, SkippedMember } from './types.js';
import { describeValue } from '../kube/names.js';
import { isDns1123Subdomain, isHostAddress, isPosixUserName } from './validate.js';

const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
const CONTROL_PLANE_LABEL = 'cluster.x-k8s.io/control-plane';
const ETCD_CLUSTER_LABEL = 'cluster.x-k8s.io/etcd-cluster';

export interface MemberSelectionOptions {
  /** `--ssh-user`: wins over the machine config and the provider default. */
  readonly sshUser?: string;
  /** `--ssh-address-type`. */
  readonly addressType?: AddressType;
}

const PROVIDER_BY_KIND: Record<string, Provider> = {
  VSphereMachineConfig: 'vsphere',
  VSphereDatacenterConfig: 'vsphere',
  TinkerbellMachineConfig: 'tinkerbell',
  TinkerbellDatacenterConfig: 'tinkerbell',
  NutanixMachineConfig: 'nutanix',
  NutanixDatacenterConfig: 'nutanix',
  CloudStackMachineConfig: 'cloudstack',
  CloudStackDatacenterConfig: 'cloudstack',
  SnowMachineConfig: 'snow',
  SnowDatacenterConfig: 'snow',
  DockerDatacenterConfig: 'docker',
};

/** The etcd members of one cluster, its OS, topology and SSH user: pure, from the inventory's objects. */
export function selectEtcdTarget(objects: ClusterObjects, options: MemberSelectionOptions = {}): ClusterEtcdTarget {
  const cluster = objects.name;
  if (!isDns1123Subdomain(cluster)) throw new UsageError(`invalid cluster name for an etcd snapshot: ${JSON.stringify(cluster)}`);
  const spec = objects.eksa.spec ?? {};
  const topology: EtcdTopology = spec.externalEtcdConfiguration || objects.etcd ? 'external' : 'stacked';
  const ref = topology === 'external' ? spec.externalEtcdConfiguration?.machineGroupRef : spec.controlPlaneConfiguration?.machineGroupRef;
  const machineConfig = objects.machineConfigs.find((mc) => mc.kind === ref?.kind && mc.metadata.name === ref?.name);
  const provider = PROVIDER_BY_KIND[machineConfig?.kind ?? ''] ?? PROVIDER_BY_KIND[objects.datacenter?.kind ?? ''];
  if (provider === 'docker') {
    throw new SafeUpgradeError('EtcdSnapshotFailed', `cluster ${cluster}: Docker provider nodes are containers without SSH`, {
      hint: 'take the etcd snapshot with docker exec, or back up without etcd snapshots',
    });
  }
  const os = osOf(cluster, machineConfig, provider);
  const user = userOf(cluster, machineConfig, provider, os, options.sshUser);
  const { members, skipped } = membersOf(objects, topology, options.addressType ?? 'auto');
  return { cluster, topology, os, provider, user, members, skipped };
}

function osOf(cluster: string, machineConfig: KubeObject | undefined, provider: Provider | undefined): OsFamily {
  const family = machineConfig?.spec?.osFamily;
  if (family === 'ubuntu' || family === 'redhat' || family === 'bottlerocket') return family;
  // CloudStack machine configs have no osFamily: they are template based, and EKS-A supports RHEL there.
  if (provider === 'cloudstack' && family === undefined) return 'redhat';
  throw new SafeUpgradeError('EtcdSnapshotFailed', `cluster ${cluster}: cannot tell the etcd nodes' OS (osFamily ${JSON.stringify(family)})`, {
    hint: 'the machine config named by the control plane or externalEtcdConfiguration must be in the inventory',
  });
}

function userOf(cluster: string, mc: KubeObject | undefined, provider: Provider | undefined, os: OsFamily, flag: string | undefined): string {
  const fromConfig: unknown = mc?.spec?.users?.[0]?.name;
  const user = flag ?? (typeof fromConfig === 'string' && fromConfig !== '' ? fromConfig : defaultUser(provider, os));
  if (user === undefined) {
    throw new UsageError(`cluster ${cluster}: no SSH user known for ${provider ?? 'an unknown provider'} ${os} nodes`, { hint: 'pass --ssh-user' });
  }
  if (!isPosixUserName(user)) {
    throw new UsageError(`cluster ${cluster}: invalid SSH user name ${describeValue(user)}`, { hint: 'pass a plain user name with --ssh-user' });
  }
  return user;
}

/** EKS-A's defaults when a machine config names no user. */
export function defaultUser(provider: Provider | undefined, os: OsFamily): string | undefined {
  switch (provider) {
    case 'vsphere':
      return os === 'bottlerocket' ? 'ec2-user' : 'capv';
    case 'tinkerbell':
      return 'ec2-user';
    case 'nutanix':
      return 'eksa';
    case 'cloudstack':
      return 'capc';
    case 'snow':
      return os === 'bottlerocket' ? 'ec2-user' : undefined;
    default:
      return undefined;
  }
}

function isMemberMachine(machine: KubeObject, cluster: string, topology: EtcdTopology): boolean {
  const labels = machine.metadata.labels ?? {};
  if (topology === 'external') {
    const owner = labels[CLUSTER_NAME_LABEL];
    return labels[ETCD_CLUSTER_LABEL] === `${cluster}-etcd` && (owner === undefined || owner === cluster);
  }
  return labels[CLUSTER_NAME_LABEL] === cluster && CONTROL_PLANE_LABEL in labels;
}

function membersOf(objects: ClusterObjects, topology: EtcdTopology, addressType: AddressType) {
  const members: EtcdMember[] = [];
  const skipped: SkippedMember[] = [];
  const candidates = objects.machines
    .filter((m) => isMemberMachine(m, objects.name, topology))
    .sort((a, b) => Number(phaseOf(b) === 'Running') - Number(phaseOf(a) === 'Running') || a.metadata.name.localeCompare(b.metadata.name));
  for (const machine of candidates) {
    const name = machine.metadata.name;
    const reason = skipReason(machine);
    if (reason) {
      skipped.push({ machine: name, reason });
      continue;
    }
    const address = addressOf(machine, addressType);
    if (address === undefined) skipped.push({ machine: name, reason: `no ${addressType === 'auto' ? 'ExternalIP or InternalIP' : addressType} address` });
    else if (!isHostAddress(address)) skipped.push({ machine: name, reason: `address ${describeValue(address)} is not an IP or host name` });
    else members.push({ machine: name, address });
  }
  return { members, skipped };
}

function skipReason(machine: KubeObject): string | undefined {
  const name = machine.metadata.name;
  if (!isDns1123Subdomain(name)) return `machine name ${describeValue(name)} is not a DNS-1123 name`;
  if ((machine.metadata as { deletionTimestamp?: string }).deletionTimestamp) return 'being deleted';
  const phase = phaseOf(machine);
  if (phase === 'Deleting' || phase === 'Deleted') return `phase ${phase}`;
  return undefined;
}

function phaseOf(machine: KubeObject): string | undefined {
  const phase: unknown = machine.status?.phase;
  return typeof phase === 'string' ? phase : undefined;
}

function addressOf(machine: KubeObject, addressType: AddressType): string | undefined {
  const addresses: unknown = machine.status?.addresses;
  if (!Array.isArray(addresses)) return undefined;
  const order = addressType === 'auto' ? ['ExternalIP', 'InternalIP'] : [addressType];
  for (const type of order) {
    const found = addresses.find((a) => a && typeof a === 'object' && a.type === type && typeof a.address === 'string' && a.address !== '');
    if (found) return found.address as string;
  }
  return undefined;
}
