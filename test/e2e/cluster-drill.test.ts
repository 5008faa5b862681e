// `cluster --drill` end to end: the new set is drilled with the real local etcd before the hand-off. A failed
// drill (the management snapshot lacks an object capi/ holds) stops the run before eksctl with exit 9 and keeps
// the set; no etcd tooling fails the plan before any write; the dry run lists the drill's commands.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal, runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { requireRealTools } from '../helpers/testbed.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const FAST = ['--confirm-interval', '1s', '--confirm-timeout', '60s', '--cli-tools-image', IMAGE];
const available = requireRealTools();
let s: Sim;
const tmps: string[] = [];

beforeAll(async () => {
  if (available) s = await startSim({ scenario: 'healthy', realEtcd: true });
}, 120_000);
afterAll(async () => {
  await s?.close();
  for (const d of tmps) rmSync(d, { recursive: true, force: true });
});

const objects = () => (s.server.store as any).all() as any[];
const eksctlUpgrades = () => s.journal().filter((e) => e.source === 'eksctl' && e.argv.includes('upgrade') && !e.argv.includes('plan'));
const apiWrites = () => s.journal().filter((e) => e.source === 'apiserver');
const sets = () => readdirSync(path.join(s.workdir, 'mgmt')).filter((n) => n.includes('-backup-') && !n.endsWith('.drill.json')).sort();
const manifestOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

function freshTmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'esu-cluster-drill-'));
  tmps.push(d);
  return d;
}

async function cluster(args: string[], tmp = freshTmp()) {
  const journal = path.join(s.workdir, `ours-${Math.random().toString(36).slice(2)}.ndjson`);
  const r = await runBin(['cluster', '-f', s.specFile(), ...FAST, '--journal', journal, ...args], { env: { ...s.env, TMPDIR: tmp }, cwd: s.workdir, timeoutMs: 300_000 });
  return { ...r, journal: readJournal(journal), tmp };
}

describe.skipIf(!available)('cluster --drill', () => {
  it('--dry-run lists the drill of every snapshot, between the snapshots and RESTORE.md, and runs none of it', async () => {
    const r = await cluster(['--drill', '--dry-run']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^# --drill: restore each snapshot into a throwaway etcd on 127\.0\.0\.1/m);
    for (const c of s.etcd!.clusters) expect(out).toMatch(new RegExp(`^\\$ \\S*etcd(utl|ctl) snapshot restore \\S*/etcd/${c.name}\\S*\\.db --name `, 'm'));
    expect(out).toMatch(/^\$ \S*etcd --name \S+ --data-dir \S*eksa-safe-upgrade-drill-XXXXXX\/data --listen-client-urls http:\/\/127\.0\.0\.1:CLIENT_PORT/m);
    expect(out).toMatch(/^\$ \S*etcdctl --endpoints=http:\/\/127\.0\.0\.1:CLIENT_PORT .*get \/registry\/ --prefix --keys-only/m);
    expect(out.indexOf('--drill: restore')).toBeLessThan(out.indexOf('RESTORE.md'));
    expect(out.indexOf('--drill: restore')).toBeGreaterThan(out.lastIndexOf('snapshot save'));
    // Nothing of it ran: no etcd tool in our journal, no scratch folder.
    expect(r.journal.filter((e) => /etcd(ctl|utl)?$/.test(String(e.argv[0])) && !e.skipped)).toEqual([]);
    expect(readdirSync(r.tmp)).toEqual([]);
    expect(sets()).toEqual([]);
  }, 300_000);

  it('without etcd tooling fails the plan before any write: exit 3, one line naming the package and --etcd-binary', async () => {
    const empty = path.join(freshTmp(), 'no-etcd-here');
    mkdirSync(empty);
    const before = apiWrites().length;
    const r = await cluster(['--drill', '--etcd-binary', empty]);
    expect(r.exitCode, r.stderr).toBe(3);
    const error = r.stderr.split('\n').filter((l) => l.startsWith('Error: '));
    expect(error).toHaveLength(1);
    expect(error[0]).toMatch(/^Error: a drill needs the local etcd tools: no etcd or etcdctl in \S+no-etcd-here \(apt-get install etcd-server etcd-client, or --etcd-binary DIR\)$/);
    expect(r.journal.filter((e) => e.kind !== 'read')).toEqual([]);
    expect(apiWrites().length).toBe(before);
    expect(s.journal().filter((e) => e.source === 'clusterctl' || e.source === 'docker')).toEqual([]);
    expect(eksctlUpgrades()).toEqual([]);
    expect(sets()).toEqual([]);
  }, 300_000);

  it('with --skip-etcd-backup is refused before any write: there is nothing to drill', async () => {
    const r = await cluster(['--drill', '--skip-etcd-backup', '--reason', 'test']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^Error: --drill .*--skip-etcd-backup/m);
    expect(r.journal.filter((e) => e.kind !== 'read')).toEqual([]);
    expect(sets()).toEqual([]);
  }, 300_000);

  it('a failed drill (the management etcd lacks an object of capi/) stops before eksctl with exit 9, keeps the set, releases the lock', async () => {
    // A MachineDeployment no step of the backup writes: removed from etcd only, the API still serves it.
    const md = objects().find((o) => o.kind === 'MachineDeployment' && o.metadata.name.startsWith('mgmt'));
    const key = `/registry/cluster.x-k8s.io/machinedeployments/${md.metadata.namespace}/${md.metadata.name}`;
    const saved = JSON.parse(await s.etcd!.ctl('mgmt', ['get', key, '-w', 'json'])).kvs[0];
    expect(saved).toBeDefined();
    await s.etcd!.ctl('mgmt', ['del', key]);
    try {
      const r = await cluster(['--drill']);
      expect(r.exitCode, r.stderr).toBe(9);
      expect(r.stderr).toMatch(/^Error: the drill of the new backup set failed: mgmt: 1 object\(s\) of the files are not in etcd: MachineDeployment\.cluster\.x-k8s\.io /m);
      expect(eksctlUpgrades()).toEqual([]);
      // Kept, complete, with the drill's result in its manifest, RESTORE.md and .drill.json.
      expect(sets()).toHaveLength(1);
      const dir = path.join(s.workdir, 'mgmt', sets()[0]!);
      expect(dir).not.toMatch(/\.(failed|partial)$/);
      const manifest = manifestOf(dir);
      expect(manifest.state).toBe('complete');
      expect(manifest.drill.ok).toBe(false);
      expect(manifest.drill.snapshots.find((x: any) => x.cluster === 'mgmt').ok).toBe(false);
      expect(manifest.drill.snapshots.filter((x: any) => x.cluster !== 'mgmt').every((x: any) => x.ok)).toBe(true);
      expect(readFileSync(path.join(dir, 'RESTORE.md'), 'utf8')).toMatch(/the drill failed: do not rely on this set/);
      expect(JSON.parse(readFileSync(`${dir}.drill.json`, 'utf8')).ok).toBe(false);
      expect((await runBin(['verify', dir], { env: s.env, cwd: s.workdir })).exitCode).toBe(0);
      // Every failure's clean-up: no lock held, no cluster left paused, no etcd or scratch folder left.
      expect(objects().find((o) => o.kind === 'Lease' && o.metadata.name === 'eksa-safe-upgrade')).toBeUndefined();
      for (const c of objects().filter((o) => o.kind === 'Cluster')) {
        expect(c.spec?.paused ?? false, c.metadata.name).toBe(false);
        expect(c.metadata.annotations?.['anywhere.eks.amazonaws.com/paused'], c.metadata.name).toBeUndefined();
      }
      expect(readdirSync(r.tmp)).toEqual([]);
      rmSync(dir, { recursive: true });
      rmSync(`${dir}.drill.json`);
    } finally {
      await s.etcd!.ctl('mgmt', ['put', key], Buffer.from(saved.value, 'base64').toString('utf8'));
    }
  }, 300_000);

  it('passes and hands off; the set records the drill in its manifest, RESTORE.md and .drill.json', async () => {
    const r = await cluster(['--drill']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(eksctlUpgrades()).toHaveLength(1);
    const dir = path.join(s.workdir, 'mgmt', sets()[0]!);
    const manifest = manifestOf(dir);
    expect(manifest.drill).toMatchObject({ ok: true, problems: [] });
    expect(manifest.drill.snapshots.map((x: any) => x.cluster)).toEqual(manifest.etcd.map((e: any) => e.cluster));
    for (const x of manifest.drill.snapshots) expect(x.totalKeys).toBe(manifest.etcd.find((e: any) => e.cluster === x.cluster).totalKeys);
    expect(readFileSync(path.join(dir, 'RESTORE.md'), 'utf8')).toMatch(/\*\*Drilled when taken\*\* .*every etcd snapshot restored/);
    expect(JSON.parse(readFileSync(`${dir}.drill.json`, 'utf8')).ok).toBe(true);
    // The drill ran before the hand-off, with the real tools, and left nothing behind.
    const restores = r.journal.filter((e) => String(e.argv[0]).match(/etcd(utl|ctl)$/) && e.argv[1] === 'snapshot' && e.argv[2] === 'restore');
    expect(restores).toHaveLength(manifest.etcd.length);
    expect(readdirSync(r.tmp)).toEqual([]);
    // restore-plan regenerates the same runbook: the drill is in the manifest it renders from.
    const plan = await runBin(['restore-plan', dir], { env: s.env, cwd: s.workdir });
    expect(plan.exitCode).toBe(0);
    expect(plan.stderr).not.toMatch(/another location|changed after/);
  }, 300_000);
});
