// Builders for the objects of a ready EKS-A cluster, in CAPI's v1beta2 layout and in its v1beta1 layout.
// Tests start from a ready cluster and apply one mutation per table row.
import type { ClusterObjects, Inventory, KubeObject } from '../../src/kube/types.js';
import type { ClusterSpec, WorkerGroupSpec } from '../../src/spec/types.js';

export type Shape = 'v1beta1' | 'v1beta2';
export const SHAPES: Shape[] = ['v1beta2', 'v1beta1'];

/** ClusterObjects with writable fields, so a row can mutate or drop any object. */
export type Cluster = {
  -readonly [K in keyof ClusterObjects]: ClusterObjects[K] extends readonly (infer T)[] ? T[] : ClusterObjects[K];
};

export interface ClusterOptions {
  shape?: Shape;
  /** Management cluster name; the cluster's own name (self-managed) when omitted. */
  management?: string;
  kubernetesVersion?: string;
  eksaVersion?: string;
  controlPlaneReplicas?: number;
  workerGroups?: Array<{ name: string; replicas: number; kubernetesVersion?: string }>;
  externalEtcd?: boolean;
}

const NS = 'eksa-system';
const TIME = '2026-08-01T10:00:00Z';

/** A v1beta1-contract condition (EKS-A, CAPI v1beta1 `status.conditions`). */
export function v1beta1Condition(type: string, status = 'True', reason?: string, message?: string): Record<string, unknown> {
  return {
    type,
    status,
    lastTransitionTime: TIME,
    ...(status === 'True' ? {} : { severity: status === 'False' ? 'Warning' : 'Info' }),
    ...(reason === undefined ? {} : { reason }),
    ...(message === undefined ? {} : { message }),
  };
}

/** A metav1 condition (CAPI v1beta2 `status.conditions`): reason is always set. */
export function v1beta2Condition(type: string, status = 'True', reason?: string, message?: string): Record<string, unknown> {
  return { type, status, observedGeneration: 1, lastTransitionTime: TIME, reason: reason ?? type, ...(message === undefined ? {} : { message }) };
}

// v1beta2 carries negative-polarity conditions that are False when all is well.
const negatives = (...types: string[]) => types.map((t) => v1beta2Condition(t, 'False', `Not${t}`));
const positives1 = (...types: string[]) => types.map((t) => v1beta1Condition(t));
const positives2 = (...types: string[]) => types.map((t) => v1beta2Condition(t));

/** `obj.status`, created if absent; tests mutate through it. */
export function st(obj: KubeObject | undefined): Record<string, any> {
  if (!obj) throw new Error('fixture object is missing');
  obj.status ??= {};
  return obj.status;
}

/** Sets (or replaces) a condition in the list the object's own layout keeps in `status.conditions`. */
export function setCondition(obj: KubeObject | undefined, condition: Record<string, unknown>): void {
  const status = st(obj);
  const list: Array<Record<string, unknown>> = (status.conditions ??= []);
  const i = list.findIndex((c) => c.type === condition.type);
  if (i >= 0) list[i] = condition;
  else list.push(condition);
}

export function removeCondition(obj: KubeObject | undefined, type: string): void {
  const status = st(obj);
  status.conditions = (status.conditions ?? []).filter((c: { type: string }) => c.type !== type);
}

function eksaCluster(name: string, o: Required<Omit<ClusterOptions, 'shape'>>): KubeObject {
  return {
    apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1',
    kind: 'Cluster',
    metadata: { name, namespace: 'default', generation: 4, annotations: {} },
    spec: {
      kubernetesVersion: o.kubernetesVersion,
      eksaVersion: o.eksaVersion,
      managementCluster: { name: o.management },
      datacenterRef: { kind: 'VSphereDatacenterConfig', name },
      controlPlaneConfiguration: {
        count: o.controlPlaneReplicas,
        endpoint: { host: '10.0.0.10' },
        machineGroupRef: { kind: 'VSphereMachineConfig', name: `${name}-cp` },
      },
      workerNodeGroupConfigurations: o.workerGroups.map((g) => ({
        name: g.name,
        count: g.replicas,
        machineGroupRef: { kind: 'VSphereMachineConfig', name: `${name}-${g.name}` },
        ...(g.kubernetesVersion === undefined ? {} : { kubernetesVersion: g.kubernetesVersion }),
      })),
      ...(o.externalEtcd ? { externalEtcdConfiguration: { count: 3, machineGroupRef: { kind: 'VSphereMachineConfig', name: `${name}-etcd` } } } : {}),
    },
    status: {
      observedGeneration: 4,
      reconciledGeneration: 4,
      childrenReconciledGeneration: 7,
      conditions: positives1('ControlPlaneInitialized', 'ControlPlaneReady', 'DefaultCNIConfigured', 'Ready', 'WorkersReady'),
    },
  };
}

function capiCluster(name: string, shape: Shape, externalEtcd: boolean): KubeObject {
  const spec = {
    controlPlaneRef: { apiGroup: 'controlplane.cluster.x-k8s.io', kind: 'KubeadmControlPlane', name },
    infrastructureRef: { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'VSphereCluster', name },
    ...(externalEtcd ? { managedExternalEtcdRef: { kind: 'EtcdadmCluster', name: `${name}-etcd` } } : {}),
  };
  const v1beta1Conditions = positives1('ControlPlaneInitialized', 'ControlPlaneReady', 'InfrastructureReady', 'Ready');
  const v1beta2Conditions = [
    ...positives2('Available', 'InfrastructureReady', 'ControlPlaneInitialized', 'ControlPlaneAvailable', 'WorkersAvailable', 'RemoteConnectionProbe', 'MachinesReady', 'MachinesUpToDate'),
    ...negatives('RollingOut', 'ScalingUp', 'ScalingDown', 'Remediating', 'Deleting', 'Paused'),
  ];
  const metadata = { name, namespace: NS, generation: 2, labels: { 'cluster.x-k8s.io/cluster-name': name } };
  if (shape === 'v1beta2') {
    return {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata,
      spec,
      status: {
        observedGeneration: 2,
        phase: 'Provisioned',
        initialization: { infrastructureProvisioned: true, controlPlaneInitialized: true },
        conditions: v1beta2Conditions,
        deprecated: { v1beta1: { conditions: v1beta1Conditions } },
      },
    };
  }
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata,
    spec,
    status: {
      observedGeneration: 2,
      phase: 'Provisioned',
      infrastructureReady: true,
      controlPlaneReady: true,
      conditions: v1beta1Conditions,
      v1beta2: { conditions: v1beta2Conditions },
    },
  };
}

function kubeadmControlPlane(name: string, shape: Shape, replicas: number): KubeObject {
  const metadata = { name, namespace: NS, generation: 3 };
  const spec = { replicas, version: 'v1.31.6-eks-1-31-20' };
  const v1beta1Conditions = positives1('Available', 'CertificatesAvailable', 'ControlPlaneComponentsHealthy', 'EtcdClusterHealthy', 'MachinesReady', 'MachinesSpecUpToDate', 'Ready', 'Resized');
  const v1beta2Conditions = [
    ...positives2('Available', 'CertificatesAvailable', 'ControlPlaneComponentsHealthy', 'EtcdClusterHealthy', 'Initialized', 'MachinesReady', 'MachinesUpToDate'),
    ...negatives('RollingOut', 'ScalingUp', 'ScalingDown', 'Remediating', 'Deleting', 'Paused'),
  ];
  if (shape === 'v1beta2') {
    return {
      apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
      kind: 'KubeadmControlPlane',
      metadata,
      spec,
      status: {
        observedGeneration: 3,
        replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        upToDateReplicas: replicas,
        version: spec.version,
        initialization: { controlPlaneInitialized: true },
        conditions: v1beta2Conditions,
        deprecated: { v1beta1: { updatedReplicas: replicas, readyReplicas: replicas, conditions: v1beta1Conditions } },
      },
    };
  }
  return {
    apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1',
    kind: 'KubeadmControlPlane',
    metadata,
    spec,
    status: {
      observedGeneration: 3,
      replicas,
      readyReplicas: replicas,
      updatedReplicas: replicas,
      initialized: true,
      ready: true,
      version: spec.version,
      conditions: v1beta1Conditions,
      v1beta2: { readyReplicas: replicas, availableReplicas: replicas, upToDateReplicas: replicas, conditions: v1beta2Conditions },
    },
  };
}

function etcdadmCluster(name: string): KubeObject {
  return {
    apiVersion: 'etcdcluster.cluster.x-k8s.io/v1beta1',
    kind: 'EtcdadmCluster',
    metadata: { name: `${name}-etcd`, namespace: NS, generation: 2 },
    spec: { replicas: 3 },
    status: {
      observedGeneration: 2,
      replicas: 3,
      ready: true,
      initialized: true,
      creationComplete: true,
      endpoints: 'https://10.0.0.21:2379,https://10.0.0.22:2379,https://10.0.0.23:2379',
      conditions: positives1('EtcdCertificatesAvailable', 'EtcdClusterResizeCompleted', 'EtcdEndpointsAvailable', 'EtcdMachinesSpecUpToDate', 'Ready'),
    },
  };
}

function machineDeployment(cluster: string, group: string, shape: Shape, replicas: number): KubeObject {
  const metadata = { name: `${cluster}-${group}`, namespace: NS, generation: 5, labels: { 'cluster.x-k8s.io/cluster-name': cluster } };
  const spec = { clusterName: cluster, replicas };
  const v1beta1Conditions = positives1('Available', 'MachineSetReady', 'Ready');
  const v1beta2Conditions = [
    ...positives2('Available', 'MachinesReady', 'MachinesUpToDate'),
    ...negatives('RollingOut', 'ScalingUp', 'ScalingDown', 'Remediating', 'Deleting', 'Paused'),
  ];
  if (shape === 'v1beta2') {
    return {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'MachineDeployment',
      metadata,
      spec,
      status: {
        observedGeneration: 5,
        phase: 'Running',
        replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        upToDateReplicas: replicas,
        conditions: v1beta2Conditions,
        deprecated: { v1beta1: { updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, conditions: v1beta1Conditions } },
      },
    };
  }
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'MachineDeployment',
    metadata,
    spec,
    status: {
      observedGeneration: 5,
      phase: 'Running',
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: v1beta1Conditions,
      v1beta2: { readyReplicas: replicas, availableReplicas: replicas, upToDateReplicas: replicas, conditions: v1beta2Conditions },
    },
  };
}

type MachineRole = 'control-plane' | 'worker' | 'etcd';

/** A Running machine; etcd machines have no Node, hence no nodeRef and no NodeHealthy (EKS-A's CAPI patch). */
export function machine(cluster: string, name: string, role: MachineRole, shape: Shape, ip = '10.0.1.1'): KubeObject {
  const labels: Record<string, string> = { 'cluster.x-k8s.io/cluster-name': cluster };
  if (role === 'control-plane') labels['cluster.x-k8s.io/control-plane'] = '';
  if (role === 'etcd') labels['cluster.x-k8s.io/etcd-cluster'] = `${cluster}-etcd`;
  const node = role === 'etcd' ? {} : { nodeRef: { name } };
  const nodeTypes = role === 'etcd' ? [] : ['NodeHealthy'];
  const v1beta1Conditions = positives1('BootstrapReady', 'InfrastructureReady', 'Ready', ...nodeTypes);
  const v1beta2Conditions = [
    ...positives2('Available', 'BootstrapConfigReady', 'InfrastructureReady', 'Ready', 'UpToDate', ...nodeTypes, ...(role === 'etcd' ? [] : ['NodeReady'])),
    ...negatives('Deleting', 'Paused', 'Remediating'),
  ];
  const addresses = [{ type: 'ExternalIP', address: ip }];
  const metadata = { name, namespace: NS, generation: 1, labels };
  if (shape === 'v1beta2') {
    return {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Machine',
      metadata,
      spec: { clusterName: cluster },
      status: {
        observedGeneration: 1,
        phase: 'Running',
        ...node,
        addresses,
        initialization: { bootstrapDataSecretCreated: true, infrastructureProvisioned: true },
        conditions: v1beta2Conditions,
        deprecated: { v1beta1: { conditions: v1beta1Conditions } },
      },
    };
  }
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Machine',
    metadata,
    spec: { clusterName: cluster },
    status: {
      observedGeneration: 1,
      phase: 'Running',
      ...node,
      addresses,
      bootstrapReady: true,
      infrastructureReady: true,
      conditions: v1beta1Conditions,
      v1beta2: { conditions: v1beta2Conditions },
    },
  };
}

/** Every object of a ready cluster: Ready EKS-A Cluster, provisioned CAPI Cluster, KCP, MDs, Running machines. */
export function readyCluster(name: string, options: ClusterOptions = {}): Cluster {
  const shape = options.shape ?? 'v1beta2';
  const o: Required<Omit<ClusterOptions, 'shape'>> = {
    management: options.management ?? name,
    kubernetesVersion: options.kubernetesVersion ?? '1.31',
    eksaVersion: options.eksaVersion ?? 'v0.22.0',
    controlPlaneReplicas: options.controlPlaneReplicas ?? 3,
    workerGroups: options.workerGroups ?? [{ name: 'md-0', replicas: 2 }],
    externalEtcd: options.externalEtcd ?? true,
  };
  let ip = 10;
  const nextIp = () => `10.0.1.${ip++}`;
  const machines: KubeObject[] = [];
  for (let i = 0; i < o.controlPlaneReplicas; i++) machines.push(machine(name, `${name}-cp-${i}`, 'control-plane', shape, nextIp()));
  if (o.externalEtcd) for (let i = 0; i < 3; i++) machines.push(machine(name, `${name}-etcd-${i}`, 'etcd', shape, nextIp()));
  for (const g of o.workerGroups) {
    for (let i = 0; i < g.replicas; i++) machines.push(machine(name, `${name}-${g.name}-${i}`, 'worker', shape, nextIp()));
  }
  return {
    name,
    eksa: eksaCluster(name, o),
    capi: capiCluster(name, shape, o.externalEtcd),
    controlPlane: kubeadmControlPlane(name, shape, o.controlPlaneReplicas),
    etcd: o.externalEtcd ? etcdadmCluster(name) : undefined,
    machineDeployments: o.workerGroups.map((g) => machineDeployment(name, g.name, shape, g.replicas)),
    machines,
    datacenter: { apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'VSphereDatacenterConfig', metadata: { name, namespace: 'default' } },
    machineConfigs: [],
  };
}

/** The Machine or MachineDeployment of the cluster called `name`. */
export function machineNamed(c: Cluster, name: string): KubeObject {
  const m = c.machines.find((x) => x.metadata.name === name) ?? c.machineDeployments.find((x) => x.metadata.name === name);
  if (!m) throw new Error(`no machine or MachineDeployment ${name}`);
  return m;
}

/** A tree with `management` first; workloads as given. */
export function tree(management: Cluster, ...workloads: Cluster[]): Inventory {
  return { management: management.name, clusters: [management, ...workloads], kubectlCalls: 6 };
}

export interface SpecOptions {
  name: string;
  management?: string;
  kubernetesVersion?: string;
  eksaVersion?: string;
  workerGroups?: Array<Partial<WorkerGroupSpec> & { name: string }>;
}

/** A validated ClusterSpec as the spec loader would produce it. */
export function clusterSpec(o: SpecOptions): ClusterSpec {
  const management = o.management ?? o.name;
  const kubernetesVersion = o.kubernetesVersion ?? '1.31';
  const workerGroups = (o.workerGroups ?? [{ name: 'md-0' }]).map((g) => ({
    name: g.name,
    count: g.count ?? 2,
    kubernetesVersion: g.kubernetesVersion,
    machineConfigName: g.machineConfigName ?? `${o.name}-${g.name}`,
  }));
  const cluster: KubeObject = {
    apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1',
    kind: 'Cluster',
    metadata: { name: o.name, namespace: 'default' },
    spec: { kubernetesVersion, eksaVersion: o.eksaVersion, managementCluster: { name: management } },
  };
  return {
    file: 'cluster.yaml',
    documents: [cluster],
    cluster,
    name: o.name,
    namespace: 'default',
    managementClusterName: management,
    isManagement: management === o.name,
    kubernetesVersion,
    eksaVersion: o.eksaVersion,
    workerGroups,
    externalEtcd: true,
    provider: 'vsphere',
    datacenterKind: 'VSphereDatacenterConfig',
    datacenter: undefined,
    machineConfigs: [],
    controlPlaneOs: 'ubuntu',
    warnings: [],
  };
}
