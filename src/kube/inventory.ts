import { UsageError } from '../errors.js';
import { assertDns1123Label, assertDns1123Subdomain } from './names.js';
import { EKSA_GROUP, groupOf } from './kinds.js';
import type { ClusterObjects, Inventory, KubeObject } from './types.js';

const CAPI_NAMESPACE = 'eksa-system';
const API_NAME_HINT = 'Kubernetes never returns such a name: check who or what answers for the management cluster (--kubeconfig)';
const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';

/**
 * Group the objects of one `kubectl get … -A` into clusters of the management tree. Linear in the
 * number of objects: everything is indexed once, then looked up by name.
 */
export function assembleInventory(items: readonly KubeObject[], management: string, kubectlCalls: number): Inventory {
  const byKind = new Map<string, KubeObject[]>();
  for (const item of items) {
    const key = `${item.kind}.${groupOf(item.apiVersion)}`;
    let list = byKind.get(key);
    if (!list) byKind.set(key, (list = []));
    list.push(item);
  }
  const kind = (k: string, group: string) => byKind.get(`${k}.${group}`) ?? [];

  const eksaClusters = kind('Cluster', EKSA_GROUP);
  const mgmt = eksaClusters.find((c) => c.metadata.name === management);
  if (!mgmt) {
    const found = eksaClusters.map((c) => c.metadata.name).slice(0, 10).join(', ') || 'none';
    throw new UsageError(`EKS Anywhere cluster ${management} is not in the cluster the kubeconfig points at (found: ${found})`, {
      hint: 'pass --kubeconfig of the management cluster named in the spec',
    });
  }
  const workloads = eksaClusters
    .filter((c) => c.metadata.name !== management && managementOf(c) === management)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  // Names from the API reach paths, commands, the runbook and the terminal: refuse any a sound API
  // server could not have returned, before anything is written.
  for (const c of workloads) {
    assertDns1123Subdomain(c.metadata.name, 'the management cluster returned an EKS-A cluster named', API_NAME_HINT);
    if (c.metadata.namespace !== undefined) assertDns1123Label(c.metadata.namespace, `the management cluster returned EKS-A cluster ${c.metadata.name} in namespace`, API_NAME_HINT);
  }

  const capiClusters = indexByName(kind('Cluster', 'cluster.x-k8s.io'));
  const controlPlanes = indexByName(kind('KubeadmControlPlane', 'controlplane.cluster.x-k8s.io'));
  const etcdClusters = indexByName(kind('EtcdadmCluster', 'etcdcluster.cluster.x-k8s.io'));
  const deployments = groupByCluster(kind('MachineDeployment', 'cluster.x-k8s.io'), (md) => md.spec?.clusterName);
  const machines = groupByCluster(kind('Machine', 'cluster.x-k8s.io'), (m) => m.spec?.clusterName);
  const eksaObjects = indexByKindAndName(items.filter((i) => groupOf(i.apiVersion) === EKSA_GROUP));

  const clusters: ClusterObjects[] = [mgmt, ...workloads].map((eksa) => {
    const name = eksa.metadata.name;
    const capi = capiClusters.get(name);
    const cpName = capi?.spec?.controlPlaneRef?.name ?? name;
    const etcdName = capi?.spec?.managedExternalEtcdRef?.name ?? `${name}-etcd`;
    const spec = eksa.spec ?? {};
    const ns = eksa.metadata.namespace ?? 'default';
    const refName = (ref: unknown) => (ref as { name?: string } | undefined)?.name;
    const machineConfigNames = new Set(
      [
        refName(spec.controlPlaneConfiguration?.machineGroupRef),
        refName(spec.externalEtcdConfiguration?.machineGroupRef),
        ...((spec.workerNodeGroupConfigurations ?? []) as any[]).map((g) => refName(g?.machineGroupRef)),
      ].filter((n): n is string => typeof n === 'string'),
    );
    const machineConfigs = [...machineConfigNames]
      .map((n) => eksaObjects.get(`${ns}/${n}`)?.find((o) => o.kind.endsWith('MachineConfig')))
      .filter((o): o is KubeObject => o !== undefined);
    const datacenterRef = spec.datacenterRef as { kind?: string; name?: string } | undefined;
    const datacenter = eksaObjects.get(`${ns}/${datacenterRef?.name}`)?.find((o) => o.kind === datacenterRef?.kind);
    return {
      name,
      eksa,
      capi,
      controlPlane: controlPlanes.get(cpName),
      etcd: etcdClusters.get(etcdName),
      machineDeployments: deployments.get(name) ?? [],
      machines: machines.get(name) ?? [],
      datacenter,
      machineConfigs,
    };
  });
  return { management, clusters, kubectlCalls };
}

export function managementOf(eksaCluster: KubeObject): string {
  const name = eksaCluster.spec?.managementCluster?.name;
  return typeof name === 'string' && name !== '' ? name : eksaCluster.metadata.name;
}

// CAPI objects of EKS-A live in eksa-system; prefer that namespace when a name repeats elsewhere.
function indexByName(objects: readonly KubeObject[]): Map<string, KubeObject> {
  const index = new Map<string, KubeObject>();
  for (const o of objects) {
    const seen = index.get(o.metadata.name);
    if (!seen || (seen.metadata.namespace !== CAPI_NAMESPACE && o.metadata.namespace === CAPI_NAMESPACE)) {
      index.set(o.metadata.name, o);
    }
  }
  return index;
}

function indexByKindAndName(objects: readonly KubeObject[]): Map<string, KubeObject[]> {
  const index = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const key = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const list = index.get(key);
    if (list) list.push(o);
    else index.set(key, [o]);
  }
  return index;
}

function groupByCluster(objects: readonly KubeObject[], clusterOf: (o: KubeObject) => unknown): Map<string, KubeObject[]> {
  const groups = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const cluster = o.metadata.labels?.[CLUSTER_NAME_LABEL] ?? clusterOf(o);
    if (typeof cluster !== 'string') continue;
    const list = groups.get(cluster);
    if (list) list.push(o);
    else groups.set(cluster, [o]);
  }
  return groups;
}
