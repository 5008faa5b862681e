// Rule 8: the loader against a sample of EKS Anywhere's own cluster specs (copied, Apache-2.0, with their
// source path in their first line), accepting or refusing each as EKS-A decides it in
// pkg/api/v1alpha1/cluster_test.go (GetAndValidateClusterConfig) and pkg/cluster (ValidateConfig).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { validateClusterSpec } from '../../src/spec/validate-cluster.js';

const DIR = path.join(import.meta.dirname, '..', 'fixtures', 'eksa-specs');

const samples: Array<[file: string, verdict: 'accept' | 'refuse', why: string]> = [
  ['cluster_vsphere.yaml', 'accept', 'a plain vSphere cluster'],
  ['cluster_valid_taints_workload_cluster.yaml', 'accept', 'every group tainted is fine on a workload cluster (validateWorkerNodeGroups)'],
  ['tinkerbell_cluster_without_worker_nodes.yaml', 'accept', 'Tinkerbell may have no worker groups (validateWorkerNodeGroups, a warning)'],
  ['cluster_invalid_no_worker_node_groups.yaml', 'refuse', 'WorkerNodeGroupConfigs cannot be empty (validateWorkerNodeGroups)'],
  ['cluster_invalid_taints.yaml', 'refuse', 'every group NoExecute/NoSchedule on a self-managed cluster (validateWorkerNodeGroups)'],
  ['cluster_invalid_cluster_name.yaml', 'refuse', 'ValidateClusterName'],
  ['cluster_even_control_plane_replicas.yaml', 'refuse', 'validateControlPlaneReplicas'],
  ['unstacked_etcd_even_replicas.yaml', 'refuse', 'unknown field etcdConfiguration (UnmarshalStrict)'],
  ['invalid_spec_field.yaml', 'refuse', 'unknown field (UnmarshalStrict)'],
  ['cluster_1_20_namespace_mismatch_between_cluster_and_datacenter.yaml', 'refuse', 'validateSameNamespace'],
];

describe('EKS-A sample specs', () => {
  it.each(samples)('%s: %s (%s)', (file, verdict) => {
    const text = readFileSync(path.join(DIR, file), 'utf8');
    if (verdict === 'accept') expect(() => parseSpec(text, file)).not.toThrow();
    else expect(() => parseSpec(text, file)).toThrow(UsageError);
  });
});

const base = () => ({
  apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'm01' } as Record<string, any>,
  spec: {
    kubernetesVersion: '1.31',
    datacenterRef: { kind: 'VSphereDatacenterConfig', name: 'dc.example' },
    controlPlaneConfiguration: { count: 3, endpoint: { host: '10.0.0.1' }, machineGroupRef: { kind: 'VSphereMachineConfig', name: 'cp.v1' } },
    workerNodeGroupConfigurations: [{ name: 'md-0', count: 2, machineGroupRef: { kind: 'VSphereMachineConfig', name: 'cp.v1' } }],
  } as Record<string, any>,
});
const dc = (ns?: string) => ({ apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'VSphereDatacenterConfig', metadata: { name: 'dc.example', ...(ns ? { namespace: ns } : {}) } });

const rows: Array<[name: string, source: string, mutate: (c: ReturnType<typeof base>) => void, error: string | undefined, warning?: string]> = [
  ['a valid spec; machine config and datacenter names with a dot', '-', () => {}, undefined],
  ['cluster name starting with a digit', 'ValidateClusterName', (c) => (c.metadata.name = '1abc'), 'is not a valid cluster name'],
  ['cluster name of one character', 'ValidateClusterName', (c) => (c.metadata.name = 'a'), 'is not a valid cluster name'],
  ['cluster name of 36 characters', 'ValidateClusterNameLength', (c) => (c.metadata.name = `a${'b'.repeat(35)}`), 'at most 35'],
  ['control plane count 0', 'validateControlPlaneReplicas', (c) => (c.spec.controlPlaneConfiguration.count = 0), 'control plane node count must be positive'],
  ['control plane count 2, stacked etcd', 'validateControlPlaneReplicas', (c) => (c.spec.controlPlaneConfiguration.count = 2), 'cannot be an even number'],
  ['control plane count 2, external etcd', 'validateControlPlaneReplicas', (c) => {
    c.spec.controlPlaneConfiguration.count = 2;
    c.spec.externalEtcdConfiguration = { count: 3, machineGroupRef: { kind: 'VSphereMachineConfig', name: 'cp.v1' } };
  }, undefined],
  ['control plane count "3" (a string)', 'UnmarshalStrict', (c) => (c.spec.controlPlaneConfiguration.count = '3'), 'must be an integer'],
  ['control plane count 7: a warning', 'validateControlPlaneReplicas', (c) => (c.spec.controlPlaneConfiguration.count = 7), undefined, 'recommended number of control plane nodes'],
  ['external etcd count 4', 'validateEtcdReplicas', (c) => (c.spec.externalEtcdConfiguration = { count: 4, machineGroupRef: { kind: 'K', name: 'n' } }), 'external etcd count cannot be an even number'],
  ['external etcd count 0', 'validateEtcdReplicas', (c) => (c.spec.externalEtcdConfiguration = { count: 0, machineGroupRef: { kind: 'K', name: 'n' } }), 'no value set for etcd replicas'],
  ['external etcd count -1', 'validateEtcdReplicas', (c) => (c.spec.externalEtcdConfiguration = { count: -1, machineGroupRef: { kind: 'K', name: 'n' } }), 'cannot be a negative number'],
  ['external etcd count 1: a warning', 'validateEtcdReplicas', (c) => (c.spec.externalEtcdConfiguration = { count: 1, machineGroupRef: { kind: 'K', name: 'n' } }), undefined, 'recommended size of an external etcd cluster'],
  ['external etcd on Tinkerbell', 'validateExternalEtcdSupport', (c) => {
    c.spec.datacenterRef.kind = 'TinkerbellDatacenterConfig';
    c.spec.externalEtcdConfiguration = { count: 3, machineGroupRef: { kind: 'K', name: 'n' } };
  }, 'tinkerbell external etcd configuration is unsupported'],
  ['no worker groups on Tinkerbell: a warning', 'validateWorkerNodeGroups', (c) => {
    c.spec.datacenterRef.kind = 'TinkerbellDatacenterConfig';
    c.spec.workerNodeGroupConfigurations = [];
  }, undefined, 'no worker node groups: pods will be scheduled on control-plane nodes'],
  ['no worker groups on vSphere', 'validateWorkerNodeGroups', (c) => (c.spec.workerNodeGroupConfigurations = []), 'WorkerNodeGroupConfigs cannot be empty'],
  ['two groups with one name', 'validateWorkerNodeGroups', (c) => c.spec.workerNodeGroupConfigurations.push({ ...c.spec.workerNodeGroupConfigurations[0] }), 'names must be unique'],
  ['second group without a name', 'validateWorkerNodeGroups', (c) => c.spec.workerNodeGroupConfigurations.push({ count: 1, machineGroupRef: { kind: 'K', name: 'n' } }), 'must specify name for worker nodes'],
  ['first group without a name defaults to md-0', 'setWorkerNodeGroupDefaults', (c) => delete c.spec.workerNodeGroupConfigurations[0].name, undefined],
  ['worker count -1', 'validateAutoscalingConfig', (c) => (c.spec.workerNodeGroupConfigurations[0].count = -1), 'worker node count must be zero or greater'],
  ['worker count 2.5', 'UnmarshalStrict', (c) => (c.spec.workerNodeGroupConfigurations[0].count = 2.5), 'must be an integer'],
  ['autoscaling min above count', 'validateAutoscalingConfig', (c) => (c.spec.workerNodeGroupConfigurations[0].autoscalingConfiguration = { minCount: 3, maxCount: 5 }), 'min count must be less than or equal to count'],
  ['worker group without machineGroupRef', 'validateMachineGroupRefs', (c) => delete c.spec.workerNodeGroupConfigurations[0].machineGroupRef, 'must specify machineGroupRef for worker nodes'],
  ['an unknown field', 'UnmarshalStrict', (c) => (c.spec.controlPlaneConfiguration.replicas = 3), 'unknown field "spec.controlPlaneConfiguration.replicas"'],
  ['kubernetesVersion a number (unquoted 1.3)', 'UnmarshalStrict after NormalizeKubernetesVersion', (c) => (c.spec.kubernetesVersion = 1.3), 'must be a string'],
  ['bundlesRef and eksaVersion', 'validateEksaVersion', (c) => {
    c.spec.bundlesRef = { name: 'b', namespace: 'eksa-system', apiVersion: 'v1' };
    c.spec.eksaVersion = 'v0.22.0';
  }, 'cannot pass both bundlesRef and eksaVersion'],
  ['Cluster in default, datacenter without a namespace', 'pkg/cluster validateSameNamespace', (c) => (c.metadata.namespace = 'default'), 'VSphereDatacenterConfig and Cluster objects must have the same namespace'],
];

describe('validateClusterSpec', () => {
  it.each(rows)('%s (%s)', (_name, _source, mutate, error, warning) => {
    const c = base();
    mutate(c);
    const check = validateClusterSpec([c as any, dc()], c as any);
    if (error === undefined) expect(check.errors).toEqual([]);
    else expect(check.errors.join('\n')).toContain(error);
    if (warning !== undefined) expect(check.warnings.join('\n')).toContain(warning);
  });

  it('namespaces equal: accepted', () => {
    const c = base();
    c.metadata.namespace = 'ns1';
    expect(validateClusterSpec([c as any, dc('ns1')], c as any).errors).toEqual([]);
  });
});
