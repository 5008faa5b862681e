import type { KubeObject } from '../kube/types.js';
import { isDns1123Subdomain, isIpAddress } from '../kube/names.js';

/** One Machine of the backup, as the runbook names it: machine, node (when it had one), address. */
export interface MachineFact {
  readonly machine: string;
  readonly node: string | undefined;
  readonly address: string | undefined;
}

/** What the runbook needs from a cluster's saved CAPI objects, beyond the manifest. */
export interface ClusterFacts {
  /** External etcd: the EtcdadmCluster's machines (label cluster.x-k8s.io/etcd-cluster=<cluster>-etcd). */
  readonly etcdMachines: readonly MachineFact[];
  /** Control-plane machines (label cluster.x-k8s.io/control-plane); stacked etcd runs on them. */
  readonly controlPlane: readonly MachineFact[];
  readonly machineDeployments: readonly string[];
  /** Every node name of the cluster's Machines: the legacy nodes after a restore onto new machines. */
  readonly nodes: readonly string[];
}

export type RunbookFacts = Readonly<Record<string, ClusterFacts>>;

const CLUSTER_NAME = 'cluster.x-k8s.io/cluster-name';
const CONTROL_PLANE = 'cluster.x-k8s.io/control-plane';
const ETCD_CLUSTER = 'cluster.x-k8s.io/etcd-cluster';

function addressOf(machine: KubeObject): string | undefined {
  const addresses: unknown = machine.status?.addresses;
  if (!Array.isArray(addresses)) return undefined;
  // The order the snapshot step tries them in: ExternalIP first (as EKS-A does), then InternalIP.
  for (const type of ['ExternalIP', 'InternalIP']) {
    const found = addresses.find((a) => a?.type === type && (isIpAddress(a.address) || isDns1123Subdomain(a.address)));
    if (found) return found.address as string;
  }
  return undefined;
}

function fact(machine: KubeObject): MachineFact {
  const node: unknown = machine.status?.nodeRef?.name;
  return { machine: machine.metadata.name, node: isDns1123Subdomain(node) ? node : undefined, address: addressOf(machine) };
}

const byMachine = (a: MachineFact, b: MachineFact) => a.machine.localeCompare(b.machine);

/** Pure: the facts of every cluster from its Machine and MachineDeployment objects. Odd names are left out. */
export function factsFromObjects(objects: readonly KubeObject[]): RunbookFacts {
  const facts: Record<string, { etcdMachines: MachineFact[]; controlPlane: MachineFact[]; machineDeployments: string[]; nodes: string[] }> = {};
  const of = (cluster: string) => (facts[cluster] ??= { etcdMachines: [], controlPlane: [], machineDeployments: [], nodes: [] });
  for (const o of objects) {
    const labels = o.metadata?.labels ?? {};
    const cluster = labels[CLUSTER_NAME] ?? (typeof o.spec?.clusterName === 'string' ? o.spec.clusterName : undefined);
    if (!isDns1123Subdomain(cluster) || !isDns1123Subdomain(o.metadata?.name)) continue;
    if (o.kind === 'MachineDeployment') of(cluster).machineDeployments.push(o.metadata.name);
    if (o.kind !== 'Machine') continue;
    const f = fact(o);
    if (labels[ETCD_CLUSTER] === `${cluster}-etcd`) of(cluster).etcdMachines.push(f);
    else if (CONTROL_PLANE in labels) of(cluster).controlPlane.push(f);
    if (f.node) of(cluster).nodes.push(f.node);
  }
  for (const f of Object.values(facts)) {
    f.etcdMachines.sort(byMachine);
    f.controlPlane.sort(byMachine);
    f.machineDeployments.sort();
    f.nodes.sort();
  }
  return facts;
}
