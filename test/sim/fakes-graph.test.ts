import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module of the simulator
import { ObjectGraph, filenameOf, parseClusterSecretName, typeInfo } from '../../sim/fakes/object-graph.js';

const NS = 'eksa-system';
const CAPI = 'cluster.x-k8s.io/v1beta2';
const INFRA = 'infrastructure.cluster.x-k8s.io/v1beta1';

function types(): Map<string, unknown> {
  const rows: Array<[string, string, string]> = [
    ['cluster.x-k8s.io', 'Cluster', 'v1beta2'],
    ['cluster.x-k8s.io', 'ClusterClass', 'v1beta2'],
    ['cluster.x-k8s.io', 'Machine', 'v1beta2'],
    ['cluster.x-k8s.io', 'MachineDeployment', 'v1beta2'],
    ['controlplane.cluster.x-k8s.io', 'KubeadmControlPlane', 'v1beta2'],
    ['bootstrap.cluster.x-k8s.io', 'KubeadmConfig', 'v1beta2'],
    ['infrastructure.cluster.x-k8s.io', 'VSphereCluster', 'v1beta1'],
    ['infrastructure.cluster.x-k8s.io', 'VSphereMachine', 'v1beta1'],
    ['infrastructure.cluster.x-k8s.io', 'VSphereMachineTemplate', 'v1beta1'],
    ['', 'Secret', 'v1'],
    ['', 'ConfigMap', 'v1'],
  ];
  return new Map(rows.map(([g, k, v]) => [`${g}/${k}`, { ...typeInfo(g, k, true), version: v }]));
}

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid?: string; labels?: Record<string, string>; ownerReferences?: unknown[] };
}

const obj = (apiVersion: string, kind: string, name: string, owners: Obj[] = [], extra: Partial<Obj['metadata']> = {}): Obj => ({
  apiVersion,
  kind,
  metadata: {
    name,
    namespace: NS,
    uid: `uid-${kind}-${name}`,
    ...(owners.length ? { ownerReferences: owners.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid })) } : {}),
    ...extra,
  },
});

/** One CAPI cluster the way EKS-A lays it out on vSphere, plus its cluster Secrets. */
function clusterObjects(name: string): Obj[] {
  const cluster = obj(CAPI, 'Cluster', name);
  const kcp = obj('controlplane.cluster.x-k8s.io/v1beta2', 'KubeadmControlPlane', name, [cluster]);
  const machine = obj(CAPI, 'Machine', `${name}-cp-abcde`, [kcp]);
  return [
    cluster,
    obj(INFRA, 'VSphereCluster', name, [cluster]),
    kcp,
    machine,
    obj(INFRA, 'VSphereMachine', `${name}-cp-xyz`, [machine]),
    obj('bootstrap.cluster.x-k8s.io/v1beta2', 'KubeadmConfig', `${name}-cp-cfg`, [machine]),
    obj(INFRA, 'VSphereMachineTemplate', `${name}-control-plane-template`, [cluster]),
    obj('v1', 'Secret', `${name}-kubeconfig`, [cluster]),
    obj('v1', 'Secret', `${name}-ca`),
    obj('v1', 'Secret', `${name}-etcd`),
    obj('v1', 'Secret', `${name}-apiserver-etcd-client`),
    obj('v1', 'Secret', `${name}-vsphere-credentials`),
  ];
}

function graphOf(objects: Obj[]) {
  const graph = new ObjectGraph(types());
  for (const o of objects) graph.add(o);
  graph.setSoftOwnership();
  graph.setTenants();
  return graph;
}

const files = (graph: { moveNodes(): unknown[] }) => graph.moveNodes().map(filenameOf).sort();

const registrySecret = obj('v1', 'Secret', 'registry-credentials', [], { labels: { 'clusterctl.cluster.x-k8s.io/move': 'true' } });
const strayConfigMap = obj('v1', 'ConfigMap', 'kube-vip-config');

describe('fake clusterctl object graph', () => {
  it('moves the ownerRef tree, soft-owned cluster Secrets and force-moved objects, nothing else', () => {
    const graph = graphOf([...clusterObjects('mgmt'), registrySecret, strayConfigMap]);
    expect(files(graph)).toEqual([
      'Cluster_eksa-system_mgmt.yaml',
      'KubeadmConfig_eksa-system_mgmt-cp-cfg.yaml',
      'KubeadmControlPlane_eksa-system_mgmt.yaml',
      'Machine_eksa-system_mgmt-cp-abcde.yaml',
      'Secret_eksa-system_mgmt-ca.yaml',
      'Secret_eksa-system_mgmt-etcd.yaml',
      'Secret_eksa-system_mgmt-kubeconfig.yaml',
      'Secret_eksa-system_registry-credentials.yaml',
      'VSphereCluster_eksa-system_mgmt.yaml',
      'VSphereMachineTemplate_eksa-system_mgmt-control-plane-template.yaml',
      'VSphereMachine_eksa-system_mgmt-cp-xyz.yaml',
    ]);
  });

  it('parses secret names the way util/secret does (the purpose follows the last dash)', () => {
    expect(parseClusterSecretName('w1-kubeconfig')).toBe('w1');
    expect(parseClusterSecretName('my-cluster-sa')).toBe('my-cluster');
    expect(parseClusterSecretName('w1-apiserver-etcd-client')).toBeUndefined();
    expect(parseClusterSecretName('w1-vsphere-credentials')).toBeUndefined();
    expect(parseClusterSecretName('kubeconfig')).toBeUndefined();
  });

  it('orders the move so every owner comes before what it owns', () => {
    const graph = graphOf(clusterObjects('mgmt'));
    const groups = graph.moveSequence().map((g: Array<{ kind: string; name: string }>) => g.map((n) => `${n.kind}/${n.name}`).sort());
    expect(groups).toEqual([
      ['Cluster/mgmt'],
      // Soft-owned Secrets wait for their Cluster like owned ones do.
      [
        'KubeadmControlPlane/mgmt',
        'Secret/mgmt-ca',
        'Secret/mgmt-etcd',
        'Secret/mgmt-kubeconfig',
        'VSphereCluster/mgmt',
        'VSphereMachineTemplate/mgmt-control-plane-template',
      ],
      ['Machine/mgmt-cp-abcde'],
      ['KubeadmConfig/mgmt-cp-cfg', 'VSphereMachine/mgmt-cp-xyz'].sort(),
    ]);
  });

  it('never writes an object whose owner is outside the graph', () => {
    const orphan = obj(INFRA, 'VSphereMachine', 'orphan', [obj(CAPI, 'Cluster', 'mgmt')]);
    orphan.metadata.ownerReferences = [
      ...(orphan.metadata.ownerReferences ?? []),
      { apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'VSphereMachineConfig', name: 'x', uid: 'uid-not-listed' },
    ];
    const graph = graphOf([...clusterObjects('mgmt'), orphan]);
    expect(graph.moveNodes().map((n: { name: string }) => n.name)).toContain('orphan');
    const written = graph.moveSequence().flat().map((n: { name: string }) => n.name);
    expect(written).not.toContain('orphan');
  });

  it('resolves ownerReferences without uid by kind and name', () => {
    const objects = clusterObjects('w1').map((o) => {
      const { uid: _uid, ...metadata } = o.metadata;
      return {
        ...o,
        metadata: {
          ...metadata,
          ...(metadata.ownerReferences
            ? { ownerReferences: metadata.ownerReferences.map((r) => ({ ...(r as object), uid: undefined })) }
            : {}),
        },
      };
    });
    expect(files(graphOf(objects))).toHaveLength(10);
  });

  it('makes a topology Cluster wait for its ClusterClass (soft ownership)', () => {
    const cc = obj(CAPI, 'ClusterClass', 'vsphere-class');
    const cluster = { ...obj(CAPI, 'Cluster', 'w9'), spec: { topology: { classRef: { name: 'vsphere-class' } } } };
    const groups = graphOf([cc, cluster]).moveSequence().map((g: Array<{ kind: string }>) => g.map((n) => n.kind));
    expect(groups).toEqual([['ClusterClass'], ['Cluster']]);
  });

  describe('--filter-cluster', () => {
    it('keeps the named cluster and force-moved objects without a cluster tenant', () => {
      const graph = graphOf([...clusterObjects('mgmt'), ...clusterObjects('w1'), registrySecret, strayConfigMap]);
      expect(graph.filterCluster('w1')).toBeUndefined();
      const kept = files(graph);
      expect(kept).toContain('Cluster_eksa-system_w1.yaml');
      expect(kept).toContain('Secret_eksa-system_registry-credentials.yaml');
      expect(kept.filter((f: string) => f.includes('mgmt'))).toEqual([]);
      expect(kept).toHaveLength(11);
    });

    it('fails on an object that two clusters depend on', () => {
      const mgmt = clusterObjects('mgmt');
      const w1 = clusterObjects('w1');
      const shared = obj(INFRA, 'VSphereMachineTemplate', 'shared-template', [mgmt[0] as Obj, w1[0] as Obj]);
      const graph = graphOf([...mgmt, ...w1, shared]);
      expect(graph.filterCluster('w1')).toBe('resource shared-template is a dependent of clusters mgmt,w1. Only one cluster dependent allowed');
    });

    it('drops a force-moved object that belongs to another cluster', () => {
      const w2 = clusterObjects('w2');
      const labelled = obj('v1', 'Secret', 'w2-extra', [w2[0] as Obj], { labels: { 'clusterctl.cluster.x-k8s.io/move': '' } });
      const graph = graphOf([...clusterObjects('w1'), ...w2, labelled]);
      graph.filterCluster('w1');
      expect(files(graph)).not.toContain('Secret_eksa-system_w2-extra.yaml');
    });

    it('keeps nothing but force-moved objects for an unknown cluster name', () => {
      const graph = graphOf([...clusterObjects('mgmt'), registrySecret]);
      expect(graph.filterCluster('nope')).toBeUndefined();
      expect(files(graph)).toEqual(['Secret_eksa-system_registry-credentials.yaml']);
    });
  });
});
