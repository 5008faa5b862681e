// The etcd half of `backup` end to end: the built CLI against the simulated world with real etcd members
// (one per etcd Machine, on the Machines' addresses) and a real sshd; Ubuntu through etcdctl.env or the
// host etcdctl, Bottlerocket through the sheltie/ctr stand-ins. One world for the whole file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal, runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { makePki, requireRealTools, startEtcd } from '../helpers/testbed.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
// What each cluster of `healthy` is: the layout the tool must pick for it.
const EXPECTED = {
  mgmt: { topology: 'external', os: 'ubuntu', user: 'capv' },
  w01: { topology: 'stacked', os: 'ubuntu', user: 'capv' },
  w02: { topology: 'external', os: 'bottlerocket', user: 'ec2-user' },
  w03: { topology: 'stacked', os: 'bottlerocket', user: 'ec2-user' },
} as const;
type ClusterName = keyof typeof EXPECTED;

const available = requireRealTools();
let s: Sim;
beforeAll(async () => {
  if (available) s = await startSim({ scenario: 'healthy', realEtcd: true });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

const world = () => s.etcd!;
const membersOf = (cluster: ClusterName) => world().clusters.find((c) => c.name === cluster)!.members;
const mgmtDir = () => path.join(s.workdir, 'mgmt');
const setNames = () => readdirSync(mgmtDir()).filter((n) => n.includes('-backup-')).sort();
const manifestOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const journalFile = () => path.join(s.workdir, `ours-${randomBytes(4).toString('hex')}.ndjson`);

async function backup(args: string[] = []) {
  const journal = journalFile();
  const r = await runBin(['backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, '--journal', journal, ...args], { env: s.env, cwd: s.workdir, timeoutMs: 120_000 });
  // The snapshots; the room check before the lock also reads each cluster's dbSize over ssh (a read).
  const all = readJournal(journal).filter((e) => e.argv[0] === 'ssh');
  const ssh = all.filter((e) => String(e.why).startsWith('etcd snapshot of '));
  const sizes = all.filter((e) => String(e.why).startsWith('etcd database size of '));
  return { ...r, ssh, sizes };
}

/** Each cluster's pause switches, as the API server holds them. */
function pauseState(): Record<string, unknown> {
  const all = (s.server.store as unknown as { all(): any[] }).all();
  return Object.fromEntries(
    all
      .filter((o) => o.kind === 'Cluster')
      .map((o) => [`${o.apiVersion.split('/')[0]}/${o.metadata.name}`, { paused: o.spec?.paused, annotations: Object.entries(o.metadata.annotations ?? {}).filter(([k]) => k.includes('paused')) }]),
  );
}

describe.skipIf(!available)('backup with real etcd on the healthy tree', () => {
  it('takes one verified snapshot per cluster, with the layout of its OS and topology; verify passes; a restore holds the data', async () => {
    const marker = `written-before-${randomBytes(6).toString('hex')}`;
    await world().ctl('w02', ['put', '/e2e/marker', marker]);
    const r = await backup(['-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    const dir: string = report.dir;
    const manifest = manifestOf(dir);

    expect(manifest.etcd.map((e: any) => [e.cluster, e.topology, e.os, e.member, e.address])).toEqual(
      (Object.keys(EXPECTED) as ClusterName[]).map((c) => [c, EXPECTED[c].topology, EXPECTED[c].os, membersOf(c)[0]!.machine, membersOf(c)[0]!.address]),
    );
    expect(readdirSync(path.join(dir, 'etcd')).sort()).toEqual(manifest.etcd.map((e: any) => path.basename(e.file)).sort());
    for (const entry of manifest.etcd) {
      expect(entry.file).toBe(`etcd/${entry.cluster}-${entry.member}.db`);
      expect(entry.failedAttempts).toEqual([]);
      // Verified while streaming (sha256 trailer) and by the local etcdctl's snapshot status.
      expect((entry.size - 32) % 4096).toBe(0);
      expect(entry.totalKeys).toBeGreaterThan(0);
      expect(manifest.files).toContainEqual(expect.objectContaining({ path: entry.file, sha256: entry.sha256, size: entry.size }));
    }

    // Each cluster was reached as its machine config's user, with the key EKS-A wrote for it.
    expect(r.ssh).toHaveLength(4);
    expect(r.sizes.map((e) => e.kind)).toEqual(['read', 'read', 'read', 'read']);
    for (const call of r.ssh) {
      const cluster = (Object.keys(EXPECTED) as ClusterName[]).find((c) => call.why === `etcd snapshot of ${c} from ${membersOf(c)[0]!.machine}`)!;
      expect(cluster).toBeDefined();
      expect(call.argv.slice(call.argv.indexOf('-i'), call.argv.indexOf('-i') + 2)).toEqual(['-i', path.join(s.workdir, cluster, 'eks-a-id_rsa')]);
      expect(call.argv.slice(call.argv.indexOf('-l'), call.argv.indexOf('-l') + 2)).toEqual(['-l', EXPECTED[cluster].user]);
      expect(call.argv.at(-1)).toBe(EXPECTED[cluster].os === 'bottlerocket' ? 'sudo -n sheltie' : 'sudo -n sh -s');
    }
    // Bottlerocket went through sheltie and ctr on the "host"; Ubuntu used the host etcdctl, no container tool.
    const standins = s.journal().filter((e) => ['sheltie', 'ctr', 'crictl'].includes(e.source));
    // Twice each: the dbSize read of the room check, then the snapshot.
    expect(standins.filter((e) => e.source === 'sheltie')).toHaveLength(4);
    expect(standins.filter((e) => e.source === 'ctr' && e.argv.includes('snapshot'))).toHaveLength(2);
    expect(standins.filter((e) => e.source === 'ctr' && e.argv.includes('status'))).toHaveLength(2);
    expect(standins.filter((e) => e.source === 'crictl')).toEqual([]);

    const verify = await runBin(['verify', dir], { env: s.env, cwd: s.workdir });
    expect(verify.exitCode).toBe(0);

    // The w02 snapshot restored with `etcdctl snapshot restore` into a scratch etcd: w02's data, the key written before.
    const scratch = mkdtempSync(path.join(tmpdir(), 'esu-restore-'));
    try {
      const w02 = manifest.etcd.find((e: any) => e.cluster === 'w02');
      const restored = await startEtcd({ pki: makePki(path.join(scratch, 'pki')), restoreFrom: path.join(dir, w02.file) });
      try {
        expect(restored.ctl(['get', '/e2e/marker', '--print-value-only']).trim()).toBe(marker);
        expect(restored.ctl(['get', '/eksa-sim/cluster', '--print-value-only']).trim()).toBe('w02');
      } finally {
        await restored.stop();
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('a member whose etcd is down is passed over: the next member gives the snapshot, the failure is recorded', async () => {
    const [first, second] = membersOf('mgmt');
    await world().stopMember(first!.machine);
    try {
      const r = await backup(['-o', 'json']);
      expect(r.exitCode).toBe(0);
      const mgmt = manifestOf(JSON.parse(r.stdout).dir).etcd.find((e: any) => e.cluster === 'mgmt');
      expect(mgmt).toMatchObject({ member: second!.machine, address: second!.address, topology: 'external', os: 'ubuntu' });
      expect(mgmt.failedAttempts).toEqual([
        { member: first!.machine, address: first!.address, reason: expect.stringMatching(/^remote exit \d+: .*(context deadline exceeded|connection refused|unhealthy)/) },
      ]);
      const calls = r.ssh.filter((e) => e.why.startsWith('etcd snapshot of mgmt'));
      expect(calls.map((e) => [e.argv.at(-2), e.exitCode === 0])).toEqual([[first!.address, false], [second!.address, true]]);
    } finally {
      await world().startMember(first!.machine);
    }
  });

  it('etcd down on every member of a cluster: exit 8 naming it, no complete set, pause state as it was', async () => {
    const before = pauseState();
    const setsBefore = setNames();
    const [w01] = membersOf('w01');
    await world().stopMember(w01!.machine);
    try {
      const r = await backup();
      expect(r.exitCode).toBe(8);
      expect(r.stderr).toMatch(new RegExp(`etcd snapshot of cluster w01 failed on every member: ${w01!.machine} \\(${w01!.address.replace(/\./g, '\\.')}\\): remote exit`));
      const added = setNames().filter((n) => !setsBefore.includes(n));
      expect(added).toHaveLength(1);
      expect(added[0]).toMatch(/^mgmt-backup-.*\.failed$/);
      const failed = manifestOf(path.join(mgmtDir(), added[0]!));
      expect(failed.state).toBe('failed');
      expect(failed.error).toContain('w01');
      // The other clusters' snapshots were taken, but a set without every snapshot is not complete.
      expect(readdirSync(path.join(mgmtDir(), added[0]!, 'etcd')).filter((f) => f.endsWith('.partial'))).toEqual([]);
      expect(pauseState()).toEqual(before);
    } finally {
      await world().startMember(w01!.machine);
    }
  });

  it('cluster --dry-run prints each ssh command with its remote script and runs none (only the dbSize reads)', async () => {
    const setsBefore = setNames();
    // Bottlerocket's two clusters are reached through sheltie once each by the dbSize read (a read), never for a snapshot.
    const standinsBefore = s.journal().filter((e) => e.source === 'sheltie').length + 2;
    const journal = journalFile();
    const r = await runBin(['cluster', '-f', s.specFile(), '--cli-tools-image', IMAGE, '--dry-run', '--journal', journal], { env: s.env, cwd: s.workdir, timeoutMs: 120_000 });
    expect(r.exitCode).toBe(0);
    const out = `${r.stdout}\n${r.stderr}`;
    const sshLines = out.split('\n').filter((l) => l.startsWith('! ssh '));
    expect(sshLines).toHaveLength(4);
    const port = world().clientPort;
    for (const c of Object.keys(EXPECTED) as ClusterName[]) {
      const { topology, os, user } = EXPECTED[c];
      const member = membersOf(c)[0]!;
      const line = sshLines.find((l) => l.includes(` ${member.address} `));
      expect(line).toContain(`-l ${user}`);
      expect(line).toContain(`-p ${s.env.EKSA_SAFE_UPGRADE_SSH_PORT}`);
      // The script follows as a quoted heredoc: the exact text the node's shell would read.
      const script = out.slice(out.indexOf(line!)).split('\n').slice(1).join('\n');
      expect(script).toMatch(new RegExp(`^# eksa-safe-upgrade etcd snapshot \\(${topology}, ${os}\\)\nset -eu\nTOPOLOGY='${topology}'\nROOT='${path.join(s.workdir, '.sim', 'etcd', 'nodes', c)}'\nENDPOINT='https://${member.address}:${port}'\n`));
    }
    const ssh = readJournal(journal).filter((e) => e.argv[0] === 'ssh');
    expect(ssh.filter((e) => String(e.why).startsWith('etcd snapshot of ')).map((e) => e.skipped)).toEqual([true, true, true, true]);
    expect(ssh.filter((e) => String(e.why).startsWith('etcd database size of ')).map((e) => [e.kind, e.skipped ?? false])).toEqual(Array(4).fill(['read', false]));
    expect(s.journal().filter((e) => e.source === 'sheltie')).toHaveLength(standinsBefore);
    expect(setNames()).toEqual(setsBefore);
  });
});
