import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import {
  conditionState,
  conditionsOf,
  describeCondition,
  describeGenerationLag,
  failureOf,
  findCondition,
  generationLag,
  isTrue,
  oneLine,
  shapeOf,
  statusField,
} from '../../src/readiness/conditions.js';
import { readyCluster, v1beta1Condition, v1beta2Condition } from './fixtures.js';

function obj(apiVersion: string, status?: Record<string, unknown>, generation?: number): KubeObject {
  return { apiVersion, kind: 'Cluster', metadata: { name: 'x', namespace: 'eksa-system', ...(generation === undefined ? {} : { generation }) }, ...(status ? { status } : {}) };
}

describe('shapeOf', () => {
  it.each([
    ['v1beta2 apiVersion', obj('cluster.x-k8s.io/v1beta2', {}), 'v1beta2'],
    ['v1beta1 apiVersion', obj('cluster.x-k8s.io/v1beta1', {}), 'v1beta1'],
    ['deprecated block wins over a v1beta1 apiVersion', obj('cluster.x-k8s.io/v1beta1', { deprecated: { v1beta1: {} } }), 'v1beta2'],
    ['v1beta2 preview block wins over a v1beta2 apiVersion', obj('cluster.x-k8s.io/v1beta2', { v1beta2: { conditions: [] } }), 'v1beta1'],
    ['unknown version with initialization', obj('cluster.x-k8s.io/v1', { initialization: { infrastructureProvisioned: true } }), 'v1beta2'],
    ['unknown version with upToDateReplicas', obj('cluster.x-k8s.io/v1', { upToDateReplicas: 1 }), 'v1beta2'],
    ['unknown version with v1beta1 fields', obj('cluster.x-k8s.io/v1', { infrastructureReady: true }), 'v1beta1'],
    ['EKS-A v1alpha1', obj('anywhere.eks.amazonaws.com/v1alpha1', { conditions: [] }), 'v1beta1'],
    ['no status at all', obj('cluster.x-k8s.io/v1'), 'v1beta1'],
    ['fixture v1beta2 Cluster', readyCluster('a', { shape: 'v1beta2' }).capi!, 'v1beta2'],
    ['fixture v1beta1 KCP', readyCluster('a', { shape: 'v1beta1' }).controlPlane!, 'v1beta1'],
  ])('%s', (_name, o, shape) => {
    expect(shapeOf(o)).toBe(shape);
  });
});

describe('conditionsOf / findCondition', () => {
  const v2 = obj('cluster.x-k8s.io/v1beta2', {
    conditions: [v1beta2Condition('Available'), v1beta2Condition('Paused', 'False')],
    deprecated: { v1beta1: { conditions: [v1beta1Condition('Ready', 'False', 'Waiting', 'not yet')] } },
  });
  const v1 = obj('cluster.x-k8s.io/v1beta1', {
    conditions: [v1beta1Condition('Ready'), { type: 'Broken' }, 'junk'],
    v1beta2: { conditions: [v1beta2Condition('Available', 'False', 'Down')] },
  });

  it.each([
    ['v1beta2 own conditions', v2, undefined, ['Available', 'Paused']],
    ['v1beta2 asked for its own contract', v2, 'v1beta2', ['Available', 'Paused']],
    ['v1beta2 asked for the old contract', v2, 'v1beta1', ['Ready']],
    ['v1beta1 own conditions, malformed entries dropped', v1, undefined, ['Ready']],
    ['v1beta1 asked for the new contract', v1, 'v1beta2', ['Available']],
    ['no status', obj('cluster.x-k8s.io/v1beta2'), undefined, []],
  ] as const)('%s', (_name, o, contract, types) => {
    expect(conditionsOf(o, contract).map((c) => c.type)).toEqual(types);
  });

  it('finds a condition in the contract asked for', () => {
    expect(findCondition(v2, 'Ready')).toBeUndefined();
    expect(findCondition(v2, 'Ready', 'v1beta1')?.status).toBe('False');
    expect(findCondition(v1, 'Available', 'v1beta2')?.reason).toBe('Down');
    expect(findCondition(v1, 'Available')).toBeUndefined();
  });
});

describe('condition states', () => {
  it.each([
    [v1beta1Condition('Ready'), true, 'True', 'Ready=True'],
    [v1beta1Condition('Ready', 'False', 'ScalingUp', 'Scaling up control plane to 3 replicas'), false, 'False', 'Ready=False (ScalingUp: Scaling up control plane to 3 replicas)'],
    [v1beta1Condition('Ready', 'Unknown'), false, 'Unknown', 'Ready=Unknown'],
    [{ type: 'Ready', status: 'Maybe' }, false, 'Unknown', 'Ready=Unknown'],
    [{ type: 'Ready', status: 'False', message: 'line one\n  line two' }, false, 'False', 'Ready=False (line one; line two)'],
    [undefined, false, 'missing', 'Ready condition missing'],
  ] as const)('%j', (condition, trueish, state, text) => {
    const c = condition as Parameters<typeof isTrue>[0];
    expect(isTrue(c)).toBe(trueish);
    expect(conditionState(c)).toBe(state);
    expect(describeCondition('Ready', c)).toBe(text);
  });
});

describe('failureOf', () => {
  it.each([
    ['none', {}, undefined],
    ['empty strings', { failureReason: '', failureMessage: '  ' }, undefined],
    ['v1beta1 top level', { failureReason: 'CreateError', failureMessage: 'no vm' }, { reason: 'CreateError', message: 'no vm' }],
    ['message only', { failureMessage: 'no vm' }, { reason: undefined, message: 'no vm' }],
    ['v1beta2 deprecated block', { deprecated: { v1beta1: { failureReason: 'UpdateError', failureMessage: 'stuck' } } }, { reason: 'UpdateError', message: 'stuck' }],
  ])('%s', (_name, status, failure) => {
    expect(failureOf(obj('cluster.x-k8s.io/v1beta2', status))).toEqual(failure);
  });
});

describe('generationLag', () => {
  it.each([
    ['equal', 3, { observedGeneration: 3 }, undefined],
    ['behind', 4, { observedGeneration: 3 }, { generation: 4, observed: 3 }],
    ['never observed', 1, {}, { generation: 1, observed: undefined }],
    ['no generation on the object: cannot judge', undefined, { observedGeneration: 3 }, undefined],
  ])('%s', (_name, generation, status, lag) => {
    expect(generationLag(obj('cluster.x-k8s.io/v1beta2', status, generation))).toEqual(lag);
  });

  it('describes both cases', () => {
    expect(describeGenerationLag({ generation: 4, observed: 3 })).toBe('status.observedGeneration 3 behind generation 4');
    expect(describeGenerationLag({ generation: 1, observed: undefined })).toBe('status.observedGeneration unset, generation 1');
  });
});

describe('helpers', () => {
  it('statusField walks nested status and stops at non-objects', () => {
    const o = obj('x/v1', { a: { b: { c: 1 } }, s: 'str' });
    expect(statusField(o, 'a', 'b', 'c')).toBe(1);
    expect(statusField(o, 's', 'length')).toBeUndefined();
    expect(statusField(undefined, 'a')).toBeUndefined();
  });

  it('oneLine joins lines', () => {
    expect(oneLine('a\n b\n\nc ')).toBe('a; b; c');
  });
});
