// Rules 4 and 5: ControlPlaneReady and WorkersReady as EKS-A computes them, judged on the CAPI objects
// (rule 6: the EKS-A Ready condition can be stale, so every row keeps it True). Each row cites the
// EKS Anywhere function (aws/eks-anywhere) it follows.
import { describe, expect, it } from 'vitest';
import { judgeCluster, type ReasonCode } from '../../src/readiness/verdict.js';
import { AUTOSCALER_MIN_SIZE_ANNOTATION } from '../../src/readiness/machine-checks.js';
import { SHAPES, machineNamed, readyCluster, setCondition, st, v1beta1Condition, v1beta2Condition, type Cluster, type Shape } from './fixtures.js';

function own(shape: Shape, type: string, status: string, reason?: string, message?: string) {
  return shape === 'v1beta2' ? v1beta2Condition(type, status, reason, message) : v1beta1Condition(type, status, reason, message);
}

interface Row {
  name: string;
  source: string;
  mutate: (c: Cluster, shape: Shape) => void;
  codes: ReasonCode[];
  says?: string[];
}

const upToDateField = (shape: Shape) => (shape === 'v1beta2' ? 'upToDateReplicas' : 'updatedReplicas');

const rows: Row[] = [
  // Rule 4: status.go updateConditionsForEtcdAndControlPlane / updateControlPlaneReadyCondition
  {
    name: 'EtcdadmCluster missing while external etcd is configured',
    source: 'updateConditionsForEtcdAndControlPlane (ExternalEtcdNotAvailable)',
    mutate: (c) => (c.etcd = undefined),
    codes: ['etcd-not-ready'],
  },
  {
    name: 'etcd observedGeneration ahead of generation',
    source: 'controlplane.go etcdadmClusterReady (generation == observedGeneration)',
    mutate: (c) => (st(c.etcd).observedGeneration = 9),
    codes: ['etcd-not-ready'],
    says: ['ahead of generation'],
  },
  {
    name: 'KCP observedGeneration ahead of generation',
    source: 'updateControlPlaneReadyCondition (OutdatedInformation, compared with !=)',
    mutate: (c) => (st(c.controlPlane).observedGeneration = 9),
    codes: ['control-plane-not-ready'],
    says: ['status.observedGeneration 9 ahead of generation 3'],
  },
  {
    name: 'KCP replicas match its own spec but not the EKS-A count (scaling up)',
    source: 'updateControlPlaneReadyCondition (ScalingUp)',
    mutate: (c) => (c.eksa.spec!.controlPlaneConfiguration.count = 5),
    codes: ['control-plane-not-ready'],
    says: ['3 machines and 3 ready for EKS-A controlPlaneConfiguration.count 5'],
  },
  {
    name: 'KCP ControlPlaneComponentsHealthy False, every count right',
    source: 'updateControlPlaneReadyCondition (ControlPlaneComponentsUnhealthy)',
    mutate: (c, shape) => setCondition(c.controlPlane, own(shape, 'ControlPlaneComponentsHealthy', 'False', 'PodFailed', 'kube-scheduler crashlooping')),
    codes: ['control-plane-not-ready'],
    says: ['ControlPlaneComponentsHealthy=False (PodFailed: kube-scheduler crashlooping)'],
  },
  {
    name: 'KCP ControlPlaneComponentsHealthy Unknown is not a refusal in EKS-A',
    source: 'updateControlPlaneReadyCondition (only False counts)',
    mutate: (c, shape) => setCondition(c.controlPlane, own(shape, 'ControlPlaneComponentsHealthy', 'Unknown', 'Inspecting')),
    codes: [],
  },
  // Rule 5: status.go updateWorkersReadyCondition
  {
    name: 'MD observedGeneration ahead of generation',
    source: 'updateWorkersReadyCondition (OutdatedInformation, !=)',
    mutate: (c) => (st(machineNamed(c, 'w02-md-0')).observedGeneration = 9),
    codes: ['workers-rolling-out'],
    says: ['ahead of generation 5'],
  },
  {
    name: 'MD consistent with itself, but fewer than the groups\' EKS-A count',
    source: 'updateWorkersReadyCondition (ScalingUp over the totals)',
    mutate: (c) => (c.eksa.spec!.workerNodeGroupConfigurations[0].count = 3),
    codes: ['workers-rolling-out'],
    says: ['EKS-A Cluster default/w02: scaling up worker nodes, 3 expected'],
  },
  {
    name: 'MD consistent with itself, more than the EKS-A count',
    source: 'updateWorkersReadyCondition (ScalingDown over the totals)',
    mutate: (c) => (c.eksa.spec!.workerNodeGroupConfigurations[0].count = 1),
    codes: ['workers-rolling-out'],
    says: ['scaling down worker nodes, 1 expected'],
  },
  {
    name: 'an autoscaled group (annotation on the MD, autoscalingConfiguration on the group) is left out of the totals',
    source: 'updateWorkersReadyCondition (NodeGroupMinSizeAnnotation skip)',
    mutate: (c) => {
      const g = c.eksa.spec!.workerNodeGroupConfigurations[0];
      g.count = 1;
      g.autoscalingConfiguration = { minCount: 1, maxCount: 5 };
      machineNamed(c, 'w02-md-0').metadata.annotations = { [AUTOSCALER_MIN_SIZE_ANNOTATION]: '1' };
    },
    codes: [],
  },
  {
    name: 'autoscaled MD outside min/max: EKS-A looks the range up by MD name, so it never fires for <cluster>-<group>',
    source: 'updateWorkersReadyCondition (AutoscalerConstraintNotMet, keyed by group name)',
    mutate: (c) => {
      const g = c.eksa.spec!.workerNodeGroupConfigurations[0];
      g.autoscalingConfiguration = { minCount: 3, maxCount: 5 };
      machineNamed(c, 'w02-md-0').metadata.annotations = { [AUTOSCALER_MIN_SIZE_ANNOTATION]: '3' };
    },
    codes: [],
  },
  {
    name: 'MD annotated for the autoscaler but its group has no autoscalingConfiguration: expected counts it, totals do not',
    source: 'updateWorkersReadyCondition',
    mutate: (c) => (machineNamed(c, 'w02-md-0').metadata.annotations = { [AUTOSCALER_MIN_SIZE_ANNOTATION]: '1' }),
    codes: ['workers-rolling-out'],
    says: ['scaling up worker nodes, 2 expected'],
  },
  {
    name: 'MD own Ready condition False, every count right',
    source: 'updateWorkersReadyCondition (MachineDeploymentNotReady)',
    mutate: (c, shape) => setCondition(machineNamed(c, 'w02-md-0'), own(shape, 'Ready', 'False', 'MachinesNotReady', 'w02-md-0-1 not ready')),
    codes: ['workers-rolling-out'],
    says: ['Ready=False (MachinesNotReady: w02-md-0-1 not ready)'],
  },
  {
    name: 'stale EKS-A Ready=True does not hide a rolling MD',
    source: 'controllers/cluster_controller.go SetupWithManager (no CAPI watch)',
    mutate: (c, shape) => (st(machineNamed(c, 'w02-md-0'))[upToDateField(shape)] = 1),
    codes: ['workers-rolling-out'],
  },
];

describe.each(SHAPES)('EKS-A ControlPlaneReady / WorkersReady rules, CAPI %s', (shape) => {
  it.each(rows)('$name ($source)', (row) => {
    const c = readyCluster('w02', { shape, management: 'm01' });
    row.mutate(c, shape);
    const verdict = judgeCluster(c, 'workload');
    expect(verdict.reasons.map((r) => r.code)).toEqual(row.codes);
    const messages = verdict.reasons.map((r) => r.message).join('\n');
    for (const s of row.says ?? []) expect(messages).toContain(s);
  });
});
