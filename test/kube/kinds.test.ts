// A mixed tree: the gate reads every provider's datacenter and machine config kinds that the tree's EKS-A
// Clusters name, not only the spec's provider's (a vSphere management cluster with CloudStack workloads).
import { describe, expect, it } from 'vitest';
import { eksaExportKinds } from '../../src/backup/eksa-export.js';
import { inventoryKinds, otherProviders, providerKinds } from '../../src/kube/kinds.js';
import type { KubeObject } from '../../src/kube/types.js';

const cluster = (name: string, datacenterKind: unknown): KubeObject =>
  ({ apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'Cluster', metadata: { name, namespace: 'default' }, spec: { datacenterRef: { kind: datacenterKind, name } } }) as KubeObject;

describe('inventory kinds of a mixed tree', () => {
  it('names the other providers of the tree, sorted, each once; unknown kinds and CAPI Clusters are left out', () => {
    const tree = [
      cluster('mgmt', 'VSphereDatacenterConfig'),
      cluster('w01', 'NutanixDatacenterConfig'),
      cluster('w02', 'CloudStackDatacenterConfig'),
      cluster('w03', 'NutanixDatacenterConfig'),
      cluster('w04', 'DockerDatacenterConfig'),
      cluster('w05', 'toString'),
      cluster('w06', 42),
      { ...cluster('w07', 'SnowDatacenterConfig'), apiVersion: 'cluster.x-k8s.io/v1beta2' } as KubeObject,
    ];
    expect(otherProviders('vsphere', tree)).toEqual(['cloudstack', 'docker', 'nutanix']);
    expect(otherProviders('vsphere', [cluster('mgmt', 'VSphereDatacenterConfig')])).toEqual([]);
  });

  it("keeps the one-provider read exactly as it was, and adds the others' kinds after the spec provider's", () => {
    const g = (k: string) => `${k}.v1alpha1.anywhere.eks.amazonaws.com`;
    expect(inventoryKinds('vsphere')).toEqual([
      g('clusters'), g('vspheredatacenterconfigs'), g('vspheremachineconfigs'),
      'clusters.cluster.x-k8s.io', 'kubeadmcontrolplanes.controlplane.cluster.x-k8s.io', 'etcdadmclusters.etcdcluster.cluster.x-k8s.io',
      'machinedeployments.cluster.x-k8s.io', 'machines.cluster.x-k8s.io',
    ]);
    expect(inventoryKinds('vsphere', ['cloudstack', 'docker']).slice(0, 6)).toEqual([
      g('clusters'), g('vspheredatacenterconfigs'), g('vspheremachineconfigs'), g('cloudstackdatacenterconfigs'), g('cloudstackmachineconfigs'), g('dockerdatacenterconfigs'),
    ]);
    expect(providerKinds(['nutanix', 'nutanix'])).toEqual([g('nutanixdatacenterconfigs'), g('nutanixmachineconfigs')]);
  });

  it("exports every provider's EKS-A kinds the tree names, so a backup holds each cluster's configs", () => {
    expect(eksaExportKinds('vsphere')).not.toContain('cloudstackmachineconfigs.v1alpha1.anywhere.eks.amazonaws.com');
    expect(eksaExportKinds('vsphere', ['cloudstack'])).toContain('cloudstackmachineconfigs.v1alpha1.anywhere.eks.amazonaws.com');
    expect(eksaExportKinds('tinkerbell', ['tinkerbell'])).toEqual(eksaExportKinds('tinkerbell'));
  });
});
