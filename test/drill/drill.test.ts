// `drill <set>` end to end: the built CLI, a set backed up from the simulated world with real etcd (the
// management cluster's objects live in its etcd as kube-apiserver keeps them), drilled with the real local
// etcd and etcdctl. Every run gets its own TMPDIR, so "nothing left" is checked on disk and in /proc.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { requireRealTools } from '../helpers/testbed.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const available = requireRealTools();
let s: Sim;
let setDir: string;
const scratchRoots: string[] = [];

beforeAll(async () => {
  if (!available) return;
  s = await startSim({ scenario: 'healthy', realEtcd: true });
  const r = await runBin(['backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, '-o', 'json'], { env: s.env, cwd: s.workdir, timeoutMs: 120_000 });
  if (r.exitCode !== 0) throw new Error(`backup failed: ${r.stderr}`);
  setDir = JSON.parse(r.stdout).dir;
}, 180_000);
afterAll(async () => {
  await s?.close();
  for (const d of scratchRoots) rmSync(d, { recursive: true, force: true });
});

/** A fresh TMPDIR for one run: the drill's scratch folders go there. */
function freshTmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'esu-drill-tmp-'));
  scratchRoots.push(d);
  return d;
}

/** Processes whose command line mentions `text` (the run's TMPDIR: its throwaway etcd). */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) found.push(Number(name));
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

async function drill(dir: string, tmp = freshTmp()) {
  const r = await runBin(['drill', dir, '-o', 'json'], { env: { ...s.env, TMPDIR: tmp }, cwd: s.workdir, timeoutMs: 180_000 });
  // Nothing left behind, whatever the outcome: no scratch folder, no etcd.
  expect(readdirSync(tmp)).toEqual([]);
  expect(processesMentioning(tmp)).toEqual([]);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : undefined };
}

const manifestOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A copy of the good set, beside it, for a test to damage. */
function copyOfSet(tag: string): string {
  const dir = `${setDir.replace(/-backup-/, `${tag}-backup-`)}`;
  cpSync(setDir, dir, { recursive: true });
  return dir;
}

/** Put `bytes` in place of the snapshot of `cluster` and update every sum, so `verify` passes. */
function replaceSnapshot(dir: string, cluster: string, bytes: Buffer, status?: { revision?: number; totalKeys?: number }) {
  const manifest = manifestOf(dir);
  const entry = manifest.etcd.find((e: any) => e.cluster === cluster);
  writeFileSync(path.join(dir, entry.file), bytes);
  Object.assign(entry, { sha256: sha256(bytes), size: bytes.length }, status ?? {});
  const file = manifest.files.find((f: any) => f.path === entry.file);
  Object.assign(file, { sha256: sha256(bytes), size: bytes.length });
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

describe.skipIf(!available)('drill with real etcd', () => {
  it('passes on a good set: every snapshot restores with the revision and key count of the manifest, the management one holds every object of capi/ and eksa/', async () => {
    const r = await drill(setDir);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.exitCode).toBe(0);
    const manifest = manifestOf(setDir);
    expect(r.report.snapshots.map((x: any) => x.cluster)).toEqual(manifest.etcd.map((e: any) => e.cluster));
    for (const snap of r.report.snapshots) {
      const entry = manifest.etcd.find((e: any) => e.cluster === snap.cluster);
      expect(snap.ok).toBe(true);
      expect(snap.totalKeys).toBe(entry.totalKeys);
      expect(snap.revision).toBe(entry.revision);
      expect(snap.resources.namespaces).toBeGreaterThanOrEqual(1);
    }
    const mgmt = r.report.snapshots.find((x: any) => x.cluster === 'mgmt');
    const files = readdirSync(path.join(setDir, 'capi')).length + readdirSync(path.join(setDir, 'eksa')).length;
    expect(mgmt.crossCheck.matched + mgmt.crossCheck.keyOnly).toBe(files);
    expect(mgmt.crossCheck.missingFromEtcd).toEqual([]);
    expect(mgmt.resources['clusters.cluster.x-k8s.io']).toBe(4);
    const record = JSON.parse(readFileSync(`${setDir}.drill.json`, 'utf8'));
    expect(record).toMatchObject({ ok: true, problems: [] });
  });

  it('fails when the management snapshot is a workload cluster\'s (sums updated, so verify passes), naming the objects missing from etcd', async () => {
    const dir = copyOfSet('swapped');
    const manifest = manifestOf(dir);
    const w01 = manifest.etcd.find((e: any) => e.cluster === 'w01');
    replaceSnapshot(dir, 'mgmt', readFileSync(path.join(dir, w01.file)), { revision: w01.revision, totalKeys: w01.totalKeys });
    expect((await runBin(['verify', dir], { env: s.env, cwd: s.workdir })).exitCode).toBe(0);
    const r = await drill(dir);
    expect(r.exitCode).toBe(9);
    const mgmt = r.report.snapshots.find((x: any) => x.cluster === 'mgmt');
    expect(mgmt.ok).toBe(false);
    expect(mgmt.crossCheck.missingFromEtcd).toContainEqual(expect.stringMatching(/^Cluster\.cluster\.x-k8s\.io eksa-system\/mgmt \(capi\//));
    expect(r.report.problems.join('\n')).toMatch(/mgmt: \d+ object\(s\) of the files are not in etcd: .*Cluster\.cluster\.x-k8s\.io eksa-system\/mgmt/);
    expect(JSON.parse(readFileSync(`${dir}.drill.json`, 'utf8')).ok).toBe(false);
  });

  it('fails when a snapshot was truncated and re-trailed with a valid sha256 of the shorter database', async () => {
    const dir = copyOfSet('truncated');
    const entry = manifestOf(dir).etcd.find((e: any) => e.cluster === 'w01');
    const whole = readFileSync(path.join(dir, entry.file));
    const db = whole.subarray(0, whole.length - 32);
    const cut = db.subarray(0, Math.max(4096, Math.floor(db.length / 2 / 4096) * 4096));
    replaceSnapshot(dir, 'w01', Buffer.concat([cut, createHash('sha256').update(cut).digest()]));
    expect((await runBin(['verify', dir], { env: s.env, cwd: s.workdir })).exitCode).toBe(0);
    const r = await drill(dir);
    expect(r.exitCode).toBe(9);
    const w01 = r.report.snapshots.find((x: any) => x.cluster === 'w01');
    expect(w01.ok).toBe(false);
    expect(w01.problems.length).toBeGreaterThan(0);
  });

  it('on SIGINT stops its etcd and removes its scratch folder, and exits 130', async () => {
    const tmp = freshTmp();
    const child = execa(process.execPath, [binPath, 'drill', setDir], { env: { ...s.env, TMPDIR: tmp, NO_COLOR: '1' }, extendEnv: false, cwd: s.workdir, reject: false, stdin: 'ignore' });
    // Wait until a throwaway etcd of this run is up (its data dir is under tmp).
    // A process found may end before its cmdline is read (the restore tool): read as nothing then.
    const cmdline = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    };
    for (let i = 0; i < 600 && processesMentioning(`${tmp}/`).filter((pid) => cmdline(pid).startsWith('etcd') || cmdline(pid).includes('/etcd\0')).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(processesMentioning(`${tmp}/`).length).toBeGreaterThan(0);
    expect(readdirSync(tmp).length).toBe(1);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(readdirSync(tmp)).toEqual([]);
    expect(processesMentioning(tmp)).toEqual([]);
    expect(existsSync(tmp)).toBe(true);
  }, 120_000);
});
