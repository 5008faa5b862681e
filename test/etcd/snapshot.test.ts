// End to end against a real TLS etcd and a real sshd on loopback: the product's ssh (system OpenSSH),
// sudo, sh/bash, mktemp and etcdctl all run for real; only sheltie/ctr/crictl are stand-ins that exec
// the real etcdctl.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafeUpgradeError, UsageError } from '../../src/errors.js';
import { Runner } from '../../src/runner/runner.js';
import { requireAllSnapshots, snapshotCluster, snapshotClusters, stderrSummary } from '../../src/etcd/snapshot.js';
import { planEtcdSnapshot, type EtcdSnapshotFlags } from '../../src/etcd/snapshot-plan.js';
import { boltMetaProblem } from '../../src/etcd/snapshot-verify.js';
import { fillEtcd, makePki, putKeys, requireRealTools, startEtcd, startSshd, type Pki, type RealEtcd, type RealSshd } from '../helpers/testbed.js';
import { clusterObjects, layOutBottlerocket, layOutExternal, layOutStacked, makeRoot, type ClusterFixture } from './layouts.js';

const real = requireRealTools();

describe('stderrSummary', () => {
  it.each([
    ['etcdctl: JSON log lines dropped, the last two lines kept', '{"level":"warn","msg":"retrying"}\nhttps://127.0.0.1:2379 is unhealthy: failed to commit proposal: context deadline exceeded\nError: unhealthy cluster\n', 'https://127.0.0.1:2379 is unhealthy: failed to commit proposal: context deadline exceeded / Error: unhealthy cluster'],
    ['ssh host key banner dropped', '@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@@@@@\nHost key for [h]:22 has changed and you have requested strict checking.\nHost key verification failed.\n', 'Host key for [h]:22 has changed and you have requested strict checking. / Host key verification failed.'],
    ['one line', 'etcd snapshot: no running etcd container found with ctr -n k8s.io\n', 'etcd snapshot: no running etcd container found with ctr -n k8s.io'],
    ['nothing', '\n\n', ''],
  ])('%s', (_label, stderr, expected) => {
    expect(stderrSummary(stderr)).toBe(expected);
  });

  it('shortens very long lines', () => {
    expect(stderrSummary(`${'x'.repeat(1000)}\n`)).toBe(`${'x'.repeat(300)}…`);
  });
});

describe.skipIf(!real)('etcd snapshot over real ssh to a real etcd', () => {
  let work: string;
  let pki: Pki;
  let etcd: RealEtcd;
  let sshd: RealSshd;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'esu-snapshot-test-'));
    pki = makePki(join(work, 'pki'));
    [etcd, sshd] = await Promise.all([startEtcd({ pki }), startSshd({ listen: ['127.0.0.1', '127.0.0.2'] })]);
    putKeys(etcd, '/esu/key-', 500);
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    await Promise.all([etcd?.stop(), sshd?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const newRunner = (dryRun = false) => {
    const lines: string[] = [];
    const runner = new Runner({ dryRun, verbose: false, log: (l) => lines.push(l) });
    return { runner, lines };
  };
  let counter = 0;
  const backupDir = () => join(work, `backup-${++counter}`);
  const flags = (root: string, extra: EtcdSnapshotFlags = {}): EtcdSnapshotFlags => ({
    sshKey: sshd.clientKey,
    sshPort: sshd.port,
    sshUser: sshd.user,
    remoteRoot: root,
    healthTimeoutSeconds: 2,
    dialTimeoutSeconds: 1,
    saveTimeoutSeconds: 60,
    ...extra,
  });
  const cluster = (over: Partial<ClusterFixture> = {}): ClusterFixture => ({
    name: 'mgmt',
    topology: 'external',
    osFamily: 'ubuntu',
    machines: [{ name: 'mgmt-etcd-a', address: '127.0.0.1' }],
    ...over,
  });
  const plan = (fixture: ClusterFixture, f: EtcdSnapshotFlags, dir: string) => planEtcdSnapshot(clusterObjects(fixture), f, { backupDir: dir, cwd: work });
  const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
  const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('eksa-etcd-snapshot'));
  const snapshotFiles = (dir: string) => (existsSync(join(dir, 'etcd')) ? readdirSync(join(dir, 'etcd')).filter((n) => n !== 'known_hosts') : []);

  it('external etcd, Ubuntu layout: streams, verifies, records status; the snapshot restores with the keys', async () => {
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint);
    const dir = backupDir();
    const { runner } = newRunner();
    let progress = 0;
    const entry = await snapshotCluster(runner, plan(cluster(), flags(root), dir), { backupDir: dir, onProgress: (_c, _m, b) => (progress = b) });
    expect(entry).toBeDefined();
    if (!entry) return;
    const file = join(dir, entry.file);
    expect(entry).toMatchObject({ cluster: 'mgmt', member: 'mgmt-etcd-a', address: '127.0.0.1', topology: 'external', os: 'ubuntu', file: 'etcd/mgmt-mgmt-etcd-a.db' });
    expect(entry.size).toBe(statSync(file).size);
    expect(progress).toBe(entry.size);
    expect((entry.size - 32) % 4096).toBe(0);
    expect(entry.sha256).toBe(sha256(file));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(entry.totalKeys).toBeGreaterThanOrEqual(500);
    expect(entry.revision).toBeGreaterThan(1);
    expect(entry.dbSize).toBe(entry.size - 32);
    expect(entry.failedAttempts).toEqual([]);
    expect(existsSync(`${file}.partial`)).toBe(false);
    // accept-new recorded the host key in the backup set
    expect(readFileSync(join(dir, 'etcd', 'known_hosts'), 'utf8')).toContain(sshd.hostKeyPub.split(' ')[1]);
    // the remote temp file is gone
    expect(leftovers(join(root, 'var/lib/etcd'))).toEqual([]);
    // one ssh call, the script on stdin, a constant remote command
    const ssh = runner.entries().filter((e) => e.argv[0] === 'ssh');
    expect(ssh).toHaveLength(1);
    expect(ssh[0]?.argv.at(-1)).toBe('sudo -n sh -s');
    expect(ssh[0]?.exitCode).toBe(0);

    const restored = await startEtcd({ pki, restoreFrom: file });
    cleanups.push(() => restored.stop());
    expect(restored.ctl(['get', '/esu/key-000123', '--print-value-only']).trim()).toBe('value-123');
    expect(restored.ctl(['get', '/esu/key-000499', '--print-value-only']).trim()).toBe('value-499');
  });

  it('stacked etcd, kubeadm layout with the host etcdctl', async () => {
    const root = makeRoot(work);
    layOutStacked(root, pki);
    const dir = backupDir();
    sshd.standinCalls(true);
    const fixture = cluster({ name: 'w1', topology: 'stacked', machines: [{ name: 'w1-cp-a', address: '127.0.0.1' }] });
    const entry = await snapshotCluster(newRunner().runner, plan(fixture, flags(root, { etcdEndpoint: etcd.endpoint }), dir), { backupDir: dir });
    expect(entry).toMatchObject({ cluster: 'w1', member: 'w1-cp-a', topology: 'stacked', os: 'ubuntu' });
    expect(entry?.totalKeys).toBeGreaterThanOrEqual(500);
    expect(sshd.standinCalls()).toEqual([]);
    expect(leftovers(join(root, 'var/lib/etcd'))).toEqual([]);
  });

  it('stacked etcd, kubeadm layout through crictl exec into the etcd container', async () => {
    const root = makeRoot(work);
    layOutStacked(root, pki);
    const dir = backupDir();
    sshd.setContainer('3f1c0ffee0123456789abcdef');
    sshd.standinCalls(true);
    const fixture = cluster({ name: 'w2', topology: 'stacked', osFamily: 'redhat', machines: [{ name: 'w2-cp-a', address: '127.0.0.1' }] });
    const entry = await snapshotCluster(newRunner().runner, plan(fixture, flags(root, { etcdEndpoint: etcd.endpoint, stackedEtcdctl: 'crictl' }), dir), { backupDir: dir });
    expect(entry).toMatchObject({ cluster: 'w2', topology: 'stacked', os: 'redhat' });
    const calls = sshd.standinCalls();
    expect(calls[0]).toMatch(/^crictl ps --name \^etcd\$ --state running -q$/);
    expect(calls.filter((c) => c.startsWith('crictl exec 3f1c0ffee0123456789abcdef etcdctl'))).toHaveLength(2);
    expect(calls.some((c) => c.includes(' snapshot save '))).toBe(true);
  });

  it('Bottlerocket external etcd: sudo sheltie, ctr -n k8s.io tasks exec, endpoint from the etcd manifest', async () => {
    const root = makeRoot(work);
    layOutBottlerocket(root, pki, etcd.endpoint);
    const dir = backupDir();
    sshd.setContainer('b0771e0c0ffee');
    sshd.standinCalls(true);
    const fixture = cluster({ name: 'br', osFamily: 'bottlerocket', machines: [{ name: 'br-etcd-a', address: '127.0.0.2' }] });
    const request = plan(fixture, flags(root), dir);
    const { runner } = newRunner();
    const entry = await snapshotCluster(runner, request, { backupDir: dir });
    expect(entry).toMatchObject({ cluster: 'br', os: 'bottlerocket', topology: 'external', address: '127.0.0.2' });
    expect(entry?.totalKeys).toBeGreaterThanOrEqual(500);
    expect(runner.entries().find((e) => e.argv[0] === 'ssh')?.argv.at(-1)).toBe('sudo -n sheltie');
    const calls = sshd.standinCalls();
    expect(calls[0]).toBe('sheltie ');
    expect(calls).toContain('ctr -n k8s.io containers list');
    const execs = calls.filter((c) => c.startsWith('ctr -n k8s.io tasks exec --exec-id'));
    expect(execs).toHaveLength(2);
    expect(execs[1]).toContain(`b0771e0c0ffee etcdctl --endpoints=${etcd.endpoint} --cacert=${root}/var/lib/etcd/pki/ca.crt`);
    expect(leftovers(join(root, 'var/lib/etcd/data'))).toEqual([]);
  });

  it('Bottlerocket stacked etcd, and a clear error when no etcd container runs', async () => {
    const root = makeRoot(work);
    layOutBottlerocket(root, pki, undefined);
    const fixture = cluster({ name: 'brs', topology: 'stacked', osFamily: 'bottlerocket', machines: [{ name: 'brs-cp-a', address: '127.0.0.1' }] });
    sshd.setContainer('5ac4ed0e7cd');
    const dir = backupDir();
    const entry = await snapshotCluster(newRunner().runner, plan(fixture, flags(root, { etcdEndpoint: etcd.endpoint }), dir), { backupDir: dir });
    expect(entry).toMatchObject({ topology: 'stacked', os: 'bottlerocket' });

    sshd.setContainer(undefined);
    const dir2 = backupDir();
    const failed = snapshotCluster(newRunner().runner, plan(fixture, flags(root, { etcdEndpoint: etcd.endpoint }), dir2), { backupDir: dir2 });
    await expect(failed).rejects.toThrow(/no running etcd container found with ctr -n k8s\.io/);
    expect(snapshotFiles(dir2)).toEqual([]);
  });

  it('first member unreachable: the second member is used and the first failure recorded', async () => {
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint);
    const dir = backupDir();
    const fixture = cluster({
      machines: [
        { name: 'mgmt-etcd-a', address: '127.0.0.3' }, // nothing listens there
        { name: 'mgmt-etcd-b', address: '127.0.0.2' },
      ],
    });
    const entry = await snapshotCluster(newRunner().runner, plan(fixture, flags(root), dir), { backupDir: dir });
    expect(entry?.member).toBe('mgmt-etcd-b');
    expect(entry?.failedAttempts).toHaveLength(1);
    expect(entry?.failedAttempts[0]).toMatchObject({ member: 'mgmt-etcd-a', address: '127.0.0.3' });
    expect(entry?.failedAttempts[0]?.reason).toMatch(/^ssh exit 255 \(connection failed or dropped\): .*Connection refused/);
    expect(snapshotFiles(dir)).toEqual(['mgmt-mgmt-etcd-b.db']);
  });

  it('etcd down on every member: a clear error within seconds and no complete snapshot', async () => {
    const root = makeRoot(work);
    const dead = `https://127.0.0.1:${await (await import('../helpers/testbed.js')).freePort()}`;
    layOutExternal(root, pki, dead);
    const dir = backupDir();
    const fixture = cluster({ machines: [{ name: 'mgmt-etcd-a', address: '127.0.0.1' }, { name: 'mgmt-etcd-b', address: '127.0.0.2' }] });
    const started = Date.now();
    const error = await snapshotCluster(newRunner().runner, plan(fixture, flags(root), dir), { backupDir: dir }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(error).toBeInstanceOf(SafeUpgradeError);
    const e = error as SafeUpgradeError;
    expect(e.exit).toBe('EtcdSnapshotFailed');
    expect(e.message).toMatch(/failed on every member: mgmt-etcd-a \(127\.0\.0\.1\): remote exit \d+: .*; mgmt-etcd-b \(127\.0\.0\.2\): remote exit/);
    expect(e.message).toMatch(/unhealthy|deadline exceeded/);
    expect(e.hint).toMatch(/etcd health/);
    expect(snapshotFiles(dir)).toEqual([]);
    expect(leftovers(join(root, 'var/lib/etcd'))).toEqual([]);
  });

  it('wrong certificate path in etcdctl.env: the etcdctl error is reported', async () => {
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint, { certDir: '/nonexistent/etcd/pki' });
    const dir = backupDir();
    const failed = snapshotCluster(newRunner().runner, plan(cluster(), flags(root), dir), { backupDir: dir });
    await expect(failed).rejects.toThrow(/open \/nonexistent\/etcd\/pki\/.*no such file or directory/);
    expect(snapshotFiles(dir)).toEqual([]);
  });

  it('ssh key refused: reported as an ssh failure with a hint at the --ssh-* flags', async () => {
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint);
    const other = join(work, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const dir = backupDir();
    const error = (await snapshotCluster(newRunner().runner, plan(cluster(), flags(root, { sshKey: other }), dir), { backupDir: dir }).catch((e: unknown) => e)) as SafeUpgradeError;
    expect(error.message).toMatch(/ssh exit 255 \(connection failed or dropped\): .*Permission denied \(publickey\)/);
    expect(error.hint).toMatch(/--ssh-key/);
    await expect(snapshotCluster(newRunner().runner, plan(cluster(), flags(root, { sshKey: join(work, 'absent') }), dir), { backupDir: dir })).rejects.toThrow(UsageError);
  });

  it('--ssh-known-hosts: a pinned key works, a mismatching one is refused', async () => {
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint);
    const pinned = join(work, 'known_hosts_ok');
    writeFileSync(pinned, sshd.knownHostsLine('127.0.0.1'));
    const dir = backupDir();
    const entry = await snapshotCluster(newRunner().runner, plan(cluster(), flags(root, { sshKnownHosts: pinned }), dir), { backupDir: dir });
    expect(entry?.member).toBe('mgmt-etcd-a');
    expect(existsSync(join(dir, 'etcd', 'known_hosts'))).toBe(false);

    const otherKey = join(work, 'other_host_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    const wrong = join(work, 'known_hosts_wrong');
    writeFileSync(wrong, `[127.0.0.1]:${sshd.port} ${readFileSync(`${otherKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const dir2 = backupDir();
    const failed = snapshotCluster(newRunner().runner, plan(cluster(), flags(root, { sshKnownHosts: wrong }), dir2), { backupDir: dir2 });
    await expect(failed).rejects.toThrow(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    expect(snapshotFiles(dir2)).toEqual([]);
  });

  it('a stream cut short (sshd killed mid-transfer) is detected and not marked complete', async () => {
    const big = await startEtcd({ pki });
    cleanups.push(() => big.stop());
    await fillEtcd(big, 48);
    const root = makeRoot(work);
    layOutExternal(root, pki, big.endpoint);
    const dir = backupDir();
    let killed: number[] = [];
    const failed = snapshotCluster(newRunner().runner, plan(cluster(), flags(root), dir), {
      backupDir: dir,
      onProgress: () => {
        if (killed.length > 0) return;
        killed = sshd.sessionPids();
        for (const pid of killed) process.kill(pid, 'SIGKILL');
      },
    });
    const error = (await failed.catch((e: unknown) => e)) as SafeUpgradeError;
    expect(killed.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(SafeUpgradeError);
    expect(error.message).toMatch(/mgmt-etcd-a \(127\.0\.0\.1\): ssh exit 255 \(connection failed or dropped\): .*; stream stopped after \d+ bytes: (size \d+ is not whole|sha256 trailer)/);
    expect(snapshotFiles(dir)).toEqual([]);
    // the remote trap removes the temp file once cat hits the closed pipe
    for (let i = 0; i < 50 && leftovers(join(root, 'var/lib/etcd')).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(leftovers(join(root, 'var/lib/etcd'))).toEqual([]);
  });

  it('hostile remote root (quotes, ;, $(), backticks, spaces) is quoted: the snapshot works and nothing is injected', async () => {
    const canaryDir = mkdtempSync(join(tmpdir(), 'esu-canary-'));
    const canary = join(canaryDir, 'pwned');
    const name = `r oot;touch ${canary};$(touch ${canary})\`touch ${canary}\`'"'$HOME`;
    const root = makeRoot(work, name);
    layOutExternal(root, pki, etcd.endpoint);
    const dir = backupDir();
    const entry = await snapshotCluster(newRunner().runner, plan(cluster(), flags(root), dir), { backupDir: dir });
    expect(entry?.totalKeys).toBeGreaterThanOrEqual(500);
    const rootB = makeRoot(work, name);
    layOutBottlerocket(rootB, pki, etcd.endpoint);
    sshd.setContainer('c0ffee');
    const entryB = await snapshotCluster(newRunner().runner, plan(cluster({ osFamily: 'bottlerocket' }), flags(rootB), dir), { backupDir: dir });
    expect(entryB?.os).toBe('bottlerocket');
    expect(existsSync(canary)).toBe(false);
    rmSync(canaryDir, { recursive: true, force: true });
  });

  it('hostile cluster values are rejected before any ssh runs', async () => {
    const canaryDir = mkdtempSync(join(tmpdir(), 'esu-canary-'));
    const canary = join(canaryDir, 'pwned');
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint);
    const dir = backupDir();
    const hostileFlags = flags(root, { sshUser: undefined });
    expect(() => plan(cluster({ name: `x;touch ${canary}` }), hostileFlags, dir)).toThrow(UsageError);
    expect(() => plan(cluster({ name: 'x$(id)' }), hostileFlags, dir)).toThrow(UsageError);
    expect(() => plan(cluster({ users: [{ name: `capv$(touch ${canary})` }] }), hostileFlags, dir)).toThrow(/invalid SSH user name/);
    expect(() => plan(cluster({ users: [{ name: `capv\ntouch ${canary}` }] }), hostileFlags, dir)).toThrow(UsageError);
    expect(() => plan(cluster(), flags(`${root}\ntouch ${canary}`), dir)).toThrow(/invalid remote root/);
    expect(() => plan(cluster(), flags(root, { etcdEndpoint: `https://127.0.0.1:2379;touch ${canary}` }), dir)).toThrow(/invalid etcd endpoint/);

    // Hostile addresses and machine names are skipped; the one clean member is used.
    const fixture = cluster({
      machines: [
        { name: 'a-1', address: `127.0.0.1;touch ${canary}` },
        { name: 'a-2', address: `-oProxyCommand=touch ${canary}` },
        { name: 'a-3', address: `$(touch ${canary})` },
        { name: 'a-4', address: `127.0.0.1\ntouch ${canary}` },
        { name: `a-5;touch ${canary}`, address: '127.0.0.1' },
        { name: 'a-6', address: '127.0.0.2' },
      ],
    });
    const request = plan(fixture, flags(root), dir);
    expect(request.target.members).toEqual([{ machine: 'a-6', address: '127.0.0.2' }]);
    expect(request.target.skipped.map((s) => s.machine)).toEqual(['a-1', 'a-2', 'a-3', 'a-4', `a-5;touch ${canary}`]);
    const { runner } = newRunner();
    const entry = await snapshotCluster(runner, request, { backupDir: dir });
    expect(entry?.member).toBe('a-6');
    const argv = runner.entries().flatMap((e) => e.argv).join(' ');
    expect(argv).not.toContain('touch');
    expect(existsSync(canary)).toBe(false);

    // No clean member at all: a clear error and not a single ssh call.
    const none = plan(cluster({ machines: fixture.machines.slice(0, 4) }), flags(root), dir);
    const r2 = newRunner();
    await expect(snapshotCluster(r2.runner, none, { backupDir: dir })).rejects.toThrow(/no etcd member to snapshot .*not an IP or host name/);
    expect(r2.runner.entries()).toEqual([]);
    expect(existsSync(canary)).toBe(false);
    rmSync(canaryDir, { recursive: true, force: true });
  });

  it('a local write failure stops at once: reported as such, the next member is not tried', async () => {
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint);
    const dir = backupDir();
    mkdirSync(join(dir, 'etcd', 'mgmt-mgmt-etcd-a.db.partial'), { recursive: true }); // cannot be opened as a file
    const fixture = cluster({ machines: [{ name: 'mgmt-etcd-a', address: '127.0.0.1' }, { name: 'mgmt-etcd-b', address: '127.0.0.2' }] });
    const { runner } = newRunner();
    await expect(snapshotCluster(runner, plan(fixture, flags(root), dir), { backupDir: dir })).rejects.toThrow(/writing the output failed: .*EISDIR/);
    expect(runner.entries().filter((e) => e.argv[0] === 'ssh')).toHaveLength(1);
    for (let i = 0; i < 50 && leftovers(join(root, 'var/lib/etcd')).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(leftovers(join(root, 'var/lib/etcd'))).toEqual([]);
  });

  it('dry-run prints the ssh command with its exact script, journals it as skipped, writes nothing', async () => {
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint);
    const dir = backupDir();
    const { runner, lines } = newRunner(true);
    const request = plan(cluster(), flags(root), dir);
    const entry = await snapshotCluster(runner, request, { backupDir: dir });
    expect(entry).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^! ssh -o BatchMode=yes .* -- 127\.0\.0\.1 'sudo -n sh -s' <<'EKSA_SAFE_UPGRADE_INPUT'\n# eksa-safe-upgrade etcd snapshot \(external, ubuntu\)\n/);
    expect(lines[0]).toContain(`ROOT='${root}'`);
    expect(lines[0]).toContain('etcdctl --endpoints="$EP"');
    expect(runner.entries()).toHaveLength(1);
    expect(runner.entries()[0]).toMatchObject({ skipped: true, dryRun: true, kind: 'write', exitCode: null });
    expect(existsSync(dir)).toBe(false);
  });

  it('clusters run in parallel within --concurrency; one failure does not stop the others', async () => {
    const good = makeRoot(work);
    layOutExternal(good, pki, etcd.endpoint);
    const bad = makeRoot(work);
    layOutExternal(bad, pki, etcd.endpoint, { certDir: '/nonexistent' });
    const dir = backupDir();
    const requests = ['c1', 'c2', 'c3', 'c4'].map((name, i) =>
      plan(cluster({ name, machines: [{ name: `${name}-etcd`, address: i % 2 ? '127.0.0.2' : '127.0.0.1' }] }), flags(name === 'c3' ? bad : good), dir),
    );
    const started = Date.now();
    const outcomes = await snapshotClusters(newRunner().runner, requests, { backupDir: dir, concurrency: 2 });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(outcomes.map((o) => `${o.cluster}:${o.status}`)).toEqual(['c1:ok', 'c2:ok', 'c3:failed', 'c4:ok']);
    expect(snapshotFiles(dir).sort()).toEqual(['c1-c1-etcd.db', 'c2-c2-etcd.db', 'c4-c4-etcd.db']);
    expect(() => requireAllSnapshots(outcomes)).toThrow(/cluster c3 failed on every member/);
    expect(requireAllSnapshots(outcomes.filter((o) => o.cluster !== 'c3')).map((e) => e.cluster)).toEqual(['c1', 'c2', 'c4']);
  });

  it('without a local etcd tool, a real snapshot passes the bbolt meta page check (issue 15, finding 18)', async () => {
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint);
    const dir = backupDir();
    const entry = await snapshotCluster(newRunner().runner, plan(cluster(), flags(root), dir), { backupDir: dir, statusTool: false });
    expect(entry).toMatchObject({ cluster: 'mgmt', member: 'mgmt-etcd-a' });
    expect(entry!.revision).toBeUndefined();
    const bytes = readFileSync(join(dir, entry!.file));
    expect(boltMetaProblem(bytes, bytes.length - 32)).toBeUndefined();
  });

  it('snapshot files cannot collide: clusters w01 and w01-w01 with members that join to the same name get one folder each (issue 15, finding 13)', async () => {
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint);
    const dir = backupDir();
    const requests = [
      plan(cluster({ name: 'w01', machines: [{ name: 'w01-w01-w01-mbzs9', address: '127.0.0.1' }] }), flags(root), dir),
      plan(cluster({ name: 'w01-w01', machines: [{ name: 'w01-w01-mbzs9', address: '127.0.0.2' }] }), flags(root), dir),
    ];
    for (const concurrency of [1, 2]) {
      const outcomes = await snapshotClusters(newRunner().runner, requests, { backupDir: dir, concurrency });
      const entries = requireAllSnapshots(outcomes);
      expect(new Set(entries.map((e) => e.file)).size).toBe(2);
      expect(entries.map((e) => e.file)).toEqual(['etcd/w01/w01-w01-w01-mbzs9.db', 'etcd/w01-w01/w01-w01-mbzs9.db']);
      for (const e of entries) expect(sha256(join(dir, e.file)), e.file).toBe(e.sha256);
      rmSync(join(dir, 'etcd', 'w01'), { recursive: true });
      rmSync(join(dir, 'etcd', 'w01-w01'), { recursive: true });
    }
  });
});
