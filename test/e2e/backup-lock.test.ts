// `backup` takes the same upgrade lock as `cluster` (issue 15, finding 9): two backups started in the same
// second used to share one `.partial` set; now the second is refused before it writes anything.
import { execa } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LEASE_NAME, LEASE_NAMESPACE } from '../../src/lock/lease.js';
import { assertNoSimSecret, binPath, runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const NO_ETCD = ['--skip-etcd-backup', '--reason', 'backup lock tests: etcd is tested in etcd-backup.test.ts'];

let sims: Sim[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});
async function sim(scenario: string): Promise<Sim> {
  const s = await startSim({ scenario });
  sims.push(s);
  return s;
}
const sets = (s: Sim) => readdirSync(path.join(s.workdir, 'mgmt')).filter((n) => n.includes('-backup-')).sort();
const lease = (s: Sim) => s.server.store.get('leases', LEASE_NAMESPACE, LEASE_NAME);
const backupArgs = (s: Sim) => ['backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD];

describe('backup takes the upgrade lock', () => {
  it('two backups at once: the second is refused with exit 6 and writes nothing; the first completes and releases the lock', async () => {
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
  });

  it('a backup while an upgrade holds the lock: exit 6 naming the holder, no set, the lease left alone', async () => {
    const s = await sim('healthy');
    const now = new Date().toISOString().replace('Z', '000Z');
    s.server.store.create('leases', LEASE_NAMESPACE, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: LEASE_NAME, namespace: LEASE_NAMESPACE },
      spec: { holderIdentity: 'ops@bastion pid 4242', acquireTime: now, renewTime: now, leaseDurationSeconds: 300 },
    });
    const r = await runBin(backupArgs(s), { env: s.env, cwd: s.workdir });
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/locked by ops@bastion pid 4242 since/);
    expect(sets(s)).toEqual([]);
    expect(lease(s)?.spec?.holderIdentity).toBe('ops@bastion pid 4242');
    expect(s.journal().filter((e) => e.source === 'clusterctl' || e.source === 'docker')).toEqual([]);
  });

  it('a backup takes and releases the lock: the plan says so in --dry-run', async () => {
    const s = await sim('healthy');
    const r = await runBin([...backupArgs(s), '--dry-run'], { env: s.env, cwd: s.workdir });
    expect(r.exitCode).toBe(0);
    const writes = r.stdout.split('\n').filter((l) => l.startsWith('! '));
    expect(writes[0]).toMatch(/^! kubectl .* create -f - -o json$/);
    expect(writes.at(-1)).toMatch(/^! kubectl .* delete --raw \/apis\/coordination\.k8s\.io\/v1\/namespaces\/eksa-system\/leases\/eksa-safe-upgrade -f -$/);
    expect(lease(s)).toBeUndefined();
  });
});
