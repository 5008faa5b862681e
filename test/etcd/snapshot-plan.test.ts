import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { expandPlaceholders, memberLayout, planEtcdSnapshot, snapshotCommand, snapshotFileName, snapshotFolders, type EtcdSnapshotFlags } from '../../src/etcd/snapshot-plan.js';
import { clusterObjects, type ClusterFixture } from './layouts.js';

const fixture: ClusterFixture = {
  name: 'w1',
  topology: 'stacked',
  osFamily: 'bottlerocket',
  machines: [
    { name: 'w1-cp-a', address: '10.0.0.1' },
    { name: 'w1-cp-b', address: '10.0.0.2' },
  ],
};
const context = { backupDir: '/backups/mgmt/w1-backup-2026-01-01T00_00_00.partial', cwd: '/work' };
const plan = (flags: EtcdSnapshotFlags = {}) => planEtcdSnapshot(clusterObjects(fixture), flags, context);

describe('planEtcdSnapshot', () => {
  it('defaults: the EKS-A key of the cluster, accept-new into the backup set, real node paths, 5 s health probe', () => {
    const request = plan();
    expect(request.target).toMatchObject({ cluster: 'w1', topology: 'stacked', os: 'bottlerocket', user: 'ec2-user' });
    expect(request.ssh).toEqual({
      keyFile: '/work/w1/eks-a-id_rsa',
      recordKnownHostsFile: `${context.backupDir}/etcd/known_hosts`,
      extraOptions: [],
    });
    expect(request.layout).toEqual({
      topology: 'stacked',
      os: 'bottlerocket',
      root: '',
      endpoint: undefined,
      stackedEtcdctl: 'auto',
      healthTimeoutSeconds: 5,
      saveTimeoutSeconds: 600,
      dialTimeoutSeconds: 3,
    });
  });

  it('carries every flag through', () => {
    const request = plan({
      sshKey: '/keys/k',
      sshUser: 'admin',
      sshPort: 2222,
      sshKnownHosts: '/pinned',
      sshOptions: ['ProxyJump=bastion'],
      sshAddressType: 'InternalIP',
      remoteRoot: '/sandbox',
      etcdEndpoint: 'https://127.0.0.1:23790',
      stackedEtcdctl: 'crictl',
      healthTimeoutSeconds: 2,
      saveTimeoutSeconds: 30,
      dialTimeoutSeconds: 1,
    });
    expect(request.target.user).toBe('admin');
    expect(request.ssh).toMatchObject({ keyFile: '/keys/k', port: 2222, knownHostsFile: '/pinned', extraOptions: ['ProxyJump=bastion'] });
    expect(request.layout).toMatchObject({ root: '/sandbox', endpoint: 'https://127.0.0.1:23790', stackedEtcdctl: 'crictl', healthTimeoutSeconds: 2 });
  });

  it.each([
    ['a bad port', { sshPort: 70000 }, /--ssh-port/],
    ['a reserved ssh option', { sshOptions: ['StrictHostKeyChecking=no'] }, /--ssh-known-hosts/],
    ['a key path ssh cannot take', { sshKey: '/keys/50%' }, /ssh cannot take the path/],
    ['a relative remote root', { remoteRoot: 'sandbox' }, /invalid remote root/],
    ['a hostile endpoint', { etcdEndpoint: 'https://x:1/$(id)' }, /invalid etcd endpoint/],
    ['a zero timeout', { saveTimeoutSeconds: 0 }, /invalid etcd timeout/],
    ['an unknown placeholder in the root', { remoteRoot: '/nodes/{machine}' }, /--etcd-remote-root: unknown placeholder \{machine\}/],
    ['a root placeholder in the endpoint', { etcdEndpoint: 'https://{cluster}:2379' }, /--etcd-endpoint: unknown placeholder \{cluster\}/],
    ['an endpoint that is no URL once filled in', { etcdEndpoint: '{address}' }, /invalid etcd endpoint: "10.0.0.1"/],
  ] as Array<[string, EtcdSnapshotFlags, RegExp]>)('stops at plan time on %s', (_label, flags, message) => {
    expect(() => plan(flags)).toThrow(UsageError);
    expect(() => plan(flags)).toThrow(message);
  });
});

describe('snapshotCommand', () => {
  it('is one ssh write per member: constant remote command, the script on stdin, a timeout covering the save', () => {
    const request = plan({ sshPort: 2222, saveTimeoutSeconds: 100 });
    const member = request.target.members[1]!;
    const command = snapshotCommand(request, member);
    expect(command.kind).toBe('write');
    expect(command.why).toBe('etcd snapshot of w1 from w1-cp-b');
    expect(command.argv.slice(-4)).toEqual(['ec2-user', '--', '10.0.0.2', 'sudo -n sheltie']);
    expect(command.input).toMatch(/^# eksa-safe-upgrade etcd snapshot \(stacked, bottlerocket\)\n/);
    expect(command.timeoutMs).toBe((5 + 100 + 6 + 60) * 1000);
  });
});

describe('per-cluster and per-member values (the simulator: every node is the same host)', () => {
  it('fills {cluster} into the root at plan time and {address} into the endpoint per member', () => {
    const request = plan({ remoteRoot: '/sim/nodes/{cluster}', etcdEndpoint: 'https://{address}:40123' });
    expect(request.layout.root).toBe('/sim/nodes/w1');
    expect(request.layout.endpoint).toBe('https://{address}:40123');
    const [a, b] = request.target.members;
    expect(memberLayout(request, a!).endpoint).toBe('https://10.0.0.1:40123');
    expect(memberLayout(request, b!).endpoint).toBe('https://10.0.0.2:40123');
    expect(snapshotCommand(request, b!).input).toContain("ENDPOINT='https://10.0.0.2:40123'");
    expect(snapshotCommand(request, b!).input).toContain("ROOT='/sim/nodes/w1'");
  });

  it('brackets an IPv6 member address in the URL', () => {
    const request = plan({ etcdEndpoint: 'https://{address}:2379' });
    expect(memberLayout(request, { machine: 'm', address: 'fd00::5' }).endpoint).toBe('https://[fd00::5]:2379');
  });

  it('leaves a layout without an endpoint alone', () => {
    const request = plan();
    expect(memberLayout(request, request.target.members[0]!)).toBe(request.layout);
  });

  it.each([
    ['/x/{cluster}/{cluster}', { cluster: 'c' }, '/x/c/c'],
    ['/no/placeholder', { cluster: 'c' }, '/no/placeholder'],
    ['/x/{}', { cluster: 'c' }, 'throws'],
    ['/x/{CLUSTER}', { cluster: 'c' }, 'throws'],
  ] as Array<[string, Record<string, string>, string]>)('expandPlaceholders(%s)', (template, values, expected) => {
    if (expected === 'throws') expect(() => expandPlaceholders(template, values, '--flag')).toThrow(UsageError);
    else expect(expandPlaceholders(template, values, '--flag')).toBe(expected);
  });
});

describe('snapshotFileName', () => {
  it('is etcd/<cluster>-<member>.db', () => {
    expect(snapshotFileName('w1', 'w1-cp-a')).toBe('etcd/w1-w1-cp-a.db');
  });
});

describe('snapshotFolders (issue 15, finding 13)', () => {
  it('flat names while no cluster name is another\'s followed by a dash; a folder per cluster otherwise', () => {
    expect(snapshotFolders(['mgmt', 'w01', 'w02'])).toBe(false);
    expect(snapshotFolders(['w01', 'w01-w01'])).toBe(true);
    expect(snapshotFileName('w01', 'w01-w01-w01-mbzs9', true)).toBe('etcd/w01/w01-w01-w01-mbzs9.db');
    expect(snapshotFileName('w01-w01', 'w01-w01-mbzs9', true)).not.toBe(snapshotFileName('w01', 'w01-w01-w01-mbzs9', true));
    expect(snapshotFileName('w01-w01', 'w01-w01-mbzs9')).toBe(snapshotFileName('w01', 'w01-w01-w01-mbzs9'));
  });
});
