import { describe, expect, it } from 'vitest';
import { SafeUpgradeError, UsageError } from '../../src/errors.js';
import { defaultUser, selectEtcdTarget } from '../../src/etcd/members.js';
import type { ClusterObjects } from '../../src/kube/types.js';
import { clusterObjects, type ClusterFixture } from './layouts.js';

const base = (over: Partial<ClusterFixture> = {}): ClusterFixture => ({
  name: 'mgmt',
  topology: 'external',
  osFamily: 'ubuntu',
  machines: [{ name: 'mgmt-etcd-a', address: '10.0.0.1' }],
  ...over,
});

describe('selectEtcdTarget', () => {
  it('external etcd: the machines labelled cluster.x-k8s.io/etcd-cluster=<c>-etcd, not the control plane', () => {
    const objects = clusterObjects(base({ machines: [{ name: 'mgmt-etcd-a', address: '10.0.0.1' }, { name: 'mgmt-etcd-b', address: '10.0.0.2' }] }));
    const cp = { ...objects.machines[0]!, metadata: { name: 'mgmt-cp-x', labels: { 'cluster.x-k8s.io/cluster-name': 'mgmt', 'cluster.x-k8s.io/control-plane': '' } } };
    const other = { ...objects.machines[0]!, metadata: { name: 'w1-etcd-a', labels: { 'cluster.x-k8s.io/etcd-cluster': 'w1-etcd' } } };
    const target = selectEtcdTarget({ ...objects, machines: [cp, other, ...objects.machines] });
    expect(target).toMatchObject({ cluster: 'mgmt', topology: 'external', os: 'ubuntu', provider: 'vsphere', user: 'capv' });
    expect(target.members.map((m) => m.machine)).toEqual(['mgmt-etcd-a', 'mgmt-etcd-b']);
  });

  it('stacked etcd: the control-plane machines of the cluster only', () => {
    const objects = clusterObjects(base({ topology: 'stacked', machines: [{ name: 'mgmt-cp-a', address: '10.0.0.1' }] }));
    const worker = { ...objects.machines[0]!, metadata: { name: 'mgmt-md-0-x', labels: { 'cluster.x-k8s.io/cluster-name': 'mgmt' } } };
    const foreignCp = { ...objects.machines[0]!, metadata: { name: 'w1-cp-a', labels: { 'cluster.x-k8s.io/cluster-name': 'w1', 'cluster.x-k8s.io/control-plane': '' } } };
    const target = selectEtcdTarget({ ...objects, machines: [worker, foreignCp, ...objects.machines] });
    expect(target.topology).toBe('stacked');
    expect(target.members).toEqual([{ machine: 'mgmt-cp-a', address: '10.0.0.1' }]);
  });

  it('orders Running machines first, then by name; skips machines being deleted', () => {
    const objects = clusterObjects(
      base({
        machines: [
          { name: 'e-c', address: '10.0.0.3', phase: 'Provisioned' },
          { name: 'e-b', address: '10.0.0.2' },
          { name: 'e-a', address: '10.0.0.1', phase: 'Deleting' },
          { name: 'e-d', address: '10.0.0.4' },
        ],
      }),
    );
    const target = selectEtcdTarget(objects);
    expect(target.members.map((m) => m.machine)).toEqual(['e-b', 'e-d', 'e-c']);
    expect(target.skipped).toEqual([{ machine: 'e-a', reason: 'phase Deleting' }]);
  });

  it.each([
    ['auto prefers ExternalIP', 'auto', '192.0.2.1'],
    ['InternalIP when asked', 'InternalIP', '10.1.1.1'],
    ['ExternalIP when asked', 'ExternalIP', '192.0.2.1'],
  ] as const)('addresses: %s', (_label, addressType, expected) => {
    const objects = clusterObjects(base({ machines: [{ name: 'e-a', address: '10.1.1.1', addressType: 'InternalIP', extraAddresses: [{ type: 'ExternalIP', address: '192.0.2.1' }] }] }));
    expect(selectEtcdTarget(objects, { addressType }).members[0]?.address).toBe(expected);
  });

  it('auto falls back to InternalIP; a missing type is a skip with the reason', () => {
    const objects = clusterObjects(base({ machines: [{ name: 'e-a', address: 'fd00::5', addressType: 'InternalIP' }] }));
    expect(selectEtcdTarget(objects).members).toEqual([{ machine: 'e-a', address: 'fd00::5' }]);
    expect(selectEtcdTarget(objects, { addressType: 'ExternalIP' }).skipped).toEqual([{ machine: 'e-a', reason: 'no ExternalIP address' }]);
  });

  it.each([
    '10.0.0.1;id',
    '-oProxyCommand=id',
    '$(id)',
    '`id`',
    '10.0.0.1\nid',
    'user@10.0.0.1',
    'fe80::1%eth0',
    'host name',
    "a'b",
  ])('skips the hostile address %j', (address) => {
    const target = selectEtcdTarget(clusterObjects(base({ machines: [{ name: 'e-a', address }, { name: 'e-b', address: 'etcd-b.example.com' }] })));
    expect(target.members).toEqual([{ machine: 'e-b', address: 'etcd-b.example.com' }]);
    expect(target.skipped[0]?.reason).toMatch(/is not an IP or host name/);
  });

  it('skips a machine whose name is not DNS-1123 (it becomes a file name)', () => {
    const target = selectEtcdTarget(clusterObjects(base({ machines: [{ name: '../../etc/x', address: '10.0.0.1' }] })));
    expect(target.members).toEqual([]);
    expect(target.skipped[0]?.reason).toMatch(/not a DNS-1123 name/);
  });

  it.each(['Mgmt', 'a;b', '$(id)', 'a b', '-x', 'a..b', ''])('rejects the cluster name %j', (name) => {
    expect(() => selectEtcdTarget(clusterObjects(base({ name })))).toThrow(UsageError);
  });

  describe('SSH user', () => {
    it.each([
      ['VSphereMachineConfig', 'ubuntu', 'capv'],
      ['VSphereMachineConfig', 'redhat', 'capv'],
      ['VSphereMachineConfig', 'bottlerocket', 'ec2-user'],
      ['TinkerbellMachineConfig', 'ubuntu', 'ec2-user'],
      ['TinkerbellMachineConfig', 'bottlerocket', 'ec2-user'],
      ['NutanixMachineConfig', 'ubuntu', 'eksa'],
      ['SnowMachineConfig', 'bottlerocket', 'ec2-user'],
    ])('%s %s defaults to %s', (machineConfigKind, osFamily, user) => {
      expect(selectEtcdTarget(clusterObjects(base({ machineConfigKind, osFamily }))).user).toBe(user);
    });

    it('CloudStack (no osFamily, RHEL templates) defaults to capc on redhat', () => {
      const target = selectEtcdTarget(clusterObjects(base({ machineConfigKind: 'CloudStackMachineConfig', osFamily: undefined })));
      expect(target).toMatchObject({ os: 'redhat', user: 'capc', provider: 'cloudstack' });
    });

    it('users[0].name wins over the default; --ssh-user wins over both', () => {
      const objects = clusterObjects(base({ users: [{ name: 'ops' }, { name: 'other' }] }));
      expect(selectEtcdTarget(objects).user).toBe('ops');
      expect(selectEtcdTarget(objects, { sshUser: 'admin' }).user).toBe('admin');
    });

    it.each(['capv;id', 'capv$(id)', 'root\nid', '-oProxyCommand=x', 'Capv', 'a b'])('rejects the user %j', (name) => {
      expect(() => selectEtcdTarget(clusterObjects(base({ users: [{ name }] })))).toThrow(/invalid SSH user name/);
      expect(() => selectEtcdTarget(clusterObjects(base()), { sshUser: name })).toThrow(UsageError);
    });

    it('Snow Ubuntu has no known default: asks for --ssh-user', () => {
      expect(() => selectEtcdTarget(clusterObjects(base({ machineConfigKind: 'SnowMachineConfig' })))).toThrow(expect.objectContaining({ hint: 'pass --ssh-user' }));
      expect(defaultUser('snow', 'ubuntu')).toBeUndefined();
    });
  });

  it('an unknown osFamily is an etcd snapshot failure naming it', () => {
    expect(() => selectEtcdTarget(clusterObjects(base({ osFamily: 'windows' })))).toThrow(/cannot tell the etcd nodes' OS \(osFamily "windows"\)/);
  });

  it('Docker provider clusters cannot be reached over SSH', () => {
    const objects: ClusterObjects = {
      ...clusterObjects(base({ topology: 'stacked' })),
      machineConfigs: [],
      datacenter: { apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'DockerDatacenterConfig', metadata: { name: 'mgmt' } },
    };
    expect(() => selectEtcdTarget(objects)).toThrow(SafeUpgradeError);
    expect(() => selectEtcdTarget(objects)).toThrow(/Docker provider/);
  });
});
