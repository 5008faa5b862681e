import { describe, expect, it } from 'vitest';
import { describeReady, judgeConfirmation, type ConfirmTarget } from '../../src/confirm/judge.js';
import type { KubeObject } from '../../src/kube/types.js';

const cond = (type: string, status: string, reason?: string, message?: string) => ({ type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}) });
const READY = [cond('Ready', 'True'), cond('ControlPlaneReady', 'True'), cond('WorkersReady', 'True')];

function cluster(name: string, o: { gen?: number; observed?: number; k8s?: string; eksa?: string; conditions?: object[]; failure?: string; ns?: string } = {}): KubeObject {
  return {
    apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1',
    kind: 'Cluster',
    metadata: { name, namespace: o.ns ?? 'default', generation: o.gen ?? 2 },
    spec: { kubernetesVersion: o.k8s ?? '1.32', eksaVersion: o.eksa ?? 'v0.23.0' },
    status: {
      ...(o.observed === undefined && 'observed' in o ? {} : { observedGeneration: o.observed ?? 2 }),
      conditions: o.conditions ?? READY,
      ...(o.failure ? { failureMessage: o.failure, failureReason: 'ClusterInvalid' } : {}),
    },
  };
}
const target = (name: string, extra: Partial<ConfirmTarget> = {}): ConfirmTarget => ({ name, kubernetesVersion: '1.32', eksaVersion: 'v0.23.0', generation: 2, ...extra });

describe('judgeConfirmation', () => {
  it.each<[string, KubeObject[], ConfirmTarget, boolean, string | undefined]>([
    ['Ready at the target, generation observed', [cluster('w01')], target('w01'), true, undefined],
    ['observed ahead of the hand-off generation (another reconcile since)', [cluster('w01', { gen: 3, observed: 3 })], target('w01'), true, undefined],
    ['no eksaVersion asked for: any', [cluster('w01', { eksa: 'v0.22.0' })], target('w01', { eksaVersion: undefined }), true, undefined],
    ['no hand-off generation given', [cluster('w01', { gen: 1, observed: 1 })], target('w01', { generation: undefined }), true, undefined],
    ['not in the listing', [cluster('w02')], target('w01'), false, 'EKS-A Cluster w01 not found'],
    ['in another namespace than asked', [cluster('w01', { ns: 'team-a' })], target('w01', { namespace: 'default' }), false, 'EKS-A Cluster default/w01 not found'],
    ['controller has not seen the latest spec', [cluster('w01', { gen: 3, observed: 2 })], target('w01'), false, 'observedGeneration 2 behind generation 3'],
    ['status from before the hand-off', [cluster('w01', { gen: 1, observed: 1 })], target('w01'), false, 'observedGeneration 1 behind generation 2 of the upgrade'],
    ['never reconciled', [cluster('w01', { observed: undefined })], target('w01'), false, 'status.observedGeneration unset'],
    [
      'rolling upgrade in progress',
      [cluster('w01', { conditions: [cond('Ready', 'False', 'RollingUpgradeInProgress', 'Rolling upgrade is in progress'), cond('ControlPlaneReady', 'True')] })],
      target('w01'),
      false,
      'Ready False (RollingUpgradeInProgress: Rolling upgrade is in progress)',
    ],
    ['no Ready condition yet', [cluster('w01', { conditions: [] })], target('w01'), false, 'Ready missing'],
    ['Ready Unknown', [cluster('w01', { conditions: [cond('Ready', 'Unknown')] })], target('w01'), false, 'Ready Unknown'],
    ['old Kubernetes version in spec', [cluster('w01', { k8s: '1.31' })], target('w01'), false, 'kubernetesVersion 1.31, want 1.32'],
    ['old eksaVersion in spec', [cluster('w01', { eksa: 'v0.22.0' })], target('w01'), false, 'eksaVersion v0.22.0, want v0.23.0'],
    [
      'failureMessage, even with Ready True',
      [cluster('w01', { failure: 'spec.controlPlaneConfiguration: invalid\nsecond line' })],
      target('w01'),
      false,
      'failureMessage spec.controlPlaneConfiguration: invalid; second line',
    ],
    [
      'several reasons, failure first',
      [cluster('w01', { gen: 3, observed: 2, failure: 'boom', conditions: [cond('Ready', 'False', 'ControlPlaneNotReady')] })],
      target('w01'),
      false,
      'failureMessage boom; observedGeneration 2 behind generation 3; Ready False (ControlPlaneNotReady)',
    ],
  ])('%s', (_name, objects, t, ready, reason) => {
    const [observation] = judgeConfirmation(objects, [t]);
    expect(observation!.ready).toBe(ready);
    expect(observation!.reason).toBe(reason);
  });

  it('reports generation, versions and every condition of each target, in target order', () => {
    const objects = [cluster('mgmt', { gen: 5, observed: 5 }), cluster('w01', { conditions: [cond('Ready', 'False', 'NodesNotReady', 'x')] })];
    const result = judgeConfirmation(objects, [target('w01'), target('mgmt', { generation: 5 })]);
    expect(result.map((r) => r.name)).toEqual(['w01', 'mgmt']);
    expect(result[1]).toMatchObject({ name: 'mgmt', found: true, ready: true, generation: 5, observedGeneration: 5, kubernetesVersion: '1.32', eksaVersion: 'v0.23.0' });
    expect(result[0]!.conditions).toEqual([{ type: 'Ready', status: 'False', reason: 'NodesNotReady', message: 'x' }]);
  });

  it('ignores CAPI Clusters of the same name', () => {
    const capi: KubeObject = { ...cluster('w01'), apiVersion: 'cluster.x-k8s.io/v1beta1' };
    expect(judgeConfirmation([capi], [target('w01')])[0]!.found).toBe(false);
  });
});

describe('describeReady', () => {
  it.each([
    [undefined, 'Ready missing'],
    [cond('Ready', 'True'), 'Ready True'],
    [cond('Ready', 'False', 'ScalingUp'), 'Ready False (ScalingUp)'],
    [cond('Ready', 'False', undefined, 'waiting'), 'Ready False (waiting)'],
    [cond('Ready', 'Weird'), 'Ready Unknown'],
  ])('%o → %s', (c, text) => {
    expect(describeReady(c)).toBe(text);
  });
});
