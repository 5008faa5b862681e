// `backup` takes the same upgrade lock as `cluster` (issue 15, finding 9): two backups started in the same
// second used to share one `.partial` set; now the second is refused before it writes anything.
import { execa } from 'execa';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEASE_NAME, LEASE_NAMESPACE } from '../../src/lock/lease.js';
import { concurrentSims } from '../helpers/concurrent-sims.js';
import { assertNoSimSecret, binPath, runBin } from '../helpers/run-bin.js';
import type { Sim } from '../helpers/sim.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const NO_ETCD = ['--skip-etcd-backup', '--reason', 'backup lock tests: etcd is tested in etcd-backup.test.ts'];

// Each test holds a run open on an answer the simulator delays (seconds of waiting) while another run meets its
// lock: two tests at a time overlap those waits, each in worlds of its own (test/helpers/concurrent-sims.ts). A
// test may wait for a slot behind most of the file: its timeout is that long (each run keeps its own bound).
const { isolated, sim: ownSim } = concurrentSims(2);
const TEST_TIMEOUT_MS = 600_000;
const sim = (scenario: string): Promise<Sim> => ownSim({ scenario });
const sets = (s: Sim) => readdirSync(path.join(s.workdir, 'mgmt')).filter((n) => n.includes('-backup-')).sort();
const lease = (s: Sim) => s.server.store.get('leases', LEASE_NAMESPACE, LEASE_NAME);
const backupArgs = (s: Sim) => ['backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD];
const capiClusters = (s: Sim): Array<Record<string, any>> => (s.server.store as any).all().filter((o: any) => o.kind === 'Cluster' && o.apiVersion?.startsWith('cluster.x-k8s.io/'));
const moves = (s: Sim) => s.journal().filter((e) => e.source === 'clusterctl' && e.argv.includes('move'));

/**
 * Start `args` in the background and return once its clusterctl move has every CAPI Cluster paused. The move is
 * held there: saving mgmt's CA Secret (read by name, by clusterctl alone, after the pause) answers 15 s late.
 */
async function startPausedInMove(s: Sim, args: string[]) {
  s.server.setFaults([{ resource: 'secrets', method: 'GET', name: 'mgmt-ca', latencyMs: 15_000 }]);
  const run = execa(process.execPath, [binPath, ...args], { env: { ...s.env, CI: '1', NO_COLOR: '1' }, cwd: s.workdir, reject: false });
  const paused = () => moves(s).length > 0 && capiClusters(s).every((c) => c.spec?.paused === true);
  for (let i = 0; i < 600 && !paused() && run.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  expect(paused(), 'the first run has every CAPI Cluster paused in its move').toBe(true);
  const holder = lease(s)?.spec?.holderIdentity as string;
  expect(holder).toMatch(/ pid \d+$/);
  return { run, holder, paused: capiClusters(s).map((c) => c.metadata.name as string).sort() };
}

/** The upgrade lock held by another run (ops@bastion pid 4242, not of this machine), renewed `renewedAgo` seconds ago. */
function holdLease(s: Sim, renewedAgo = 0): void {
  const renewed = new Date(Date.now() - renewedAgo * 1000).toISOString().replace('Z', '000Z');
  s.server.store.create('leases', LEASE_NAMESPACE, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LEASE_NAME, namespace: LEASE_NAMESPACE },
    spec: { holderIdentity: 'ops@bastion pid 4242', acquireTime: renewed, renewTime: renewed, leaseDurationSeconds: 300 },
  });
}

/** What a second run said while the first held the lock with the clusters paused: the lock, not the pause. */
function expectLockedByPausingRun(r: { exitCode: number; stderr: string }, holder: string, paused: readonly string[]): void {
  expect(r.exitCode, r.stderr).toBe(6);
  expect(r.stderr).toContain(`Error: locked by ${holder} since`);
  // It saw them paused, and says whose pause it is: not "find out who paused it and resume it".
  for (const name of paused) expect(r.stderr).toMatch(new RegExp(`\\b${name}\\b.* paused by that run`));
  expect(r.stderr).toMatch(/do not resume .* meanwhile/);
  expect(r.stderr).not.toMatch(/Find out who paused it/);
}

describe.concurrent('backup takes the upgrade lock', { timeout: TEST_TIMEOUT_MS }, () => {
  it('two backups at once: the second is refused with exit 6 and writes nothing; the first completes and releases the lock', isolated(async () => {
    const s = await sim('healthy');
    // The first backup's export of the EKS-A objects is held open, so it still runs when the second starts
    // (the gate of the second reads no oidcconfigs).
    s.server.setFaults([{ resource: 'oidcconfigs', latencyMs: 8000 }]);
    const first = execa(process.execPath, [binPath, ...backupArgs(s)], { env: { ...s.env, CI: '1', NO_COLOR: '1' }, cwd: s.workdir, reject: false });
    // Started once clusterctl ran and its move is over (every CAPI Cluster resumed): the first is in its export, and
    // the second's gate sees the tree as it is between runs, so the lock is what stops it.
    const moved = () =>
      s.journal().some((e) => e.source === 'clusterctl') &&
      ['mgmt', 'w01', 'w02'].every((c) => s.server.store.get('clusters.cluster.x-k8s.io', 'eksa-system', c)?.spec?.paused === undefined) &&
      readdirSync(path.join(s.workdir, 'mgmt')).some((n) => n.endsWith('.partial') && existsSync(path.join(s.workdir, 'mgmt', n, 'capi')));
    for (let i = 0; i < 600 && !moved(); i++) await new Promise((r) => setTimeout(r, 100));
    const holder = lease(s)?.spec?.holderIdentity;
    expect(holder).toMatch(/ pid \d+$/);
    const second = await runBin(backupArgs(s), { env: s.env, cwd: s.workdir, timeoutMs: 120_000 });
    expect(second.exitCode).toBe(6);
    expect(second.stderr).toContain(`locked by ${holder}`);
    const r = await first;
    assertNoSimSecret({ stdout: String(r.stdout), stderr: String(r.stderr) }, ['backup']);
    s.server.setFaults([]);
    expect(r.exitCode).toBe(0);
    // One set, the first's, complete: the second never made a `.partial` of its own.
    expect(sets(s)).toHaveLength(1);
    expect(sets(s)[0]).toMatch(/^mgmt-backup-[0-9T_-]+$/);
    expect(lease(s)).toBeUndefined();
  }));

  // The first's move has the CAPI Clusters paused: the second's gate sees a paused tree, and the lock is why.
  it('a backup started while the first backup has the clusters paused: exit 6 naming the holder (dry run and a reviewed plan too), no set of its own; the first completes and resumes them', isolated(async () => {
    const s = await sim('healthy');
    // A plan reviewed before the first run started: applied during its pause, the tree it was made against has changed.
    const planFile = path.join(s.workdir, 'reviewed.plan.json');
    const planned = await runBin([...backupArgs(s), '--dry-run', '--plan-out', planFile], { env: s.env, cwd: s.workdir, timeoutMs: 120_000 });
    expect(planned.exitCode, planned.stderr).toBe(0);
    const first = await startPausedInMove(s, backupArgs(s));
    const [second, dryRun, reviewed, preflight] = await Promise.all([
      runBin(backupArgs(s), { env: s.env, cwd: s.workdir, timeoutMs: 120_000 }),
      runBin([...backupArgs(s), '--dry-run'], { env: s.env, cwd: s.workdir, timeoutMs: 120_000 }),
      runBin([...backupArgs(s), '--plan', planFile], { env: s.env, cwd: s.workdir, timeoutMs: 120_000 }),
      runBin(['preflight', '-f', s.specFile(), '-o', 'json'], { env: s.env, cwd: s.workdir, timeoutMs: 120_000 }),
    ]);
    expectLockedByPausingRun(second, first.holder, first.paused);
    expectLockedByPausingRun(dryRun, first.holder, first.paused);
    // Not "plan is stale" (exit 12): the tree changed under a run that still holds the lock.
    expectLockedByPausingRun(reviewed, first.holder, first.paused);
    expect(reviewed.stderr).not.toMatch(/^Error: plan is stale/m);
    // preflight takes no lock and keeps its exit (the tree is not ready), and says whose pause it is.
    expect(preflight.exitCode, preflight.stderr).toBe(4);
    const report = JSON.parse(preflight.stdout);
    expect(report.outcome).toBe('not-ready');
    expect(report.lock.message).toMatch(new RegExp(`^locked by ${first.holder} since .*: ${first.paused.slice(0, -1).join(', ')} and ${first.paused.at(-1)} are paused by that run`));
    expect(report.lock.hint).toMatch(/do not resume its paused clusters meanwhile/);
    // The second wrote nothing: no move of its own, the lease still the first's.
    expect(moves(s)).toHaveLength(1);
    expect(lease(s)?.spec?.holderIdentity).toBe(first.holder);
    const r = await first.run;
    s.server.setFaults([]);
    assertNoSimSecret({ stdout: String(r.stdout), stderr: String(r.stderr) }, ['backup']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(sets(s)).toHaveLength(1);
    expect(sets(s)[0]).toMatch(/^mgmt-backup-[0-9T_-]+$/);
    expect(capiClusters(s).filter((c) => c.spec?.paused !== undefined)).toEqual([]);
    expect(lease(s)).toBeUndefined();
  }));

  it('cluster and management-components started while an upgrade backs up with the clusters paused: exit 6 naming the holder; the first upgrade completes', isolated(async () => {
    const s = await sim('healthy');
    const upgrade = (command: string) => [command, '-f', s.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD, '--confirm-interval', '1s', '--confirm-timeout', '60s'];
    const first = await startPausedInMove(s, upgrade('cluster'));
    const [second, components] = await Promise.all([
      runBin(upgrade('cluster'), { env: s.env, cwd: s.workdir, timeoutMs: 120_000 }),
      runBin(upgrade('management-components'), { env: s.env, cwd: s.workdir, timeoutMs: 120_000 }),
    ]);
    expectLockedByPausingRun(second, first.holder, first.paused);
    expectLockedByPausingRun(components, first.holder, first.paused);
    expect(moves(s)).toHaveLength(1);
    expect(lease(s)?.spec?.holderIdentity).toBe(first.holder);
    const r = await first.run;
    s.server.setFaults([]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    // One upgrade, the first's: the second never handed off.
    expect(s.journal().filter((e) => e.source === 'eksctl' && e.argv.includes('upgrade') && !e.argv.includes('plan'))).toHaveLength(1);
    expect(sets(s)).toHaveLength(1);
    expect(capiClusters(s).filter((c) => c.spec?.paused !== undefined)).toEqual([]);
    expect(lease(s)).toBeUndefined();
  }));

  // A pause of somebody's (w02 of unready-paused) while the lock is free or lapsed stops the gate as ever (exit 4, "find
  // out who paused it"); while another run holds the lock, the lock stops it, and the pause is said to be that run's.
  it.each([
    ['no lease', 4, undefined],
    ['a lapsed lease', 4, 400],
    ['a lease another run holds', 6, 5],
  ])('a paused cluster with %s: exit %s', (_what, exit, renewedAgo) => isolated(async () => {
    const s = await sim('unready-paused');
    if (renewedAgo !== undefined) {
      holdLease(s, renewedAgo);
    }
    const r = await runBin([...backupArgs(s), '--on-unready', 'fail'], { env: s.env, cwd: s.workdir });
    expect(r.exitCode, r.stderr).toBe(exit);
    if (exit === 4) {
      expect(r.stderr).toMatch(/Error: not backing up: stop: w02 is not ready .*paused/);
      expect(r.stderr).toMatch(/Find out who paused it/);
    } else {
      expect(r.stderr).toMatch(/Error: locked by ops@bastion pid 4242 since \S+ \(renewed \d+s ago, expires in \d+s\): w02 is paused by that run/);
      expect(r.stderr).toMatch(/hint: do not resume w02 meanwhile; wait for that run to finish/);
    }
    expect(sets(s)).toEqual([]);
    expect(s.journal().filter((e) => e.source === 'clusterctl' || e.source === 'docker')).toEqual([]);
  })());

  // A skew seen while another run holds the lock may be a tree in the middle of that run's upgrade: the lock stops it.
  it.each([
    ['the lock free', 5],
    ['another run holding the lock', 6],
  ])('an upgrade whose spec skips a Kubernetes minor, with %s: exit %s', (_what, exit) => isolated(async () => {
    const s = await sim('healthy');
    if (exit === 6) {
      holdLease(s);
    }
    const spec = path.join(s.workdir, 'skipping-a-minor.yaml');
    writeFileSync(spec, readFileSync(s.specFile(), 'utf8').replace('kubernetesVersion: "1.32"', 'kubernetesVersion: "1.33"'));
    const r = await runBin(['cluster', '-f', spec, '--cli-tools-image', IMAGE, ...NO_ETCD], { env: s.env, cwd: s.workdir });
    expect(r.exitCode, r.stderr).toBe(exit);
    if (exit === 5) expect(r.stderr).toMatch(/^Error: version skew: mgmt: /m);
    else expect(r.stderr).toMatch(/^Error: locked by ops@bastion pid 4242 since .*: that run is working on the tree, so the gate's verdict is of a tree in the middle of it \(version skew: mgmt: /m);
    expect(s.journal().filter((e) => e.source === 'eksctl' && e.argv.includes('upgrade') && !e.argv.includes('plan'))).toEqual([]);
    expect(lease(s)?.spec?.holderIdentity).toBe(exit === 6 ? 'ops@bastion pid 4242' : undefined);
  })());

  it('a backup while an upgrade holds the lock: exit 6 naming the holder, no set, the lease left alone', isolated(async () => {
    const s = await sim('healthy');
    holdLease(s);
    const r = await runBin(backupArgs(s), { env: s.env, cwd: s.workdir });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/locked by ops@bastion pid 4242 since/);
    expect(sets(s)).toEqual([]);
    expect(lease(s)?.spec?.holderIdentity).toBe('ops@bastion pid 4242');
    expect(s.journal().filter((e) => e.source === 'clusterctl' || e.source === 'docker')).toEqual([]);
  }));

  it('a backup takes and releases the lock: the plan says so in --dry-run', isolated(async () => {
    const s = await sim('healthy');
    const r = await runBin([...backupArgs(s), '--dry-run'], { env: s.env, cwd: s.workdir });
    expect(r.exitCode).toBe(0);
    const writes = r.stdout.split('\n').filter((l) => l.startsWith('! '));
    expect(writes[0]).toMatch(/^! kubectl .* create -f - -o json$/);
    expect(writes.at(-1)).toMatch(/^! kubectl .* delete --raw \/apis\/coordination\.k8s\.io\/v1\/namespaces\/eksa-system\/leases\/eksa-safe-upgrade -f -$/);
    expect(lease(s)).toBeUndefined();
  }));
});
