import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module of the simulator
import { pausedClusterClasses, pausedClusters, provisioningErrors } from '../../sim/fakes/provisioning.js';
// @ts-expect-error plain JS module of the simulator
import { behaviourOf } from '../../sim/fakes/clusterctl-version.js';

const CP_INIT_V1BETA2 = { type: 'ControlPlaneInitialized', status: 'True', reason: 'Initialized', message: '' };

function v1beta2Cluster(name: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name, namespace: 'eksa-system' },
    spec: { controlPlaneRef: { apiGroup: 'controlplane.cluster.x-k8s.io', kind: 'KubeadmControlPlane', name }, ...spec },
    status,
  };
}

const ready = (name: string) =>
  v1beta2Cluster(name, { initialization: { infrastructureProvisioned: true, controlPlaneInitialized: true }, conditions: [CP_INIT_V1BETA2] });

const v113 = behaviourOf('v1.13.2');
const v110 = behaviourOf('v1.10.0');

describe('clusterctl version behaviour', () => {
  it.each([
    ['v1.13.2', true, 'v1beta2', 'never'],
    ['v1.12.0', true, 'v1beta2', 'never'],
    ['v1.11.1', false, 'v1beta2', 'never'],
    ['v1.11.0', false, 'v1beta2', 'non-etcd-machines'],
    ['1.10.0', false, 'v1beta1', 'non-etcd-machines'],
  ])('%s refuses paused=%s, reads %s, nodeRef check %s', (version, refusesPaused, contract, nodeRefCheck) => {
    expect(behaviourOf(version)).toMatchObject({ refusesPaused, contract, nodeRefCheck });
  });

  it('refuses a version it cannot parse', () => {
    expect(() => behaviourOf('latest')).toThrow(/cannot parse version/);
  });
});

describe('provisioning check', () => {
  const GVK = '"cluster.x-k8s.io/v1beta2, Kind=Cluster"';

  it('passes a provisioned cluster', () => {
    expect(provisioningErrors([ready('mgmt')], [], v113)).toEqual([]);
  });

  it.each([
    [
      'infrastructure not provisioned',
      v1beta2Cluster('w1', { initialization: { infrastructureProvisioned: false }, conditions: [CP_INIT_V1BETA2] }),
      `cannot start the move operation while ${GVK} eksa-system/w1 is still provisioning the infrastructure`,
    ],
    [
      'no ControlPlaneInitialized condition',
      v1beta2Cluster('w1', { initialization: { infrastructureProvisioned: true, controlPlaneInitialized: true }, conditions: [] }),
      `cannot start the move operation while the control plane for ${GVK} eksa-system/w1 is not yet initialized`,
    ],
    [
      'condition True but status.initialization.controlPlaneInitialized unset',
      v1beta2Cluster('w1', { initialization: { infrastructureProvisioned: true }, conditions: [CP_INIT_V1BETA2] }),
      `cannot start the move operation while the control plane for ${GVK} eksa-system/w1 is not yet initialized`,
    ],
  ])('v1.13: %s', (_name, cluster, message) => {
    expect(provisioningErrors([cluster], [], v113)).toEqual([message]);
  });

  it('reads a v1beta1-shaped Cluster through its v1beta1 fields', () => {
    const v1beta1 = {
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Cluster',
      metadata: { name: 'old', namespace: 'eksa-system' },
      spec: { controlPlaneRef: { kind: 'KubeadmControlPlane', name: 'old' } },
      status: { infrastructureReady: true, controlPlaneReady: false, conditions: [{ type: 'ControlPlaneInitialized', status: 'True' }] },
    };
    expect(provisioningErrors([v1beta1], [], v113)).toEqual([
      `cannot start the move operation while the control plane for ${GVK} eksa-system/old is not yet initialized`,
    ]);
    expect(provisioningErrors([v1beta1], [], v110)).toEqual([
      'cannot start the move operation while the control plane for "cluster.x-k8s.io/v1beta1, Kind=Cluster" eksa-system/old is not yet ready',
    ]);
    expect(provisioningErrors([{ ...v1beta1, status: { ...v1beta1.status, controlPlaneReady: true } }], [], v110)).toEqual([]);
  });

  it('checks Machines for a nodeRef only before v1.11.1, and never etcd Machines', () => {
    const machine = (name: string, labels: Record<string, string> = {}) => ({
      apiVersion: 'cluster.x-k8s.io/v1beta1',
      kind: 'Machine',
      metadata: { name, namespace: 'eksa-system', labels },
      status: {},
    });
    const machines = [machine('w1-cp-1'), machine('w1-etcd-1', { 'cluster.x-k8s.io/etcd-cluster': 'w1-etcd' })];
    expect(provisioningErrors([], machines, v113)).toEqual([]);
    expect(provisioningErrors([], machines, v110)).toEqual([
      'cannot start the move operation while "cluster.x-k8s.io/v1beta1, Kind=Machine" eksa-system/w1-cp-1 is still provisioning the node',
    ]);
  });

  it('reports every failing cluster', () => {
    const bad = (name: string) => v1beta2Cluster(name, {});
    expect(provisioningErrors([bad('a'), ready('b'), bad('c')], [], v113)).toHaveLength(2);
  });
});

describe('paused clusters', () => {
  it('finds spec.paused and the cluster.x-k8s.io/paused annotation', () => {
    const byAnnotation = { ...ready('w2'), metadata: { name: 'w2', namespace: 'eksa-system', annotations: { 'cluster.x-k8s.io/paused': '' } } };
    expect(pausedClusters([v1beta2Cluster('w1', {}, { paused: true }), ready('mgmt'), byAnnotation])).toEqual(['eksa-system/w1', 'eksa-system/w2']);
    expect(pausedClusters([v1beta2Cluster('w3', {}, { paused: false })])).toEqual([]);
  });

  it('finds ClusterClasses paused by annotation only', () => {
    const cc = (name: string, annotations?: Record<string, string>) => ({ kind: 'ClusterClass', metadata: { name, namespace: 'eksa-system', annotations } });
    expect(pausedClusterClasses([cc('a', { 'cluster.x-k8s.io/paused': '' }), cc('b')])).toEqual(['eksa-system/a']);
  });
});
