import { describe, expect, it } from 'vitest';
import { assembleInventory } from '../../src/kube/inventory.js';
import type { KubeObject } from '../../src/kube/types.js';

const obj = (apiVersion: string, kind: string, name: string, namespace: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace, ...(extra.metadata ?? {}) },
  ...(extra.spec ? { spec: extra.spec } : {}),
});
const eksa = (name: string, mgmt: string, extraSpec: Record<string, unknown> = {}) =>
  obj('anywhere.eks.amazonaws.com/v1alpha1', 'Cluster', name, 'default', {
    spec: {
      managementCluster: { name: mgmt },
      datacenterRef: { kind: 'VSphereDatacenterConfig', name },
      controlPlaneConfiguration: { machineGroupRef: { kind: 'VSphereMachineConfig', name: `${name}-cp` } },
      workerNodeGroupConfigurations: [{ name: 'md-0', machineGroupRef: { kind: 'VSphereMachineConfig', name: `${name}-md-0` } }],
      ...extraSpec,
    },
  });
const capi = (name: string, ns = 'eksa-system', spec: Record<string, unknown> = {}) => obj('cluster.x-k8s.io/v1beta2', 'Cluster', name, ns, { spec });
const labelled = (kind: string, group: string, name: string, cluster: string, labels: Record<string, string> = {}) =>
  obj(group, kind, name, 'eksa-system', { metadata: { name, labels: { 'cluster.x-k8s.io/cluster-name': cluster, ...labels } } });

describe('assembleInventory', () => {
  const items: KubeObject[] = [
    eksa('w02', 'mgmt'),
    eksa('mgmt', 'mgmt', { externalEtcdConfiguration: { machineGroupRef: { kind: 'VSphereMachineConfig', name: 'mgmt-etcd' } } }),
    eksa('w01', 'mgmt'),
    eksa('other', 'other-mgmt'),
    obj('anywhere.eks.amazonaws.com/v1alpha1', 'VSphereDatacenterConfig', 'mgmt', 'default'),
    obj('anywhere.eks.amazonaws.com/v1alpha1', 'VSphereMachineConfig', 'mgmt-cp', 'default'),
    obj('anywhere.eks.amazonaws.com/v1alpha1', 'VSphereMachineConfig', 'mgmt-etcd', 'default'),
    obj('anywhere.eks.amazonaws.com/v1alpha1', 'VSphereMachineConfig', 'mgmt-md-0', 'default'),
    capi('mgmt', 'eksa-system', { controlPlaneRef: { name: 'mgmt' }, managedExternalEtcdRef: { name: 'mgmt-etcd' } }),
    capi('w01', 'elsewhere'),
    capi('w01'),
    obj('controlplane.cluster.x-k8s.io/v1beta2', 'KubeadmControlPlane', 'mgmt', 'eksa-system'),
    obj('controlplane.cluster.x-k8s.io/v1beta2', 'KubeadmControlPlane', 'w01', 'eksa-system'),
    obj('etcdcluster.cluster.x-k8s.io/v1beta1', 'EtcdadmCluster', 'mgmt-etcd', 'eksa-system'),
    labelled('MachineDeployment', 'cluster.x-k8s.io/v1beta2', 'mgmt-md-0', 'mgmt'),
    obj('cluster.x-k8s.io/v1beta2', 'MachineDeployment', 'w01-md-0', 'eksa-system', { spec: { clusterName: 'w01' } }),
    labelled('Machine', 'cluster.x-k8s.io/v1beta2', 'mgmt-cp-a', 'mgmt', { 'cluster.x-k8s.io/control-plane': '' }),
    labelled('Machine', 'cluster.x-k8s.io/v1beta2', 'mgmt-etcd-a', 'mgmt', { 'cluster.x-k8s.io/etcd-cluster': 'mgmt-etcd' }),
    labelled('Machine', 'cluster.x-k8s.io/v1beta2', 'w01-cp-a', 'w01'),
  ];

  it('puts the management cluster first, then its workload clusters by name, and nothing else', () => {
    const inv = assembleInventory(items, 'mgmt', 1);
    expect(inv.clusters.map((c) => c.name)).toEqual(['mgmt', 'w01', 'w02']);
    expect(inv.kubectlCalls).toBe(1);
  });

  it('joins every object of a cluster by its references and labels', () => {
    const [mgmt, w01, w02] = assembleInventory(items, 'mgmt', 1).clusters;
    expect(mgmt!.capi?.metadata.name).toBe('mgmt');
    expect(mgmt!.controlPlane?.metadata.name).toBe('mgmt');
    expect(mgmt!.etcd?.metadata.name).toBe('mgmt-etcd');
    expect(mgmt!.machineDeployments.map((m) => m.metadata.name)).toEqual(['mgmt-md-0']);
    expect(mgmt!.machines.map((m) => m.metadata.name)).toEqual(['mgmt-cp-a', 'mgmt-etcd-a']);
    expect(mgmt!.datacenter?.kind).toBe('VSphereDatacenterConfig');
    expect(mgmt!.machineConfigs.map((m) => m.metadata.name).sort()).toEqual(['mgmt-cp', 'mgmt-etcd', 'mgmt-md-0']);
    expect(w01!.capi?.metadata.namespace).toBe('eksa-system');
    expect(w01!.machineDeployments.map((m) => m.metadata.name)).toEqual(['w01-md-0']);
    expect(w01!.etcd).toBeUndefined();
    expect(w02!.capi).toBeUndefined();
    expect(w02!.machines).toEqual([]);
  });

  it('names the clusters it found when the management cluster is absent', () => {
    expect(() => assembleInventory(items, 'nope', 1)).toThrow(/EKS Anywhere cluster nope is not in the cluster the kubeconfig points at \(found: w02, mgmt, w01, other\)/);
  });
});
