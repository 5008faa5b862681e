// The simulator's real etcd world (sim/etcd): who the members are (pure), and `up` / `down` starting and
// stopping real etcd members and sshd by pid, with the exports `backup` needs.
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { etcdPaths, loadScenario, planEtcdWorld, realEtcdBlocker } from '../../sim/index.js';
import { requireRealTools } from '../helpers/testbed.js';

const CLI = path.resolve('sim/cli.js');
const sim = (args: string[], env: NodeJS.ProcessEnv = process.env) => execa(process.execPath, [CLI, ...args], { reject: false, timeout: 90_000, env, extendEnv: false });
const workdirs: string[] = [];
function freshWorkdir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eksa-sim-etcd-'));
  workdirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of workdirs.splice(0)) {
    await sim(['down', '--workdir', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});
const exportsOf = (stdout: string) => Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
function alive(pid: number) {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('planEtcdWorld', () => {
  it('healthy: a member per etcd Machine (external) or control-plane Machine (stacked), the OS and user of its machine config', () => {
    const plan = planEtcdWorld(loadScenario('healthy', { seed: 'plan' }));
    expect(plan.map((c) => [c.name, c.os, c.topology, c.user, c.members.length])).toEqual([
      ['mgmt', 'ubuntu', 'external', 'capv', 3],
      ['w01', 'ubuntu', 'stacked', 'capv', 1],
      ['w02', 'bottlerocket', 'external', 'ec2-user', 3],
      ['w03', 'bottlerocket', 'stacked', 'ec2-user', 1],
    ]);
    const mgmt = plan[0]!;
    expect(mgmt.members.map((m) => m.machine)).toEqual([...mgmt.members.map((m) => m.machine)].sort());
    expect(mgmt.members.every((m) => m.machine.startsWith('mgmt-etcd-') && /^127\.1\.0\.\d+$/.test(m.address))).toBe(true);
  });

  it('tinkerbell: stacked Ubuntu with three control-plane members, ec2-user', () => {
    const plan = planEtcdWorld(loadScenario('tinkerbell-stacked', { seed: 'plan' }));
    expect(plan.map((c) => [c.name, c.os, c.topology, c.user, c.members.length])).toEqual([
      ['mgmt', 'ubuntu', 'stacked', 'ec2-user', 3],
      ['w01', 'bottlerocket', 'stacked', 'ec2-user', 1],
    ]);
  });

  it.each([
    ['a machine config without osFamily', (o: any) => o.kind === 'VSphereMachineConfig' && o.metadata.name === 'w01-cp' && delete o.spec.osFamily, /cluster w01: osFamily undefined/],
    ['a user name that is no user name', (o: any) => o.kind === 'VSphereMachineConfig' && o.metadata.name === 'w02-etcd' && (o.spec.users[0].name = 'root;id'), /cluster w02: users\[0\]\.name "root;id"/],
    ['a member without a loopback address', (o: any) => o.kind === 'Machine' && o.metadata.labels?.['cluster.x-k8s.io/etcd-cluster'] === 'mgmt-etcd' && (o.status.addresses = [{ type: 'ExternalIP', address: '10.0.0.1' }]), /no loopback ExternalIP \("10\.0\.0\.1"\)/],
  ] as Array<[string, (o: any) => unknown, RegExp]>)('refuses %s', (_label, mutate, message) => {
    const scenario = loadScenario('healthy', { seed: 'plan' });
    scenario.objects.forEach(mutate);
    expect(() => planEtcdWorld(scenario)).toThrow(message);
  });
});

describe('up without the tools', () => {
  // PATH without /usr/bin: etcd, etcdctl, openssl, ssh and sudo are all "missing".
  const bare = { ...process.env, PATH: path.dirname(process.execPath) === '/usr/bin' ? '/nonexistent' : path.dirname(process.execPath) };

  it('names the packages; --real-etcd fails before starting anything', async () => {
    expect(realEtcdBlocker(bare)?.reason).toMatch(/^missing etcd, etcdctl, .*\(apt-get install etcd-server etcd-client openssh-server openssh-client sudo\)$/);
    const dir = freshWorkdir();
    const r = await sim(['up', '--scenario', 'healthy', '--workdir', dir, '--real-etcd'], bare);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^sim: --real-etcd: missing etcd, etcdctl.*apt-get install etcd-server/);
    expect(existsSync(path.join(dir, '.sim', 'state.json'))).toBe(false);
  });

  it('without --real-etcd: up says so and exports nothing for etcd', async () => {
    const dir = freshWorkdir();
    const r = await sim(['up', '--scenario', 'healthy', '--workdir', dir], bare);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/sim: no real etcd: missing etcd, .*; back up with --skip-etcd-backup --reason/);
    expect(Object.keys(exportsOf(r.stdout)).filter((k) => k.includes('ETCD') || k.includes('SSH'))).toEqual([]);
  });
});

const available = requireRealTools();

describe.skipIf(!available)('up / down with real etcd', () => {
  let dir: string;
  let up: Awaited<ReturnType<typeof sim>>;
  let state: any;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'eksa-sim-etcd-'));
    up = await sim(['up', '--scenario', 'healthy', '--workdir', dir, '--real-etcd']);
    state = existsSync(etcdPaths(dir).state) ? JSON.parse(readFileSync(etcdPaths(dir).state, 'utf8')) : undefined;
  }, 90_000);
  afterAll(async () => {
    await sim(['down', '--workdir', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts 8 members and one sshd, and exports where they are', () => {
    expect(up.stderr).toMatch(/sim: real etcd: 8 members \(mgmt ubuntu external x3, w01 ubuntu stacked, w02 bottlerocket external x3, w03 bottlerocket stacked\), sshd on port \d+, ready in \d+\.\d s/);
    expect(up.exitCode).toBe(0);
    const env = exportsOf(up.stdout);
    expect(env).toMatchObject({
      EKSA_SAFE_UPGRADE_SSH_PORT: String(state.sshPort),
      EKSA_SAFE_UPGRADE_SSH_KNOWN_HOSTS: path.join(dir, '.sim', 'etcd', 'ssh', 'known_hosts'),
      EKSA_SAFE_UPGRADE_ETCD_REMOTE_ROOT: path.join(dir, '.sim', 'etcd', 'nodes', '{cluster}'),
      EKSA_SAFE_UPGRADE_ETCD_ENDPOINT: `https://{address}:${state.clientPort}`,
      EKSA_SIM_ETCD_STATE: etcdPaths(dir).state,
    });
    expect(state.processes.map((p: any) => p.kind).sort()).toEqual([...Array(8).fill('etcd'), 'sshd']);
    expect(state.processes.every((p: any) => alive(p.pid))).toBe(true);
    expect(existsSync(state.sudoers)).toBe(true);
    // The key EKS-A would have generated, per cluster, where the tool looks for it by default.
    for (const c of ['mgmt', 'w01', 'w02', 'w03']) expect(readFileSync(path.join(dir, c, 'eks-a-id_rsa'), 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
  });

  it('a node user reaches its member over ssh (pinned host key) and gets root through sudo; crictl finds etcd', async () => {
    const w01 = state.clusters.find((c: any) => c.name === 'w01');
    const ssh = (user: string, key: string, command: string, input?: string) =>
      execa('ssh', ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${etcdPaths(dir).knownHosts}`, '-o', 'IdentitiesOnly=yes',
        '-i', path.join(dir, key, 'eks-a-id_rsa'), '-p', String(state.sshPort), '-l', user, w01.members[0].address, command], { reject: false, input });
    const script = `set -eu\nCID=$(crictl ps --name '^etcd$' --state running -q)\ncrictl exec "$CID" etcdctl --endpoints=${w01.members[0].endpoint} --cacert=${w01.pki.ca} --cert=${w01.pki.serverCert} --key=${w01.pki.serverKey} get /eksa-sim/cluster --print-value-only\nid -u\n`;
    const r = await ssh('capv', 'w01', 'sudo -n sh -s', script);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual(['w01', '0']);
    // A cluster's key is accepted for its own user only: w02's key is ec2-user's.
    const wrong = await ssh('capv', 'w02', 'true');
    expect(wrong.exitCode).toBe(255);
    expect(wrong.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it('down stops every process it started and removes the sudoers drop-in', async () => {
    const down = await sim(['down', '--workdir', dir]);
    expect(down.exitCode).toBe(0);
    expect(state.processes.filter((p: any) => alive(p.pid))).toEqual([]);
    expect(existsSync(state.sudoers)).toBe(false);
    expect(existsSync(etcdPaths(dir).state)).toBe(false);
  });

  it('down also stops a world whose server died (pids from state.json)', async () => {
    const again = await sim(['up', '--scenario', 'healthy', '--workdir', dir]);
    expect(again.exitCode).toBe(0);
    const serverPid = JSON.parse(readFileSync(path.join(dir, '.sim', 'state.json'), 'utf8')).pid;
    const world = JSON.parse(readFileSync(etcdPaths(dir).state, 'utf8'));
    process.kill(serverPid, 'SIGKILL');
    const down = await sim(['down', '--workdir', dir]);
    expect(down.stderr).toContain('sim: stopped real etcd and sshd');
    expect(world.processes.filter((p: any) => alive(p.pid))).toEqual([]);
    expect(existsSync(world.sudoers)).toBe(false);
  });
});
