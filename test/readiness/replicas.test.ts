import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import { currentReplicas, desiredReplicas, replicaCount } from '../../src/readiness/replicas.js';

function md(apiVersion: string, status: Record<string, unknown>, replicas?: number): KubeObject {
  return { apiVersion, kind: 'MachineDeployment', metadata: { name: 'w-md-0' }, spec: replicas === undefined ? {} : { replicas }, status };
}
const V1 = 'cluster.x-k8s.io/v1beta1';
const V2 = 'cluster.x-k8s.io/v1beta2';

describe('replicaCount', () => {
  it.each([
    ['v1beta1 updatedReplicas', md(V1, { updatedReplicas: 3 }), 'upToDate', 3],
    ['v1beta2 upToDateReplicas', md(V2, { upToDateReplicas: 2 }), 'upToDate', 2],
    ['v1beta2 ignores a v1beta1-named field at the top', md(V2, { updatedReplicas: 3 }), 'upToDate', 0],
    ['v1beta1 omitted zero', md(V1, { readyReplicas: 3 }), 'available', 0],
    ['v1beta1 preview lower than own', md(V1, { updatedReplicas: 3, v1beta2: { upToDateReplicas: 1 } }), 'upToDate', 1],
    ['v1beta1 preview higher than own', md(V1, { readyReplicas: 1, v1beta2: { readyReplicas: 3 } }), 'ready', 1],
    ['v1beta1 own omitted (zero) though preview says 3', md(V1, { v1beta2: { readyReplicas: 3 } }), 'ready', 0],
    ['v1beta2 deprecated lower than own', md(V2, { availableReplicas: 3, deprecated: { v1beta1: { availableReplicas: 2 } } }), 'available', 2],
    ['v1beta2 deprecated updatedReplicas', md(V2, { upToDateReplicas: 3, deprecated: { v1beta1: { updatedReplicas: 2 } } }), 'upToDate', 2],
    ['non-numbers count as absent', md(V2, { readyReplicas: '3' }), 'ready', 0],
  ] as const)('%s', (_name, o, which, count) => {
    expect(replicaCount(o, which)).toBe(count);
  });
});

describe('desired and current replicas', () => {
  it('reads spec.replicas and status.replicas', () => {
    expect(desiredReplicas(md(V2, {}, 3))).toBe(3);
    expect(desiredReplicas(md(V2, {}))).toBeUndefined();
    expect(currentReplicas(md(V2, { replicas: 4 }))).toBe(4);
    expect(currentReplicas(md(V2, {}))).toBe(0);
  });
});
