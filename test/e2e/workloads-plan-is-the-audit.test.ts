// The fleet's dry run is its audit: it writes nothing (our journal and the simulated world's), it stops where
// the real run stops with the same exit and the same first error line, and the plan it prints is what the real
// run does: the same clusters in the same order, each with the same backup move and the same eksctl hand-off.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetPlan } from '../../src/plan/fleet.js';
import { readJournal, runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { FLEET_FLAGS, fleetScenario, specs } from '../helpers/fleet.js';

let sims: Sim[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

const firstErrorLine = (stderr: string) => (stderr.split('\n').find((l) => l.startsWith('Error: ')) ?? '').replace(/\b\d+s\b/g, 'Ns');
/** Backup set folders are named by the second they are made: the same plan applied later moves them. */
const undated = (argv: readonly string[]) => argv.map((a) => a.replace(/\d{4}-\d\d-\d\dT\d\d_\d\d_\d\d/g, '<time>'));
const toolWrites = (s: Sim) =>
  s.journal().filter((e) => e.source === 'apiserver' || e.source === 'clusterctl' || e.source === 'docker' || (e.source === 'eksctl' && e.argv.includes('upgrade') && !e.argv.includes('plan')));

async function run(s: Sim, args: string[], journal: string, env: Record<string, string> = {}) {
  writeFileSync(journal, '');
  const r = await runBin(['workloads', '--kubeconfig', 'mgmt/mgmt-eks-a-cluster.kubeconfig', ...FLEET_FLAGS, '--journal', journal, ...args], { env: { ...s.env, ...env }, cwd: s.workdir, timeoutMs: 240_000 });
  const text = readFileSync(journal, 'utf8').trim();
  return { ...r, journal: text === '' ? [] : readJournal(journal) };
}

describe('workloads: the dry run is the audit', { timeout: 400_000 }, () => {
  it('writes nothing, and the real run applies its plan: same clusters, order, backup moves and hand-offs', async () => {
    const s = await startSim({ scenario: fleetScenario() });
    sims.push(s);
    const planFile = path.join(s.workdir, 'fleet-plan.json');
    const args = [...specs('w03', 'w01', 'w02'), '--order', 'name', '--wave-size', '2'];
    const dry = await run(s, [...args, '--dry-run', '--plan-out', planFile], path.join(s.workdir, '.sim', 'dry.ndjson'));
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(toolWrites(s)).toEqual([]);
    expect(dry.journal.filter((e) => e.kind !== 'read' && !e.skipped)).toEqual([]);
    // The three gates share one read of the tools, the tree and the lock; each adds its own upgrade plan.
    const reads = (why: RegExp) => dry.journal.filter((e) => e.kind === 'read' && why.test(e.why ?? '')).length;
    expect([/^read the management tree/, /upgrade lock/, /kubectl version/, /EKS Anywhere version/, /components the upgrade changes/].map(reads)).toEqual([1, 1, 1, 1, 3]);
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as FleetPlan;
    expect(plan.waves.map((w) => w.clusters)).toEqual([['w01'], ['w02', 'w03']]);
    // The audit shows every hand-off.
    expect(dry.stdout.match(/^! eksctl anywhere upgrade cluster/gm)).toHaveLength(3);

    const real = await run(s, [...args, '--plan', planFile], path.join(s.workdir, '.sim', 'real.ndjson'));
    expect(real.exitCode, real.stderr).toBe(0);
    const order = plan.waves.flatMap((w) => w.clusters);
    const planned = (op: 'handoff' | 'backup') =>
      order.map((name) => {
        const entry = plan.entries.find((e) => e.name === name);
        if (entry?.kind !== 'upgrade') throw new Error(`${name} is not upgraded by the plan`);
        const action = entry.plan.actions.find((a) => a.op === op)!;
        return undated(action.op === 'handoff' ? action.command.argv : action.op === 'backup' ? action.move.argv : []);
      });
    const ran = (first: string) => real.journal.filter((e) => e.argv[0] === first && !e.skipped && (first !== 'eksctl' || e.argv.includes('upgrade') && !e.argv.includes('plan'))).map((e) => undated(e.argv));
    expect(ran('eksctl')).toEqual(planned('handoff'));
    expect(ran('docker')).toEqual(planned('backup'));
  });

  const stops: { name: string; args: string[]; env?: Record<string, string>; scenario?: () => string; exit: number }[] = [
    // eksctl at v0.24.0: the management cluster (v0.23.0) is behind the workload clusters' target.
    { name: 'the management cluster is behind the target', args: specs('w01', 'w02'), env: { EKSA_SIM_EKSCTL_VERSION: 'v0.24.0' }, exit: 5 },
    { name: 'a selected cluster is not ready', args: specs('w01', 'w02'), scenario: () => fleetScenario({ patches: [{ kind: 'Cluster.anywhere.eks.amazonaws.com', name: 'w02', conditions: [{ type: 'Ready', status: 'False', reason: 'ControlPlaneNotReady' }] }] }), exit: 4 },
    { name: 'the management spec given as a workload', args: specs('w01', 'mgmt'), exit: 2 },
    { name: 'a wave size of 0', args: [...specs('w01'), '--wave-size', '0'], exit: 2 },
  ];
  it.each(stops.map((c) => [c.name, c] as const))('stops alike and writes nothing: %s', async (_name, c) => {
    const s = await startSim({ scenario: c.scenario?.() ?? fleetScenario() });
    sims.push(s);
    const dry = await run(s, [...c.args, '--dry-run'], path.join(s.workdir, '.sim', 'dry.ndjson'), c.env);
    const real = await run(s, c.args, path.join(s.workdir, '.sim', 'real.ndjson'), c.env);
    expect(real.exitCode, real.stderr).toBe(c.exit);
    expect(dry.exitCode, dry.stderr).toBe(real.exitCode);
    expect(firstErrorLine(dry.stderr)).toBe(firstErrorLine(real.stderr));
    expect(firstErrorLine(real.stderr)).not.toBe('');
    expect(real.journal.filter((e) => e.kind !== 'read')).toEqual([]);
    expect(toolWrites(s)).toEqual([]);
  });
});
