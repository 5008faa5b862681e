// SIGHUP, as a dropped SSH session to the admin machine sends it (issue 15, finding 5): it used to kill the
// tool at once (clusters left paused, the Lease held, no report) and, during the hand-off, eksctl with it
// (same process group), leaving the cluster mid-rollout.
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateEvidence } from '../../src/report/evidence.js';
import { assertNoSimSecret, binPath } from '../helpers/run-bin.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import { startSim, type Sim } from '../helpers/sim.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const NO_ETCD = ['--skip-etcd-backup', '--reason', 'SIGHUP tests: etcd is covered by etcd-backup tests'];
const FAST = ['--confirm-interval', '1s', '--confirm-timeout', '60s'];

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
const objects = (s: Sim): any[] => (s.server.store as any).all();
const lease = (s: Sim) => objects(s).find((o) => o.kind === 'Lease' && o.metadata.name === 'eksa-safe-upgrade');
const eksctlUpgrades = (s: Sim) => s.journal().filter((e) => e.source === 'eksctl' && e.argv.includes('upgrade') && !e.argv.includes('plan'));
const sets = (s: Sim) => readdirSync(path.join(s.workdir, 'mgmt')).filter((n) => n.includes('-backup-'));
const until = async (done: () => boolean) => {
  for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
};
function evidenceOf(report: string) {
  const evidence = JSON.parse(readFileSync(report, 'utf8'));
  const valid = validateEvidence(evidence);
  expect(valid.ok ? [] : valid.issues).toEqual([]);
  return evidence;
}

describe('SIGHUP', () => {
  it('during the backup: a clean stop like SIGTERM — pause state restored, lock released, exit 130, report written', async () => {
    const s = await sim('healthy');
    const report = path.join(s.workdir, 'report.json');
    s.server.setFaults([{ latencyMs: 150 }]);
    const child = execa(process.execPath, [binPath, 'cluster', '-f', s.specFile(), '--cli-tools-image', IMAGE, '--report', report, ...NO_ETCD, ...FAST], {
      env: { ...s.env, CI: '1', NO_COLOR: '1' }, cwd: s.workdir, reject: false,
    });
    await until(() => s.journal().some((e) => e.source === 'clusterctl'));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGHUP');
    const r = await child;
    assertNoSimSecret({ stdout: String(r.stdout), stderr: String(r.stderr) }, ['cluster']);
    s.server.setFaults([]);
    expect(r.signal).toBeUndefined();
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toMatch(/interrupted by SIGHUP/);
    expect(sets(s).every((n) => n.endsWith('.failed'))).toBe(true);
    for (const c of objects(s).filter((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('cluster.x-k8s.io'))) expect(c.spec?.paused).toBeUndefined();
    expect(lease(s)).toBeUndefined();
    expect(eksctlUpgrades(s)).toEqual([]);
    expect(evidenceOf(report)).toMatchObject({ outcome: 'interrupted', exitCode: 130, lock: { released: true } });
  });

  it('a hang-up of the terminal during the hand-off (SIGHUP to our process group): eksctl runs to its end in its own session; we report, release the lock, exit 130', async () => {
    const s = await sim(scenarioExtending('healthy', { eksctl: { upgrade: { outcome: 'succeed', durationMs: 4000 } } }));
    const report = path.join(s.workdir, 'report.json');
    // Our own process group, as a terminal's foreground job: the hang-up goes to the whole group.
    const child = execa(process.execPath, [binPath, 'cluster', '-f', s.specFile(), '--cli-tools-image', IMAGE, '--report', report, ...NO_ETCD, ...FAST], {
      env: { ...s.env, CI: '1', NO_COLOR: '1' }, cwd: s.workdir, reject: false, detached: true,
    });
    await until(() => eksctlUpgrades(s).length > 0);
    expect(eksctlUpgrades(s)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 800));
    process.kill(-child.pid!, 'SIGHUP');
    const r = await child;
    assertNoSimSecret({ stdout: String(r.stdout), stderr: String(r.stderr) }, ['cluster']);
    expect(r.signal).toBeUndefined();
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toMatch(/interrupted during the upgrade; eksctl exited 0 \(SIGHUP was not passed on: eksctl ran to its end\)/);
    // eksctl was not hung up on: the upgrade it started finished.
    const mgmt = objects(s).find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('anywhere') && o.metadata.name === 'mgmt');
    expect(mgmt.spec.kubernetesVersion).toBe('1.32');
    expect(lease(s)).toBeUndefined();
    const evidence = evidenceOf(report);
    expect(evidence).toMatchObject({ outcome: 'interrupted', exitCode: 130, backup: { state: 'complete' }, handoff: { exitCode: 0, interrupted: false }, lock: { released: true } });
  });
});
