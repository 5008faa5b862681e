// examples/runbook.md, played on the simulated fleet by examples/rehearse-runbook.mjs: every block marked for
// the rehearsal runs as written, and leaves what the runbook says it leaves.
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/backup/manifest.js';
import { evidenceSchema } from '../../src/report/evidence-schema.js';
import { fleetEvidenceSchema } from '../../src/report/fleet-evidence.js';
import { repoRoot } from '../helpers/run-bin.js';

const runbook = readFileSync(path.join(repoRoot, 'examples', 'runbook.md'), 'utf8');
const SET = /^(mgmt|w01)-backup-\d{4}-\d\d-\d\dT\d\d_\d\d_\d\d$/;

let workdir: string;
let result: { exitCode: number | undefined; all: string };

beforeAll(async () => {
  if (!existsSync(path.join(repoRoot, 'dist', 'cli.js'))) throw new Error('dist/ is missing: run npm run build first');
  workdir = mkdtempSync(path.join(os.tmpdir(), 'eksa-rehearsal-test-'));
  const run = await execa(process.execPath, [path.join(repoRoot, 'examples', 'rehearse-runbook.mjs'), '--workdir', workdir], {
    env: { NO_COLOR: '1', CI: '1' },
    all: true,
    reject: false,
    timeout: 600_000,
    stdin: 'ignore',
  });
  result = { exitCode: run.exitCode, all: String(run.all) };
}, 620_000);

afterAll(() => {
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

const json = (file: string) => JSON.parse(readFileSync(path.join(workdir, file), 'utf8')) as unknown;

describe('the runbook on the simulated fleet', () => {
  it('runs every rehearsed block to the end', () => {
    const marked = runbook.split('\n').filter((l) => l.trim() === '<!-- rehearsal: run -->').length;
    expect(marked).toBeGreaterThanOrEqual(8);
    expect(result.all.match(/^== /gm)?.length, result.all.slice(-3000)).toBe(marked + 1);
    expect(result.all).toContain('== rehearsal finished');
    expect(result.exitCode).toBe(0);
  });

  it('audits first: the dry-run report records a plan and no change', () => {
    const audit = evidenceSchema.parse(json('dry-run-report.json'));
    expect(audit).toMatchObject({ dryRun: true, outcome: 'dry-run', exitCode: 0, backup: { state: 'planned', files: [] }, handoff: { exitCode: null }, confirm: null });
    expect(audit.handoff?.argv.slice(0, 4)).toEqual(['eksctl', 'anywhere', 'upgrade', 'cluster']);
    expect(result.all).toContain('Dry run complete: nothing was changed.');
  });

  it('upgrades mgmt, then w01, each confirmed from the cluster with a complete backup', () => {
    for (const [file, cluster] of [['upgrade-report.json', 'mgmt'], ['upgrade-w01.json', 'w01']] as const) {
      const record = evidenceSchema.parse(json(file));
      expect(record).toMatchObject({ dryRun: false, outcome: 'upgraded', exitCode: 0, inputs: { cluster }, backup: { state: 'complete' }, confirm: { confirmed: true } });
    }
    expect(result.all).toContain('Upgrade confirmed: mgmt is Ready at Kubernetes 1.32.');
    expect(result.all).toContain('Upgrade confirmed: w01 is Ready at Kubernetes 1.32.');
  });

  it('upgrades the remaining workload clusters in waves, skipping w01 (already at the target)', () => {
    const fleet = fleetEvidenceSchema.parse(json('upgrade-workloads.json'));
    expect(fleet.exit).toBe('Success');
    expect(Object.fromEntries(fleet.clusters.map((c) => [c.name, c.state]))).toEqual({ w01: 'skipped', w02: 'confirmed', w03: 'confirmed' });
    expect(fleet.waves.map((w) => w.clusters)).toEqual([['w02'], ['w03']]);
  });

  it('leaves the sets in mgmt/ that backups list showed, the rehearsal\'s decision recorded in each', () => {
    const sets = readdirSync(path.join(workdir, 'mgmt')).filter((f) => SET.test(f)).sort();
    // step 5 (backup ahead of the window), step 6 (mgmt upgrade), step 9 (w01 upgrade)
    expect(sets.filter((s) => s.startsWith('mgmt-')).length).toBe(2);
    expect(sets.filter((s) => s.startsWith('w01-')).length).toBe(1);
    for (const set of sets) {
      const manifest = parseManifest(readFileSync(path.join(workdir, 'mgmt', set, 'manifest.json'), 'utf8'));
      expect(manifest.state).toBe('complete');
      expect(manifest.etcdSkipped?.reason).toBe('rehearsal on the simulated fleet: no etcd nodes');
    }
    // Step 7 lists the mgmt sets (w01's is taken later, in step 9).
    for (const set of sets.filter((s) => s.startsWith('mgmt-'))) expect(result.all).toMatch(new RegExp(`^${set}\\s+mgmt\\s+whole-tree\\s.*\\scomplete\\s`, 'm'));
    expect(result.all).toMatch(/^Verified: /m);
  });

  it('writes the restore runbook of the newest set', () => {
    const restore = readFileSync(path.join(workdir, 'restore-mgmt.md'), 'utf8');
    expect(restore).toMatch(/^# Restore runbook: `mgmt-backup-/);
    expect(restore).toContain('eksa-safe-upgrade verify');
  });
});
