// `workloads` on the simulated 22-cluster fleet: a few clusters per test (the machine is shared), short fake
// eksctl runs. What the issue asks of the executor: canary failure stops everything else, --on-failure
// continue, the --parallel bound read from the sim journal, a soak regression stops the next wave, a run
// killed mid-wave resumes without upgrading a confirmed cluster twice, and --not-after in the past starts nothing.
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetEvidenceSchema } from '../../src/report/fleet-evidence.js';
import { FLEET_FLAGS, fleetScenario, specs, withOutcomes } from '../helpers/fleet.js';
import { binPath, runBin } from '../helpers/run-bin.js';
import { concurrentSims } from '../helpers/concurrent-sims.js';
import type { Sim } from '../helpers/sim.js';

// Each test runs the CLI over a few clusters of the fleet: child processes, polls, soaks, mostly waiting. Two
// tests at a time overlap those waits. A test's time includes its wait for a slot behind the rest of the file,
// hence the long timeout (each run of the CLI keeps its own bound).
const { isolated, sim: ownSim } = concurrentSims(2);
const TEST_TIMEOUT_MS = 600_000;
const sim = (scenario: string): Promise<Sim> => ownSim({ scenario });

const objects = (s: Sim): any[] => (s.server.store as any).all();
const lease = (s: Sim) => objects(s).find((o) => o.kind === 'Lease' && o.metadata.name === 'eksa-safe-upgrade');
/** The cluster each `eksctl anywhere upgrade cluster` run upgraded, in start order. */
const upgradesOf = (s: Sim) =>
  s.journal()
    .filter((e) => e.source === 'eksctl' && e.argv.includes('upgrade') && e.argv.includes('cluster') && !e.argv.includes('plan'))
    .map((e) => path.basename(String(e.argv[e.argv.indexOf('-f') + 1])).replace(/-eks-a-cluster\.yaml$/, ''));
const sets = (s: Sim) => readdirSync(path.join(s.workdir, 'mgmt')).filter((n) => n.includes('-backup-'));

async function workloads(s: Sim, args: string[]) {
  const report = path.join(s.workdir, `fleet-${Math.random().toString(36).slice(2)}.json`);
  const r = await runBin(['workloads', '--kubeconfig', 'mgmt/mgmt-eks-a-cluster.kubeconfig', ...FLEET_FLAGS, '--report', report, ...args], { env: s.env, cwd: s.workdir, timeoutMs: 240_000 });
  const evidence = fleetEvidenceSchema.parse(JSON.parse(readFileSync(report, 'utf8')));
  expect(evidence.exitCode).toBe(r.exitCode);
  return { ...r, evidence, state: (name: string) => evidence.clusters.find((c) => c.name === name)?.state };
}

describe.concurrent('workloads: canary and failures', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a failed canary starts no other cluster, exits 10, keeps its backup, prints its restore command, releases the lock', isolated(async () => {
    const s = await sim(fleetScenario(withOutcomes({ w01: { outcome: 'fail' } })));
    const r = await workloads(s, [...specs('w01', 'w02', 'w03'), '--wave-size', '2']);
    expect(r.exitCode, r.stderr).toBe(10);
    expect(upgradesOf(s)).toEqual(['w01']);
    expect(r.state('w01')).toBe('failed');
    expect(r.evidence.notAttempted).toEqual(['w02', 'w03']);
    // Ours, complete (eksctl keeps its own w01-backup-… beside it after a failure, without a manifest).
    const kept = sets(s).filter((n) => n.startsWith('w01-backup-') && existsSync(path.join(s.workdir, 'mgmt', n, 'manifest.json')));
    expect(kept).toHaveLength(1);
    expect(sets(s).filter((n) => !n.startsWith('w01-'))).toEqual([]);
    expect(r.stderr).toContain(`eksa-safe-upgrade restore-plan ${path.join(s.workdir, 'mgmt', kept[0]!)}`);
    expect(r.stdout).toMatch(/not attempted: w02, w03/);
    expect(lease(s)).toBeUndefined();
  }));

  it('a canary that never confirms stops the fleet with exit 11 and names the clusters not attempted', isolated(async () => {
    const s = await sim(fleetScenario(withOutcomes({ w04: { outcome: 'exit-early-not-ready' } })));
    const r = await workloads(s, [...specs('w04', 'w05'), '--confirm-timeout', '5s']);
    expect(r.exitCode, r.stderr).toBe(11);
    expect(upgradesOf(s)).toEqual(['w04']);
    expect(r.state('w04')).toBe('failed');
    expect(r.evidence.notAttempted).toEqual(['w05']);
    expect(r.stdout).toMatch(/not attempted: w05/);
    expect(lease(s)).toBeUndefined();
  }));

  it('--on-failure continue goes on with the next wave after a failure and still exits with the failure', isolated(async () => {
    const s = await sim(fleetScenario(withOutcomes({ w01: { outcome: 'fail' } })));
    const r = await workloads(s, [...specs('w01', 'w02'), '--on-failure', 'continue']);
    expect(r.exitCode, r.stderr).toBe(10);
    expect(upgradesOf(s)).toEqual(['w01', 'w02']);
    expect([r.state('w01'), r.state('w02')]).toEqual(['failed', 'confirmed']);
    expect(r.evidence.notAttempted).toEqual([]);
  }));
});

describe.concurrent('workloads: the --parallel bound', { timeout: TEST_TIMEOUT_MS }, () => {
  it('--parallel 3 never has more than 3 eksctl upgrades running at once (sim journal timestamps)', isolated(async () => {
    const s = await sim(fleetScenario(withOutcomes({ w05: { durationMs: 1500 }, w06: { durationMs: 1500 }, w07: { durationMs: 1500 }, w08: { durationMs: 1500 } })));
    const r = await workloads(s, [...specs('w05', 'w06', 'w07', 'w08'), '--canary', '0', '--wave-size', '4', '--parallel', '3']);
    expect(r.exitCode, r.stderr).toBe(0);
    const events = s.journal()
      .filter((e) => (e.source === 'eksctl' || e.source === 'eksctl-exit') && e.argv.includes('upgrade') && e.argv.includes('cluster') && !e.argv.includes('plan'))
      .map((e) => ({ at: Date.parse(String(e.time)), delta: e.source === 'eksctl' ? 1 : -1 }))
      // An exit and a start in the same millisecond: the exit first.
      .sort((a, b) => a.at - b.at || a.delta - b.delta);
    let running = 0;
    let most = 0;
    for (const e of events) {
      running += e.delta;
      most = Math.max(most, running);
    }
    expect(events.filter((e) => e.delta === 1)).toHaveLength(4);
    expect(running).toBe(0);
    expect(most).toBeLessThanOrEqual(3);
    // The bound is a bound, not a sequence: more than one ran at once.
    expect(most).toBeGreaterThanOrEqual(2);
  }));
});

describe.concurrent('workloads: soak and the maintenance window', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a soak that sees an upgraded cluster regress stops the next wave (exit 4)', isolated(async () => {
    const s = await sim(fleetScenario());
    // When the fleet state first records w01 confirmed, w01 stops being Ready (during the soak).
    let broken = false;
    s.server.store.on('change', (event: any) => {
      const o = event?.object ?? event;
      if (broken || o?.kind !== 'ConfigMap' || o.metadata?.name !== 'eksa-safe-upgrade-fleet') return;
      if (!/"name":"w01","wave":0,"state":"confirmed"/.test(String(o.data?.clusters))) return;
      broken = true;
      const c = objects(s).find((x) => x.kind === 'Cluster' && x.apiVersion.startsWith('anywhere') && x.metadata.name === 'w01');
      const conditions = c.status.conditions.map((k: any) => (k.type === 'Ready' ? { ...k, status: 'False', reason: 'ControlPlaneNotReady' } : k));
      setImmediate(() => s.server.store.patch('clusters.anywhere.eks.amazonaws.com', 'default', 'w01', 'application/merge-patch+json', { status: { conditions } }, { subresource: 'status' }));
    });
    const r = await workloads(s, [...specs('w01', 'w02'), '--soak', '3s']);
    expect(broken).toBe(true);
    expect(r.exitCode, r.stderr).toBe(4);
    expect(upgradesOf(s)).toEqual(['w01']);
    expect(r.state('w01')).toBe('failed');
    expect(r.evidence.notAttempted).toEqual(['w02']);
    expect(r.evidence.stopped).toMatch(/soak after wave 0 saw w01 not Ready/);
  }));

  it('--not-after in the past starts nothing, takes no lock, writes nothing and says so (exit 13)', isolated(async () => {
    const s = await sim(fleetScenario());
    const r = await workloads(s, [...specs('w01', 'w02'), '--not-after', '2000-01-01T00:00:00Z']);
    expect(r.exitCode, r.stderr).toBe(13);
    expect(r.stderr).toMatch(/--not-after 2000-01-01T00:00:00.000Z has passed: no wave was started/);
    expect(r.evidence.notAttempted).toEqual(['w01', 'w02']);
    expect(s.journal().filter((e) => e.source === 'apiserver' || e.source === 'clusterctl' || e.source === 'docker')).toEqual([]);
    expect(upgradesOf(s)).toEqual([]);
    expect(sets(s)).toEqual([]);
  }));
});

describe.concurrent('workloads: resumable', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a run killed (SIGKILL) mid-wave, rerun, upgrades every cluster once and skips the confirmed ones', isolated(async () => {
    const s = await sim(fleetScenario(withOutcomes({ w02: { durationMs: 3000 } })));
    const killedReport = path.join(s.workdir, 'killed.json');
    const args = ['workloads', '--kubeconfig', 'mgmt/mgmt-eks-a-cluster.kubeconfig', ...FLEET_FLAGS, '--lock-ttl', '3s', ...specs('w01', 'w02', 'w03'), '--wave-size', '2', '--report', killedReport];
    const first = execa(process.execPath, [binPath, ...args], { env: { ...s.env, NO_COLOR: '1', CI: '1' }, extendEnv: false, cwd: s.workdir, reject: false, stdin: 'ignore' });
    // Killed while w02's eksctl runs: the fleet state says so.
    await new Promise<void>((resolve) => {
      s.server.store.on('change', (event: any) => {
        const o = event?.object ?? event;
        if (o?.kind === 'ConfigMap' && o.metadata?.name === 'eksa-safe-upgrade-fleet' && /"name":"w02","wave":1,"state":"upgrading"/.test(String(o.data?.clusters))) resolve();
      });
    });
    first.kill('SIGKILL');
    const killed = await first;
    expect(killed.signal).toBe('SIGKILL');
    // The record of the killed run says how far it got.
    const left = fleetEvidenceSchema.parse(JSON.parse(readFileSync(killedReport, 'utf8')));
    expect(left.clusters.find((c) => c.name === 'w01')?.state).toBe('confirmed');
    expect(left.stopped).toMatch(/in progress/);
    const r = await workloads(s, ['--lock-ttl', '3s', ...specs('w01', 'w02', 'w03'), '--wave-size', '2']);
    expect(r.exitCode, r.stderr).toBe(0);
    // w01 was confirmed before the kill; w02 was handed off once (and finished, or was awaited); w03 once.
    expect(upgradesOf(s).sort()).toEqual(['w01', 'w02', 'w03']);
    expect(r.state('w01')).toBe('skipped');
    expect(['skipped', 'confirmed']).toContain(r.state('w02'));
    expect(r.state('w03')).toBe('confirmed');
    expect(existsSync(path.join(s.workdir, 'mgmt'))).toBe(true);
  }));
});
