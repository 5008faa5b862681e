import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import { specChanges } from '../../src/plan/spec-changes.js';
import type { ClusterSpec } from '../../src/spec/types.js';
import { clusterSpec } from '../readiness/fixtures.js';

const EKSA = 'anywhere.eks.amazonaws.com/v1alpha1';
const doc = (kind: string, name: string, spec: Record<string, unknown>, namespace?: string): KubeObject => ({
  apiVersion: EKSA,
  kind,
  metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
  spec,
});

/** The spec file: a Cluster, its datacenter and one machine config, in the default namespace. */
function spec(over: { cluster?: Record<string, unknown>; datacenter?: Record<string, unknown>; machine?: Record<string, unknown> } = {}): ClusterSpec {
  const cluster = doc('Cluster', 'm01', over.cluster ?? { kubernetesVersion: '1.31', controlPlaneConfiguration: { count: 3, endpoint: { host: '10.0.0.10' } }, workerNodeGroupConfigurations: [{ name: 'md-0', count: 2 }] });
  const datacenter = doc('VSphereDatacenterConfig', 'm01', over.datacenter ?? { server: 'vc.example', network: '/dc/net' });
  const machine = doc('VSphereMachineConfig', 'm01-cp', over.machine ?? { osFamily: 'ubuntu', memoryMiB: 8192, users: [{ name: 'capv', sshAuthorizedKeys: ['ssh-rsa AAA'] }] });
  return { ...clusterSpec({ name: 'm01' }), cluster, documents: [cluster, datacenter, machine], datacenter, machineConfigs: [machine] };
}

/** What the API holds: the same objects, namespaced, with what the webhooks default filled in. */
function live(over: { cluster?: Record<string, unknown>; datacenter?: Record<string, unknown>; machine?: Record<string, unknown> } = {}): KubeObject[] {
  return [
    doc('Cluster', 'm01', over.cluster ?? { kubernetesVersion: '1.31', controlPlaneConfiguration: { count: 3, endpoint: { host: '10.0.0.10' } }, workerNodeGroupConfigurations: [{ name: 'md-0', count: 2 }] }, 'default'),
    doc('VSphereDatacenterConfig', 'm01', over.datacenter ?? { server: 'vc.example', network: '/dc/net' }, 'default'),
    doc('VSphereMachineConfig', 'm01-cp', over.machine ?? { osFamily: 'ubuntu', memoryMiB: 8192, users: [{ name: 'capv', sshAuthorizedKeys: ['ssh-rsa AAA'] }] }, 'default'),
  ];
}

const CLUSTER = { kubernetesVersion: '1.31', controlPlaneConfiguration: { count: 3, endpoint: { host: '10.0.0.10' } }, workerNodeGroupConfigurations: [{ name: 'md-0', count: 2 }] };

describe('specChanges', () => {
  const rows: Array<{ name: string; spec: ClusterSpec; live: KubeObject[]; changes: string[] }> = [
    { name: 'equal: nothing to apply', spec: spec(), live: live(), changes: [] },
    {
      name: 'a changed Cluster field',
      spec: spec({ cluster: { ...CLUSTER, kubernetesVersion: '1.32' } }),
      live: live(),
      changes: ['Cluster/m01 spec.kubernetesVersion'],
    },
    {
      name: 'a changed nested field in an array element',
      spec: spec({ cluster: { ...CLUSTER, workerNodeGroupConfigurations: [{ name: 'md-0', count: 3 }] } }),
      live: live(),
      changes: ['Cluster/m01 spec.workerNodeGroupConfigurations[0].count'],
    },
    {
      name: 'a changed datacenter field',
      spec: spec({ datacenter: { server: 'vc2.example', network: '/dc/net' } }),
      live: live(),
      changes: ['VSphereDatacenterConfig/m01 spec.server'],
    },
    {
      name: 'a changed machine config field',
      spec: spec({ machine: { osFamily: 'ubuntu', memoryMiB: 16384, users: [{ name: 'capv', sshAuthorizedKeys: ['ssh-rsa AAA'] }] } }),
      live: live(),
      changes: ['VSphereMachineConfig/m01-cp spec.memoryMiB'],
    },
    {
      name: 'a field only live has (a webhook default): no change',
      spec: spec(),
      live: live({
        cluster: { ...CLUSTER, clusterNetwork: { cniConfig: { cilium: {} } }, controlPlaneConfiguration: { count: 3, endpoint: { host: '10.0.0.10' }, machineHealthCheck: { maxUnhealthy: '100%' } } },
        machine: { osFamily: 'ubuntu', memoryMiB: 8192, numCPUs: 2, users: [{ name: 'capv', sshAuthorizedKeys: ['ssh-rsa AAA'] }] },
      }),
      changes: [],
    },
    {
      name: 'an array of another length: the whole array is the change',
      spec: spec({ cluster: { ...CLUSTER, workerNodeGroupConfigurations: [{ name: 'md-0', count: 2 }, { name: 'md-1', count: 1 }] } }),
      live: live(),
      changes: ['Cluster/m01 spec.workerNodeGroupConfigurations'],
    },
    {
      name: 'an array the live object lacks',
      spec: spec({ machine: { osFamily: 'ubuntu', memoryMiB: 8192, users: [{ name: 'capv', sshAuthorizedKeys: ['ssh-rsa AAA'] }], tags: ['a'] } }),
      live: live(),
      changes: ['VSphereMachineConfig/m01-cp spec.tags'],
    },
    {
      name: 'an object where live has a scalar',
      spec: spec({ datacenter: { server: 'vc.example', network: { name: '/dc/net' } } }),
      live: live(),
      changes: ['VSphereDatacenterConfig/m01 spec.network'],
    },
    {
      name: 'a live object missing',
      spec: spec(),
      live: live().filter((o) => o.kind !== 'VSphereMachineConfig'),
      changes: ['VSphereMachineConfig/m01-cp (not in the cluster)'],
    },
    {
      name: 'a live object of the same name in another namespace is missing',
      spec: spec(),
      live: live().map((o) => (o.kind === 'VSphereDatacenterConfig' ? { ...o, metadata: { ...o.metadata, namespace: 'other' } } : o)),
      changes: ['VSphereDatacenterConfig/m01 (not in the cluster)'],
    },
    {
      name: 'a CAPI Cluster of the same name is not the EKS-A Cluster',
      spec: spec(),
      live: live().map((o) => (o.kind === 'Cluster' ? { ...o, apiVersion: 'cluster.x-k8s.io/v1beta2' } : o)),
      changes: ['Cluster/m01 (not in the cluster)'],
    },
    {
      name: 'numeric 1.31 in the file, "1.31" live: the same',
      spec: spec({ cluster: { ...CLUSTER, kubernetesVersion: 1.31 } }),
      live: live(),
      changes: [],
    },
    {
      name: 'numeric 1.3 vs "1.30": compared as text, a change (the loader quotes kubernetesVersion before parsing, so a file\'s 1.30 never arrives as 1.3)',
      spec: spec({ cluster: { ...CLUSTER, kubernetesVersion: 1.3 } }),
      live: live({ cluster: { ...CLUSTER, kubernetesVersion: '1.30' } }),
      changes: ['Cluster/m01 spec.kubernetesVersion'],
    },
    {
      name: 'a count of 3 in the file and "3" live: the same',
      spec: spec(),
      live: live({ cluster: { ...CLUSTER, controlPlaneConfiguration: { count: '3', endpoint: { host: '10.0.0.10' } } } }),
      changes: [],
    },
    {
      name: 'a null in the file is left to the defaults',
      spec: spec({ cluster: { ...CLUSTER, podIamConfig: null } }),
      live: live(),
      changes: [],
    },
    {
      name: 'changes in several documents, in document order',
      spec: spec({ cluster: { ...CLUSTER, kubernetesVersion: '1.32' }, machine: { osFamily: 'bottlerocket', memoryMiB: 8192, users: [{ name: 'capv', sshAuthorizedKeys: ['ssh-rsa AAA'] }] } }),
      live: live(),
      changes: ['Cluster/m01 spec.kubernetesVersion', 'VSphereMachineConfig/m01-cp spec.osFamily'],
    },
  ];
  it.each(rows)('$name', ({ spec: s, live: l, changes }) => {
    expect(specChanges(s, l)).toEqual(changes);
  });

  it('a spec without a datacenter document checks the Cluster and machine configs only', () => {
    const s = { ...spec(), datacenter: undefined };
    expect(specChanges(s, live().filter((o) => o.kind !== 'VSphereDatacenterConfig'))).toEqual([]);
  });
});
