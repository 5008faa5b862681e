import { DATACENTER_KINDS } from '../kube/kinds.js';
import type { Inventory, KubeObject } from '../kube/types.js';
import type { ClusterSpec } from '../spec/types.js';
import { isRecord, type ClusterImageNeeds, type TreeImageNeeds } from './bundles.js';

/** The Kubernetes minors an EKS-A Cluster object runs: control plane and every pinned worker group. */
export function clusterMinors(cluster: KubeObject): string[] {
  const spec = cluster.spec ?? {};
  const minors = new Set<string>();
  if (typeof spec['kubernetesVersion'] === 'string' && spec['kubernetesVersion'] !== '') minors.add(spec['kubernetesVersion']);
  for (const g of Array.isArray(spec['workerNodeGroupConfigurations']) ? spec['workerNodeGroupConfigurations'] : []) {
    if (isRecord(g) && typeof g['kubernetesVersion'] === 'string' && g['kubernetesVersion'] !== '') minors.add(g['kubernetesVersion']);
  }
  return [...minors];
}

/** EKS-A: `clusterNetwork.cniConfig.kindnetd` set means kindnetd; otherwise Cilium (the default). */
function cniOf(cluster: KubeObject): 'cilium' | 'kindnetd' {
  const cni = cluster.spec?.['clusterNetwork']?.['cniConfig'];
  return isRecord(cni) && cni['kindnetd'] !== undefined ? 'kindnetd' : 'cilium';
}

function gitOpsOf(cluster: KubeObject): boolean {
  const ref = cluster.spec?.['gitOpsRef'];
  return isRecord(ref) && typeof ref['name'] === 'string' && ref['name'] !== '';
}

function osFamilies(machineConfigs: readonly KubeObject[]): string[] {
  return [...new Set(machineConfigs.flatMap((m) => (typeof m.spec?.['osFamily'] === 'string' ? [m.spec['osFamily'] as string] : [])))];
}

function providerOf(cluster: KubeObject): string | undefined {
  const kind = cluster.spec?.['datacenterRef']?.['kind'];
  if (typeof kind !== 'string') return undefined;
  return Object.hasOwn(DATACENTER_KINDS, kind) ? DATACENTER_KINDS[kind] : undefined;
}

/**
 * What of the tree decides the images: the spec's cluster as it will be (its written spec), every other
 * cluster as it runs now (its live EKS-A Cluster).
 */
export function treeImageNeeds(spec: ClusterSpec, inventory: Inventory): TreeImageNeeds {
  const clusters: ClusterImageNeeds[] = inventory.clusters.map((c) => {
    const upgraded = c.name === spec.name;
    const object = upgraded ? spec.cluster : c.eksa;
    const configs = upgraded ? spec.machineConfigs : c.machineConfigs;
    const etcd = object.spec?.['externalEtcdConfiguration'];
    return {
      name: c.name,
      minors: clusterMinors(object),
      osFamilies: osFamilies(configs),
      externalEtcd: isRecord(etcd),
      cni: cniOf(object),
      gitOps: gitOpsOf(object),
    };
  });
  const management = clusters.find((c) => c.name === inventory.management);
  const providers = [...new Set([spec.provider as string, ...inventory.clusters.flatMap((c) => providerOf(c.eksa) ?? [])])];
  return { managementMinor: management?.minors[0] ?? spec.kubernetesVersion, providers, clusters };
}

/** Every Kubernetes minor of the tree (live) and of the spec (target). */
export function treeMinors(spec: ClusterSpec, inventory: Inventory | undefined): string[] {
  const minors = new Set<string>([spec.kubernetesVersion, ...clusterMinors(spec.cluster)]);
  for (const c of inventory?.clusters ?? []) for (const m of clusterMinors(c.eksa)) minors.add(m);
  return [...minors];
}
