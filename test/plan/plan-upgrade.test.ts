import { describe, expect, it } from 'vitest';
import { EKSA_PAUSED_ANNOTATION } from '../../src/kube/pause.js';
import { planUpgrade, setPaths } from '../../src/plan/plan-upgrade.js';
import type { BackupAction, PlanAction, UpgradePlan } from '../../src/plan/types.js';
import { clusterSpec } from '../readiness/fixtures.js';
import { ADMIN, MANAGEMENT_ONLY, NOW, NOW_STAMP, SPEC_FILE, facts, options, plannable } from './fixtures.js';

const ops = (plan: UpgradePlan) => plan.actions.map((a) => a.op);
const backupOf = (plan: UpgradePlan): BackupAction => {
  const b = plan.actions.find((a): a is BackupAction => a.op === 'backup');
  if (!b) throw new Error('no backup action');
  return b;
};
const action = <O extends PlanAction['op']>(plan: UpgradePlan, op: O) => {
  const a = plan.actions.find((x) => x.op === op);
  if (!a) throw new Error(`no ${op} action`);
  return a as Extract<PlanAction, { op: O }>;
};
/** The value after `flag` in argv, or undefined. */
const after = (argv: readonly string[], flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);

describe('planUpgrade: the actions and their order', () => {
  const rows: Array<{ name: string; plan: () => UpgradePlan; ops: PlanAction['op'][]; release: boolean }> = [
    { name: 'cluster', plan: () => planUpgrade(facts(), options()), ops: ['acquire-lock', 'backup', 'recheck', 'renew-lock', 'handoff', 'confirm'], release: true },
    {
      name: 'management-components',
      plan: () => planUpgrade(facts({ command: 'management-components' }), options()),
      ops: ['acquire-lock', 'backup', 'recheck', 'renew-lock', 'handoff', 'confirm'],
      release: true,
    },
    // Issue 15, finding 9: a backup takes the same lock as an upgrade (it used to take none).
    { name: 'backup: the lock, the backup, the release; nothing after the backup', plan: () => planUpgrade(facts({ command: 'backup' }), options()), ops: ['acquire-lock', 'backup'], release: true },
    {
      name: 'backup has no --force-unlock: a holder the gate found is not deleted',
      plan: () => planUpgrade(facts({ command: 'backup', forceUnlockFrom: 'other-run' }), options()),
      ops: ['acquire-lock', 'backup'],
      release: true,
    },
    {
      name: '--force-unlock with a holder: the delete comes first',
      plan: () => planUpgrade(facts({ forceUnlockFrom: 'host-a/1234' }), options()),
      ops: ['force-unlock', 'acquire-lock', 'backup', 'recheck', 'renew-lock', 'handoff', 'confirm'],
      release: true,
    },
    {
      name: '--max-backup-age found a set: reuse it instead of a backup',
      plan: () => planUpgrade(facts({ reuse: { dir: `${ADMIN}/m01-backup-2026-08-01T09_00_00`, ageMs: 600_000 } }), options()),
      ops: ['acquire-lock', 'reuse-backup', 'recheck', 'renew-lock', 'handoff', 'confirm'],
      release: true,
    },
  ];
  it.each(rows)('$name', ({ plan, ops: expected, release }) => {
    const p = plan();
    expect(ops(p)).toEqual(expected);
    expect(p.release !== undefined).toBe(release);
  });

  it('force-unlock deletes the lease and records the previous holder', () => {
    const a = action(planUpgrade(facts({ forceUnlockFrom: 'host-a/1234' }), options()), 'force-unlock');
    expect(a.previousHolder).toBe('host-a/1234');
    expect(a.command.kind).toBe('write');
    expect(a.command.argv).toEqual(expect.arrayContaining(['delete', 'leases.v1.coordination.k8s.io', 'eksa-safe-upgrade', '--namespace', 'eksa-system']));
  });

  it('reuse-backup carries the dir and age found, and no backup is planned', () => {
    const p = planUpgrade(facts({ reuse: { dir: '/x/m01-backup-old', ageMs: 42_000 } }), options());
    expect(action(p, 'reuse-backup')).toEqual({ op: 'reuse-backup', dir: '/x/m01-backup-old', ageMs: 42_000 });
    expect(p.actions.some((a) => a.op === 'backup')).toBe(false);
  });

  it('the lock, the recheck and the release all go to the kubeconfig of the gate', () => {
    const p = planUpgrade(facts(), options());
    for (const c of [action(p, 'acquire-lock').command, action(p, 'recheck').command, action(p, 'renew-lock').command, p.release!.command]) {
      expect(c.argv.slice(0, 4)).toEqual(['kubectl', '--kubeconfig', `${ADMIN}/m01-eks-a-cluster.kubeconfig`, '--request-timeout=30s']);
    }
    expect(action(p, 'recheck').command.kind).toBe('read');
    expect(action(p, 'recheck').clusters).toEqual(['m01', 'w01', 'w02']);
    expect(p.release!.command.argv).toContain('/apis/coordination.k8s.io/v1/namespaces/eksa-system/leases/eksa-safe-upgrade');
  });

  it('the hand-off is the command the gate built, unchanged', () => {
    const handoff = { argv: ['eksctl', 'anywhere', 'upgrade', 'cluster', '-f', SPEC_FILE, '-v', '4'], kind: 'handoff' as const, why: 'x' };
    expect(action(planUpgrade(facts({ handoff }), options()), 'handoff').command).toBe(handoff);
  });

  it('an upgrade without a hand-off command is an internal error, not a plan without one', () => {
    const f = { ...facts(), handoff: undefined };
    expect(() => planUpgrade(f, options())).toThrow(/hand-off/);
  });
});

describe('planUpgrade: the backup scope and the clusterctl move', () => {
  it('whole tree: the move has no --filter-cluster, the fallback filters the management cluster', () => {
    const b = backupOf(planUpgrade(facts(), options()));
    expect(b.move.argv).not.toContain('--filter-cluster');
    expect(b.fallback).toBeDefined();
    expect(b.fallback!.managementCluster).toBe('m01');
    expect(after(b.fallback!.move.argv, '--filter-cluster')).toBe('m01');
    expect(after(b.fallback!.move.argv, '--to-directory')).toBe(`${ADMIN}/m01-backup-${NOW_STAMP}.partial/capi`);
    // The fallback first clears what the failed move left, then makes the folder again.
    expect(b.fallback!.prepare.map((a) => [a.op, a.path])).toEqual([
      ['remove', `${ADMIN}/m01-backup-${NOW_STAMP}.partial/capi`],
      ['mkdir', `${ADMIN}/m01-backup-${NOW_STAMP}.partial/capi`],
    ]);
  });

  it('management only: no fallback, and the move itself filters the management cluster', () => {
    const b = backupOf(planUpgrade(facts({ scope: MANAGEMENT_ONLY }), options()));
    expect(b.fallback).toBeUndefined();
    expect(after(b.move.argv, '--filter-cluster')).toBe('m01');
    expect(Object.keys(b.expected)).toEqual(['m01']);
  });

  it('the move goes to the .partial set with the gate kubeconfig, as a write', () => {
    const b = backupOf(planUpgrade(facts(), options()));
    expect(b.move.kind).toBe('write');
    expect(b.move.argv[0]).toBe('/usr/local/bin/clusterctl');
    expect(after(b.move.argv, '--kubeconfig')).toBe(`${ADMIN}/m01-eks-a-cluster.kubeconfig`);
    expect(after(b.move.argv, '--to-directory')).toBe(`${ADMIN}/m01-backup-${NOW_STAMP}.partial/capi`);
    expect(b.move.argv).not.toContain('--dry-run');
  });
});

describe('planUpgrade: the pause restore', () => {
  const restoreFor = (b: BackupAction, cluster: string) => b.pause.restore.filter((r) => r.cluster === cluster);

  it('holds, for each cluster in scope, one write per switch that puts back what was recorded', () => {
    const w01 = plannable('w01', 'm01');
    w01.capi!.spec!.paused = true;
    const w02 = plannable('w02', 'm01');
    w02.eksa.metadata.annotations = { [EKSA_PAUSED_ANNOTATION]: 'true' };
    const b = backupOf(planUpgrade(facts({ clusters: [plannable('m01'), w01, w02] }), options()));
    expect(b.pause.recorded.map((s) => [s.cluster, s.eksa, s.capi])).toEqual([
      ['m01', false, false],
      ['w01', false, true],
      ['w02', true, false],
    ]);
    for (const s of b.pause.recorded) {
      const restore = restoreFor(b, s.cluster);
      expect(restore.map((r) => r.what).sort()).toEqual(['capi-spec-paused', 'eksa-annotation']);
      for (const r of restore) {
        expect(r.command.kind).toBe('write');
        expect(r.before).toBe(r.what === 'eksa-annotation' ? s.eksa : s.capi);
        expect(r.after).toBe(!r.before);
      }
      const capi = restore.find((r) => r.what === 'capi-spec-paused')!.command.argv;
      expect(capi).toEqual(expect.arrayContaining(['patch', 'clusters.cluster.x-k8s.io', s.cluster, '-n', 'eksa-system']));
      expect(after(capi, '-p')).toBe(JSON.stringify({ spec: { paused: s.capi ? true : null } }));
      const eksa = restore.find((r) => r.what === 'eksa-annotation')!.command.argv;
      expect(eksa).toEqual(expect.arrayContaining(['annotate', s.cluster, '-n', 'default']));
      expect(eksa).toContain(s.eksa ? `${EKSA_PAUSED_ANNOTATION}=true` : `${EKSA_PAUSED_ANNOTATION}-`);
    }
  });

  it('management only: only the management cluster is recorded and restored', () => {
    const b = backupOf(planUpgrade(facts({ scope: MANAGEMENT_ONLY }), options()));
    expect(b.pause.recorded.map((s) => s.cluster)).toEqual(['m01']);
    expect([...new Set(b.pause.restore.map((r) => r.cluster))]).toEqual(['m01']);
    expect(b.pause.read.kind).toBe('read');
  });
});

describe('planUpgrade: etcd', () => {
  it('--skip-etcd-backup: skip with the reason, no snapshot', () => {
    const b = backupOf(planUpgrade(facts(), options({ skipReason: 'etcd backed up by the storage team' })));
    expect(b.etcd).toEqual({ kind: 'skip', reason: 'etcd backed up by the storage team' });
  });

  it('snapshot: every cluster in scope, its members in order, each with its ssh argv', () => {
    const b = backupOf(planUpgrade(facts(), options()));
    if (b.etcd.kind !== 'snapshot') throw new Error('expected snapshots');
    expect(b.etcd.concurrency).toBe(2);
    expect(b.etcd.clusters.map((c) => c.request.target.cluster)).toEqual(['m01', 'w01', 'w02']);
    for (const c of b.etcd.clusters) {
      const name = c.request.target.cluster;
      expect(c.members.map((m) => m.machine)).toEqual([`${name}-etcd-0`, `${name}-etcd-1`, `${name}-etcd-2`]);
      for (const m of c.members) {
        expect(m.command.kind).toBe('write');
        expect(m.command.argv[0]).toBe('ssh');
        expect(after(m.command.argv, '-i')).toBe(`${ADMIN}/eks-a-id_rsa`);
        expect(after(m.command.argv, '-l')).toBe('capv');
        expect(after(m.command.argv, '--')).toBe(m.address);
        expect(m.command.input).toBeTruthy();
        expect(m.file).toBe(`etcd/${name}-${m.machine}.db`);
      }
      expect(c.request.ssh.recordKnownHostsFile).toBe(`${ADMIN}/m01-backup-${NOW_STAMP}.partial/etcd/known_hosts`);
    }
    // Each member is its own address: the argv differ.
    const m01 = b.etcd.clusters[0]!.members;
    expect(new Set(m01.map((m) => m.address)).size).toBe(3);
  });

  it('management only: only the management cluster is snapshotted', () => {
    const b = backupOf(planUpgrade(facts({ scope: MANAGEMENT_ONLY }), options()));
    if (b.etcd.kind !== 'snapshot') throw new Error('expected snapshots');
    expect(b.etcd.clusters.map((c) => c.request.target.cluster)).toEqual(['m01']);
  });
});

describe('planUpgrade: the set paths and what a failure does', () => {
  it('names the set from `now`, written as .partial, renamed to its name when complete', () => {
    const b = backupOf(planUpgrade(facts(), options()));
    const dir = `${ADMIN}/m01-backup-${NOW_STAMP}`;
    expect(b.set).toEqual({ parent: ADMIN, name: `m01-backup-${NOW_STAMP}`, folderTimestamp: NOW_STAMP, dir, partialDir: `${dir}.partial`, failedDir: `${dir}.failed` });
    expect(setPaths(ADMIN, 'm01', NOW)).toEqual(b.set);
    expect(b.prepare.map((a) => [a.op, a.path, a.mode])).toEqual([
      ['mkdir', ADMIN, 0o700],
      ['mkdir', `${dir}.partial`, 0o700],
      ['mkdir', `${dir}.partial/capi`, 0o700],
    ]);
    expect(b.specCopy).toMatchObject({ op: 'copy', path: `${dir}.partial/spec/m01-eks-a-cluster.yaml`, other: SPEC_FILE, mode: 0o600 });
    expect(b.export.dir).toBe(`${dir}.partial/eksa`);
    expect(b.finish.at(-1)).toMatchObject({ op: 'rename', path: `${dir}.partial`, other: dir });
    expect(b.finish.map((a) => a.op)).toEqual(['write', 'write', 'rename']);
  });

  it('another `now` gives another set', () => {
    const b = backupOf(planUpgrade({ ...facts(), now: new Date(2027, 0, 2, 3, 4, 5) }, options()));
    expect(b.set.dir).toBe(`${ADMIN}/m01-backup-2027-01-02T03_04_05`);
  });

  it('on failure without --clean-failed: manifest written, renamed to .failed', () => {
    const b = backupOf(planUpgrade(facts(), options({ cleanFailed: false })));
    const dir = `${ADMIN}/m01-backup-${NOW_STAMP}`;
    expect(b.cleanFailed).toBe(false);
    expect(b.onFailure.map((a) => [a.op, a.path, a.other])).toEqual([
      ['write', `${dir}.partial/manifest.json`, undefined],
      ['rename', `${dir}.partial`, `${dir}.failed`],
    ]);
  });

  it('on failure with --clean-failed: the .partial set is removed, nothing renamed', () => {
    const b = backupOf(planUpgrade(facts(), options({ cleanFailed: true })));
    expect(b.cleanFailed).toBe(true);
    expect(b.onFailure.map((a) => [a.op, a.path])).toEqual([['remove', `${ADMIN}/m01-backup-${NOW_STAMP}.partial`]]);
  });
});

describe('planUpgrade: confirm', () => {
  it("cluster: the target eksaVersion is eksctl's, even when the spec names another (EKS-A replaces it)", () => {
    const spec = { ...clusterSpec({ name: 'm01', eksaVersion: 'v0.21.0', kubernetesVersion: '1.32' }), file: SPEC_FILE };
    const c = action(planUpgrade(facts({ spec, eksctl: 'v0.23.1' }), options()), 'confirm');
    expect(c.eksaVersion).toBe('v0.23.1');
    expect(c.kubernetesVersion).toBe('1.32');
    expect(c.cluster).toBe('m01');
    expect(c.namespace).toBe('default');
    expect(c.timeoutMs).toBe(3_600_000);
    expect(c.intervalMs).toBe(15_000);
    expect(c.command.kind).toBe('read');
  });

  it('management-components: no eksaVersion target, the Kubernetes version the cluster runs', () => {
    const spec = { ...clusterSpec({ name: 'm01', kubernetesVersion: '1.32' }), file: SPEC_FILE };
    const c = action(planUpgrade(facts({ command: 'management-components', spec }), options()), 'confirm');
    expect(c.eksaVersion).toBeUndefined();
    // The live cluster (the fixture) runs 1.31; management-components does not change it.
    expect(c.kubernetesVersion).toBe('1.31');
  });
});

describe('planUpgrade: the plan header', () => {
  it('names the cluster, its role, the scope and the fingerprint it was made from', () => {
    const f = facts({ command: 'backup' });
    const p = planUpgrade(f, options());
    expect(p.schemaVersion).toBe(1);
    expect(p.command).toBe('backup');
    expect(p.cluster).toEqual({ name: 'm01', namespace: 'default', role: 'management', managementCluster: 'm01', kubernetesVersion: '1.31' });
    expect(p.fingerprint).toBe(f.fingerprint);
    expect(p.scope).toBe(f.scope);
  });

  it('a workload spec is planned as a workload of its management cluster', () => {
    const spec = { ...clusterSpec({ name: 'w01', management: 'm01' }), file: `${ADMIN}/w01.yaml` };
    const scope = { kind: 'workload' as const, clusters: ['w01'] as [string], summary: 'workload w01' };
    const p = planUpgrade(facts({ spec, scope }), options());
    expect(p.cluster.role).toBe('workload');
    expect(p.cluster.managementCluster).toBe('m01');
    const b = backupOf(p);
    expect(b.set.name).toBe(`w01-backup-${NOW_STAMP}`);
    expect(after(b.move.argv, '--filter-cluster')).toBe('w01');
    expect(b.fallback).toBeUndefined();
    expect(b.manifest.spec).toEqual({ cluster: 'w01', role: 'workload', files: ['spec/w01.yaml'] });
  });
});
