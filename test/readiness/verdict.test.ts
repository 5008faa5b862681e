import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import { judgeCluster, judgeTree, type ReasonCode } from '../../src/readiness/verdict.js';
import {
  SHAPES,
  machineNamed,
  readyCluster,
  removeCondition,
  setCondition,
  st,
  tree,
  v1beta1Condition,
  v1beta2Condition,
  type Cluster,
  type Shape,
} from './fixtures.js';

/** A condition in the layout the object's own `status.conditions` uses. */
function own(shape: Shape, type: string, status: string, reason?: string, message?: string) {
  return shape === 'v1beta2' ? v1beta2Condition(type, status, reason, message) : v1beta1Condition(type, status, reason, message);
}

/** failureReason/failureMessage where each layout keeps them. */
function setFailure(obj: KubeObject | undefined, shape: Shape, failure: { failureReason?: string; failureMessage?: string }): void {
  const status = st(obj);
  if (shape === 'v1beta2') status.deprecated = { ...status.deprecated, v1beta1: { ...status.deprecated?.v1beta1, ...failure } };
  else Object.assign(status, failure);
}

interface Row {
  name: string;
  mutate: (c: Cluster, shape: Shape) => void;
  codes: ReasonCode[];
  /** Every one of these must appear in some reason message. */
  says?: Array<string | RegExp>;
}

const rows: Row[] = [
  { name: 'a ready cluster', mutate: () => {}, codes: [] },

  // EKS-A Cluster
  {
    name: 'EKS-A Ready False, with reason and message',
    mutate: (c) => setCondition(c.eksa, v1beta1Condition('Ready', 'False', 'RollingUpgradeInProgress', 'Rolling upgrade in progress')),
    codes: ['eksa-not-ready'],
    says: ['EKS-A Cluster default/w02: Ready=False (RollingUpgradeInProgress: Rolling upgrade in progress)'],
  },
  {
    name: 'EKS-A Ready Unknown',
    mutate: (c) => setCondition(c.eksa, v1beta1Condition('Ready', 'Unknown', 'OutdatedInformation')),
    codes: ['eksa-not-ready'],
    says: ['Ready=Unknown (OutdatedInformation)'],
  },
  { name: 'EKS-A Ready missing', mutate: (c) => removeCondition(c.eksa, 'Ready'), codes: ['eksa-not-ready'], says: ['Ready condition missing'] },
  {
    name: 'EKS-A failureMessage and failureReason',
    mutate: (c) => Object.assign(st(c.eksa), { failureReason: 'DatacenterConfigInvalid', failureMessage: 'datacenter\nunreachable' }),
    codes: ['failure-message'],
    says: ['failureReason DatacenterConfigInvalid, failureMessage datacenter; unreachable'],
  },
  { name: 'EKS-A failureReason alone', mutate: (c) => (st(c.eksa).failureReason = 'EksaVersionInvalid'), codes: ['failure-message'] },
  { name: 'EKS-A empty failureMessage is no failure', mutate: (c) => (st(c.eksa).failureMessage = ''), codes: [] },
  {
    name: 'EKS-A observedGeneration one behind',
    mutate: (c) => (st(c.eksa).observedGeneration = 3),
    codes: ['generation-behind'],
    says: ['status.observedGeneration 3 behind generation 4'],
  },
  { name: 'EKS-A observedGeneration unset', mutate: (c) => delete st(c.eksa).observedGeneration, codes: ['generation-behind'] },
  { name: 'EKS-A observedGeneration equal to generation', mutate: (c) => (c.eksa.metadata.generation = 4), codes: [] },

  // Pause (rule 7): EKS-A's preflight reads only its annotation (pkg/validations/cluster.go ValidatePauseAnnotation);
  // a CAPI pause is refused too, deliberately, as clusterctl move refuses it (mover.go checkClustersNotPaused).
  {
    name: 'EKS-A paused annotation "true"',
    mutate: (c) => (c.eksa.metadata.annotations = { 'anywhere.eks.amazonaws.com/paused': 'true' }),
    codes: ['paused'],
    says: ['EKS-A Cluster default/w02: annotation anywhere.eks.amazonaws.com/paused=true'],
  },
  { name: 'EKS-A paused annotation "false" is not a pause', mutate: (c) => (c.eksa.metadata.annotations = { 'anywhere.eks.amazonaws.com/paused': 'false' }), codes: [] },
  { name: 'CAPI spec.paused true', mutate: (c) => (c.capi!.spec!.paused = true), codes: ['paused'], says: ['CAPI Cluster eksa-system/w02: spec.paused=true'] },
  { name: 'CAPI spec.paused false', mutate: (c) => (c.capi!.spec!.paused = false), codes: [] },
  {
    name: 'CAPI paused annotation, any value',
    mutate: (c) => (c.capi!.metadata.annotations = { 'cluster.x-k8s.io/paused': '' }),
    codes: ['paused'],
    says: ['annotation cluster.x-k8s.io/paused'],
  },
  {
    name: 'EKS-A and CAPI both paused: one reason naming both',
    mutate: (c) => {
      c.eksa.metadata.annotations = { 'anywhere.eks.amazonaws.com/paused': 'true' };
      c.capi!.spec!.paused = true;
    },
    codes: ['paused'],
    says: ['annotation anywhere.eks.amazonaws.com/paused=true; CAPI Cluster eksa-system/w02 spec.paused=true'],
  },

  // CAPI Cluster
  { name: 'CAPI Cluster missing', mutate: (c) => (c.capi = undefined), codes: ['capi-cluster-missing'], says: ['CAPI Cluster eksa-system/w02: not found'] },
  {
    name: 'CAPI Cluster failure',
    mutate: (c, shape) => setFailure(c.capi, shape, { failureReason: 'CreateError', failureMessage: 'vcenter refused' }),
    codes: ['failure-message'],
    says: ['CAPI Cluster eksa-system/w02: failureReason CreateError, failureMessage vcenter refused'],
  },
  { name: 'CAPI Cluster generation ahead of status', mutate: (c) => (c.capi!.metadata.generation = 3), codes: ['generation-behind'] },
  { name: 'CAPI Cluster phase Provisioning', mutate: (c) => (st(c.capi).phase = 'Provisioning'), codes: ['capi-not-provisioned'], says: ['phase Provisioning'] },
  {
    name: 'CAPI infrastructure not provisioned',
    mutate: (c, shape) => {
      if (shape === 'v1beta2') st(c.capi).initialization.infrastructureProvisioned = false;
      else st(c.capi).infrastructureReady = false;
    },
    codes: ['capi-not-provisioned'],
  },
  {
    name: 'CAPI control plane not initialized / not ready',
    mutate: (c, shape) => {
      if (shape === 'v1beta2') delete st(c.capi).initialization.controlPlaneInitialized;
      else st(c.capi).controlPlaneReady = false;
    },
    codes: ['control-plane-not-ready'],
  },
  {
    name: 'CAPI control-plane condition False',
    mutate: (c, shape) =>
      setCondition(c.capi, own(shape, shape === 'v1beta2' ? 'ControlPlaneAvailable' : 'ControlPlaneReady', 'False', 'NotAvailable', '1 of 3 API servers down')),
    codes: ['control-plane-not-ready'],
    says: [/CAPI Cluster eksa-system\/w02: ControlPlane(Available|Ready)=False \(NotAvailable: 1 of 3 API servers down\)/],
  },
  {
    name: 'CAPI ControlPlaneInitialized condition missing',
    mutate: (c) => removeCondition(c.capi, 'ControlPlaneInitialized'),
    codes: ['control-plane-not-ready'],
    says: ['ControlPlaneInitialized condition missing'],
  },

  // KubeadmControlPlane
  { name: 'KCP missing', mutate: (c) => (c.controlPlane = undefined), codes: ['control-plane-not-ready'], says: ['KubeadmControlPlane eksa-system/w02: not found'] },
  {
    name: 'KCP 1/3 ready and 1/3 up to date',
    mutate: (c, shape) => {
      const s = st(c.controlPlane);
      s.readyReplicas = 1;
      if (shape === 'v1beta2') {
        s.upToDateReplicas = 1;
      } else {
        s.updatedReplicas = 1;
        delete s.v1beta2; // an older CAPI v1beta1 without the v1beta2 preview block
      }
    },
    codes: ['control-plane-not-ready'],
    says: [/^KubeadmControlPlane eksa-system\/w02: 1\/3 replicas ready, 1\/3 up to date$/],
  },
  {
    name: 'KCP rolling: 3/3 ready, 2/3 up to date',
    mutate: (c, shape) => (st(c.controlPlane)[shape === 'v1beta2' ? 'upToDateReplicas' : 'updatedReplicas'] = 2),
    codes: ['control-plane-not-ready'],
    says: ['3/3 replicas ready, 2/3 up to date'],
  },
  {
    name: 'KCP up-to-date count absent (v1beta1 omits zeros)',
    mutate: (c, shape) => delete st(c.controlPlane)[shape === 'v1beta2' ? 'upToDateReplicas' : 'updatedReplicas'],
    codes: ['control-plane-not-ready'],
    says: ['0/3 up to date'],
  },
  {
    name: 'KCP other contract reports fewer up to date',
    mutate: (c, shape) => {
      const s = st(c.controlPlane);
      if (shape === 'v1beta2') s.deprecated.v1beta1.updatedReplicas = 2;
      else s.v1beta2.upToDateReplicas = 2;
    },
    codes: ['control-plane-not-ready'],
    says: ['2/3 up to date'],
  },
  {
    name: 'KCP surplus machine during a rollout',
    mutate: (c) => Object.assign(st(c.controlPlane), { replicas: 4, readyReplicas: 4 }),
    codes: ['control-plane-not-ready'],
    says: ['4 machines for 3 desired'],
  },
  {
    name: 'KCP readyReplicas below status.replicas (EKS-A preflight rule)',
    mutate: (c) => Object.assign(st(c.controlPlane), { replicas: 3, readyReplicas: 2 }),
    codes: ['control-plane-not-ready'],
    says: ['2/3 replicas ready'],
  },
  {
    name: 'KCP observedGeneration behind',
    mutate: (c) => (st(c.controlPlane).observedGeneration = 2),
    codes: ['control-plane-not-ready'],
    says: ['status.observedGeneration 2 behind generation 3'],
  },
  {
    name: 'KCP summary condition False',
    mutate: (c, shape) => setCondition(c.controlPlane, own(shape, shape === 'v1beta2' ? 'Available' : 'Ready', 'False', 'EtcdClusterUnhealthy', 'etcd member w02-cp-1 unhealthy')),
    codes: ['control-plane-not-ready'],
    says: [/(Available|Ready)=False \(EtcdClusterUnhealthy: etcd member w02-cp-1 unhealthy\)/],
  },
  {
    name: 'KCP not initialized',
    mutate: (c, shape) => {
      if (shape === 'v1beta2') st(c.controlPlane).initialization.controlPlaneInitialized = false;
      else st(c.controlPlane).initialized = false;
    },
    codes: ['control-plane-not-ready'],
    says: ['not initialized'],
  },
  {
    name: 'KCP failure',
    mutate: (c, shape) => setFailure(c.controlPlane, shape, { failureMessage: 'cannot reach etcd' }),
    codes: ['failure-message'],
    says: ['KubeadmControlPlane eksa-system/w02: failureMessage cannot reach etcd'],
  },

  // EtcdadmCluster
  {
    name: 'etcd status.ready false, though its Ready condition is True',
    mutate: (c) => Object.assign(st(c.etcd), { ready: false, replicas: 2 }),
    codes: ['etcd-not-ready'],
    says: ['EtcdadmCluster eksa-system/w02-etcd: 2/3 members ready, status.ready is not true'],
  },
  {
    name: 'etcd Ready condition False but status.ready true (EKS-A ignores the condition)',
    mutate: (c) => setCondition(c.etcd, v1beta1Condition('Ready', 'False', 'WaitingForOldMembersDeletion')),
    codes: [],
  },
  { name: 'etcd observedGeneration behind', mutate: (c) => (c.etcd!.metadata.generation = 3), codes: ['etcd-not-ready'], says: ['status.observedGeneration 2 behind generation 3'] },
  {
    name: 'external etcd configured but no EtcdadmCluster',
    mutate: (c) => (c.etcd = undefined),
    codes: ['etcd-not-ready'],
    says: ['EtcdadmCluster eksa-system/w02-etcd: not found, but the EKS-A Cluster configures external etcd'],
  },
  {
    name: 'stacked etcd: no external etcd configured and no EtcdadmCluster',
    mutate: (c) => {
      c.etcd = undefined;
      delete c.eksa.spec!.externalEtcdConfiguration;
      c.machines = c.machines.filter((m) => !m.metadata.name.includes('-etcd-'));
    },
    codes: [],
  },

  // MachineDeployments
  {
    name: 'MD 1/2 up to date',
    mutate: (c, shape) => (st(machineNamed(c, 'w02-md-0'))[shape === 'v1beta2' ? 'upToDateReplicas' : 'updatedReplicas'] = 1),
    codes: ['workers-rolling-out'],
    says: [/^MachineDeployment eksa-system\/w02-md-0: 2\/2 ready, 2\/2 available, 1\/2 up to date$/],
  },
  { name: 'MD 1/2 ready', mutate: (c) => (st(machineNamed(c, 'w02-md-0')).readyReplicas = 1), codes: ['workers-rolling-out'], says: ['1/2 ready'] },
  { name: 'MD 1/2 available', mutate: (c) => (st(machineNamed(c, 'w02-md-0')).availableReplicas = 1), codes: ['workers-rolling-out'], says: ['1/2 available'] },
  { name: 'MD phase ScalingUp', mutate: (c) => (st(machineNamed(c, 'w02-md-0')).phase = 'ScalingUp'), codes: ['workers-rolling-out'], says: ['phase ScalingUp'] },
  { name: 'MD observedGeneration behind', mutate: (c) => (machineNamed(c, 'w02-md-0').metadata.generation = 6), codes: ['workers-rolling-out'] },
  { name: 'MD surplus machine', mutate: (c) => (st(machineNamed(c, 'w02-md-0')).replicas = 3), codes: ['workers-rolling-out'], says: ['3 machines for 2 desired'] },
  {
    name: 'MD missing for a worker node group',
    mutate: (c) => (c.machineDeployments = []),
    codes: ['workers-rolling-out'],
    says: ['MachineDeployment eksa-system/w02-md-0: not found for worker node group md-0'],
  },

  // Machines
  {
    name: 'machine Failed with failure fields',
    mutate: (c, shape) => {
      const m = machineNamed(c, 'w02-md-0-1');
      st(m).phase = 'Failed';
      setFailure(m, shape, { failureReason: 'UpdateError', failureMessage: 'VM template missing' });
    },
    codes: ['machine-failed'],
    says: ['Machine eksa-system/w02-md-0-1: phase Failed, not Running, failureReason UpdateError, failureMessage VM template missing'],
  },
  {
    name: 'machine with a failureMessage while still Running',
    mutate: (c, shape) => setFailure(machineNamed(c, 'w02-cp-0'), shape, { failureMessage: 'kubelet crashed' }),
    codes: ['machine-failed'],
    says: ['Machine eksa-system/w02-cp-0: failureMessage kubelet crashed'],
  },
  {
    name: 'machine still Provisioning',
    mutate: (c) => (st(machineNamed(c, 'w02-md-0-0')).phase = 'Provisioning'),
    codes: ['machine-failed'],
    says: ['Machine eksa-system/w02-md-0-0: phase Provisioning, not Running'],
  },
  { name: 'machine being deleted', mutate: (c) => (st(machineNamed(c, 'w02-etcd-2')).phase = 'Deleting'), codes: ['machine-failed'], says: ['phase Deleting'] },
  { name: 'machine without a phase', mutate: (c) => delete st(machineNamed(c, 'w02-md-0-0')).phase, codes: ['machine-failed'], says: ['phase unset'] },
  {
    name: 'machine node unhealthy',
    mutate: (c, shape) => setCondition(machineNamed(c, 'w02-md-0-0'), own(shape, 'NodeHealthy', 'False', 'NodeConditionsFailed', 'Node w02-md-0-0 has DiskPressure')),
    codes: ['machine-failed'],
    says: ['NodeHealthy=False (NodeConditionsFailed: Node w02-md-0-0 has DiskPressure)'],
  },
  {
    name: 'machine node health Unknown',
    mutate: (c, shape) => setCondition(machineNamed(c, 'w02-cp-1'), own(shape, 'NodeHealthy', 'Unknown', 'NodeInspectionFailed')),
    codes: ['machine-failed'],
  },

  // Several at once: every reason is reported, in a stable order.
  {
    name: 'a stuck upgrade: several reasons at once',
    mutate: (c, shape) => {
      setCondition(c.eksa, v1beta1Condition('Ready', 'False', 'ControlPlaneNotReady', 'Control plane nodes not ready'));
      c.capi!.spec!.paused = true;
      Object.assign(st(c.controlPlane), { replicas: 4, readyReplicas: 3 });
      st(c.controlPlane)[shape === 'v1beta2' ? 'upToDateReplicas' : 'updatedReplicas'] = 1;
      st(c.etcd).ready = false;
      st(machineNamed(c, 'w02-md-0')).phase = 'ScalingUp';
      st(machineNamed(c, 'w02-cp-2')).phase = 'Provisioning';
    },
    codes: ['eksa-not-ready', 'paused', 'control-plane-not-ready', 'etcd-not-ready', 'workers-rolling-out', 'machine-failed'],
    says: ['3/3 replicas ready, 1/3 up to date, 4 machines for 3 desired', 'Machine eksa-system/w02-cp-2: phase Provisioning'],
  },
];

describe.each(SHAPES)('judgeCluster, CAPI %s', (shape) => {
  it.each(rows)('$name', (row) => {
    const c = readyCluster('w02', { shape, management: 'm01' });
    row.mutate(c, shape);
    const verdict = judgeCluster(c, 'workload');
    expect(verdict.reasons.map((r) => r.code)).toEqual(row.codes);
    expect(verdict.ready).toBe(row.codes.length === 0);
    for (const r of verdict.reasons) {
      expect(r.message.startsWith(`${r.object}: `)).toBe(true);
      expect(r.message).not.toContain('\n');
    }
    const messages = verdict.reasons.map((r) => r.message);
    for (const expected of row.says ?? []) {
      const found = messages.some((m) => (typeof expected === 'string' ? m.includes(expected) : expected.test(m)));
      expect(found, `${String(expected)} in ${JSON.stringify(messages)}`).toBe(true);
    }
  });

  it('reports who paused the cluster in the verdict', () => {
    const c = readyCluster('w02', { shape });
    c.capi!.metadata.annotations = { 'cluster.x-k8s.io/paused': 'true' };
    expect(judgeCluster(c, 'workload').paused).toEqual({ eksa: false, capi: true });
    c.eksa.metadata.annotations = { 'anywhere.eks.amazonaws.com/paused': 'true' };
    expect(judgeCluster(c, 'workload').paused).toEqual({ eksa: true, capi: true });
  });

  it('carries the current versions and the namespace', () => {
    const verdict = judgeCluster(readyCluster('m01', { shape, kubernetesVersion: '1.30', eksaVersion: 'v0.21.4' }), 'management');
    expect(verdict).toMatchObject({ name: 'm01', role: 'management', namespace: 'default', kubernetesVersion: '1.30', eksaVersion: 'v0.21.4', ready: true });
  });

  it('judges a cluster with several worker groups and no external etcd', () => {
    const c = readyCluster('w03', {
      shape,
      externalEtcd: false,
      controlPlaneReplicas: 1,
      workerGroups: [
        { name: 'md-0', replicas: 3 },
        { name: 'gpu', replicas: 0 },
      ],
    });
    expect(judgeCluster(c, 'workload').reasons).toEqual([]);
    st(machineNamed(c, 'w03-gpu')).readyReplicas = 0;
    c.machineDeployments = c.machineDeployments.filter((md) => md.metadata.name !== 'w03-md-0');
    expect(judgeCluster(c, 'workload').reasons.map((r) => r.object)).toEqual(['MachineDeployment eksa-system/w03-md-0']);
  });
});

describe('judgeCluster, shapes mixed in one cluster', () => {
  it('reads each object by its own layout', () => {
    const c = readyCluster('w02', { shape: 'v1beta2' });
    const old = readyCluster('w02', { shape: 'v1beta1' });
    c.machineDeployments = old.machineDeployments; // MDs still served as v1beta1
    expect(judgeCluster(c, 'workload').ready).toBe(true);
    st(c.machineDeployments[0]).updatedReplicas = 0;
    expect(judgeCluster(c, 'workload').reasons.map((r) => r.code)).toEqual(['workers-rolling-out']);
  });
});

describe('judgeTree', () => {
  it('puts the management cluster first, then workloads by name, and judges each', () => {
    const m01 = readyCluster('m01');
    const w03 = readyCluster('w03', { management: 'm01', shape: 'v1beta1' });
    const w02 = readyCluster('w02', { management: 'm01' });
    st(w03.eksa).failureMessage = 'boom';
    const inventory = { management: 'm01', clusters: [w03, m01, w02], kubectlCalls: 6 };
    const verdicts = judgeTree(inventory);
    expect(verdicts.map((v) => [v.name, v.role, v.ready])).toEqual([
      ['m01', 'management', true],
      ['w02', 'workload', true],
      ['w03', 'workload', false],
    ]);
  });

  it('returns only workloads when the management cluster is absent', () => {
    const w02 = readyCluster('w02', { management: 'm01' });
    expect(judgeTree({ management: 'm01', clusters: [w02], kubectlCalls: 6 }).map((v) => v.role)).toEqual(['workload']);
  });

  it('judges a tree built with the fixture helper', () => {
    expect(judgeTree(tree(readyCluster('m01'), readyCluster('w01', { management: 'm01' }))).every((v) => v.ready)).toBe(true);
  });
});
