import { describe, expect, it } from 'vitest';
import { missingRef, objectRef, reason } from '../../src/readiness/reason.js';

describe('objectRef', () => {
  it.each([
    ['anywhere.eks.amazonaws.com/v1alpha1', 'Cluster', 'default', 'EKS-A Cluster default/w02'],
    ['cluster.x-k8s.io/v1beta2', 'Cluster', 'eksa-system', 'CAPI Cluster eksa-system/w02'],
    ['controlplane.cluster.x-k8s.io/v1beta1', 'KubeadmControlPlane', 'eksa-system', 'KubeadmControlPlane eksa-system/w02'],
    ['example.com/v1', 'Cluster', undefined, 'Cluster w02'],
  ])('%s %s', (apiVersion, kind, namespace, ref) => {
    expect(objectRef({ apiVersion, kind, metadata: { name: 'w02', ...(namespace ? { namespace } : {}) } })).toBe(ref);
  });
});

describe('reason', () => {
  it('prefixes the message with the object', () => {
    expect(reason('etcd-not-ready', missingRef('EtcdadmCluster', 'eksa-system', 'w02-etcd'), 'not found')).toEqual({
      code: 'etcd-not-ready',
      object: 'EtcdadmCluster eksa-system/w02-etcd',
      message: 'EtcdadmCluster eksa-system/w02-etcd: not found',
    });
  });
});
