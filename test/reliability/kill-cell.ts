// One cell of the fault matrix's SIGKILL-then-rerun column (issue 15): the tool is killed with SIGKILL at a step (the OOM
// killer, `kill -9`, a lost admin machine) and the operator runs it again. A SIGKILL cannot be handled, so the
// promises are the next run's: it sees the lease of a run of this machine that is gone and says what to do
// (`recover --dir <mgmt>`, which releases it); the pause state recorded before the move comes back; no set
// claims to be complete that is not; and after a kill during the hand-off, the eksctl that outlives us (its own
// session) is not joined by a second upgrade: the lock is kept while it runs, and once it has ended the rerun
// judges the tree (nothing left to upgrade) instead of upgrading it again.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { ExitCode } from '../../src/exit-codes.js';
import { readJournal } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import {
  IMAGE,
  NO_ETCD,
  backupSets,
  expectNoSecrets,
  leaseOf,
  pauseState,
  runOutputs,
  simSecrets,
  sleep,
  smallScenario,
  startCli,
  strayProcesses,
  type CliResult,
  type CliRun,
} from './helpers.js';

export const FAULT = 'SIGKILL-then-rerun';
export const why = (pattern: RegExp) => (e: Record<string, any>) => e.source === 'eksa-safe-upgrade' && pattern.test(String(e.why));
const eksctlUpgrades = (sim: Sim) => sim.journal().filter((e) => e.source === 'eksctl' && e.argv.slice(1, 4).join(' ') === 'anywhere upgrade cluster');

export interface KillCell {
  readonly step: 'capi' | 'export' | 'etcd' | 'handoff';
  readonly scenario?: Record<string, unknown>;
  /** A whole scenario file instead (then `scenario` is ignored). */
  readonly scenarioFile?: string;
  /** Replaces `--cli-tools-image` and the etcd flags (an etcd cell's real sshd and etcd). */
  readonly sourceArgs?: () => readonly string[];
  /** Kill the run at its step; `dies` also kills what it started (the machine is lost), else only our process. */
  readonly strike: (ctx: { sim: Sim; run: CliRun; journal: string; kill: (dies: boolean) => void }) => (() => void) | void;
  /** After the killed run has ended, before the rerun: undo what made the step slow enough to strike. */
  readonly afterKill?: () => void;
  /** What our journal shows of the killed run: the step before ran, the step after did not. */
  readonly landed: { readonly ran: (e: Record<string, any>) => boolean; readonly next: (e: Record<string, any>) => boolean };
}

/** Kill `run` (and, when the machine dies, every process it started) with SIGKILL. */
export function killer(sim: Sim, run: CliRun) {
  return (dies: boolean) => {
    run.kill('SIGKILL');
    if (!dies) return;
    for (const p of strayProcesses(run.marker, sim.workdir)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
}

function context(r: CliResult): string {
  return `exit ${r.exitCode} signal ${r.signal}\n--- stdout\n${r.stdout.slice(-2000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
}

/** No set without .partial/.failed unless its manifest says complete; every other set's manifest says failed. */
function expectHonestSets(folder: string): void {
  for (const s of backupSets(folder)) {
    const manifest = JSON.parse(readFileSync(path.join(s.dir, 'manifest.json'), 'utf8'));
    expect([s.name, manifest.state]).toEqual([s.name, s.state === 'complete' ? 'complete' : 'failed']);
  }
}

export async function runKillCell(cell: KillCell): Promise<void> {
  const sim = await startSim({ scenario: cell.scenarioFile ?? smallScenario(cell.scenario) });
  try {
    const folder = path.join(sim.workdir, 'mgmt');
    const before = pauseState(sim);
    const env = { ...sim.env, XDG_CACHE_HOME: path.join(sim.workdir, 'run', 'cache') };
    mkdirSync(path.join(sim.workdir, 'run'), { recursive: true });
    const file = (name: string) => path.join(sim.workdir, 'run', name);
    const cluster = (n: number, timeoutMs = 120_000) =>
      startCli(['cluster', '-f', sim.specFile(), ...(cell.sourceArgs?.() ?? ['--cli-tools-image', IMAGE, ...NO_ETCD]), '--request-timeout', '10s', '--confirm-interval', '1s', '--confirm-timeout', '60s', '--journal', file(`journal-${n}.ndjson`), '--report', file(`report-${n}.json`)], { env, cwd: sim.workdir, timeoutMs });
    const recover = (n: number) => startCli(['recover', '--dir', folder, '--journal', file(`recover-${n}.ndjson`)], { env, cwd: sim.workdir, timeoutMs: 60_000 });
    const results: CliResult[] = [];
    const settle = async (run: CliRun) => {
      const r = await run.done;
      results.push(r);
      return r;
    };

    // 1. The killed run.
    const first = cluster(1);
    const stop = cell.strike({ sim, run: first, journal: file('journal-1.ndjson'), kill: killer(sim, first) });
    const exit = await first.exited;
    stop?.();
    expect(exit.signal, first.output().slice(-3000)).toBe('SIGKILL');
    // Its output closes once whatever it started and holds it has ended too (after a kill in the hand-off,
    // eksctl): collected at the end.
    const killedRun = first.done;
    const ours = readJournal(file('journal-1.ndjson'));
    expect(ours.some(cell.landed.ran), `the kill came after the step before ${cell.step}:\n${first.output().slice(-3000)}`).toBe(true);
    expect(ours.filter(cell.landed.next).map((e) => e.why), `the kill came before the step after ${cell.step}`).toEqual([]);
    if (cell.step !== 'handoff') {
      await sleep(300);
      for (const p of strayProcesses(first.marker, sim.workdir)) process.kill(p.pid, 'SIGKILL');
    }
    sim.server.setFaults([]);
    cell.afterKill?.();
    // What a SIGKILL leaves: the lease of a run of this machine whose process is gone.
    const holder = leaseOf(sim)?.holder;
    expect(holder, 'the killed run left its lease').toMatch(new RegExp(` pid ${first.pid}$`));
    expectHonestSets(folder);

    if (cell.step === 'capi') {
      // 2. The rerun: clusters left paused, the pause state recorded before the move, and the command that puts it back.
      expect(Object.values(pauseState(sim)).some((s) => s.capi), 'the kill left a cluster paused').toBe(true);
      expect(backupSets(folder).map((s) => s.state)).toEqual(['partial']);
      const rerun = await settle(cluster(2));
      expect(rerun.exitCode, context(rerun)).toBe(ExitCode.NotReady);
      expect(rerun.stderr).toMatch(/an earlier run stopped during its backup .*\.partial.*CAPI paused now, .*CAPI unpaused before/);
      expect(rerun.stderr).toMatch(/eksa-safe-upgrade recover --dir /);
      expect(eksctlUpgrades(sim)).toEqual([]);
    }
    if (cell.step === 'export' || cell.step === 'etcd') {
      // 2. The rerun: the move had ended (pause state put back), the lease is the stop, named as a run that is gone.
      expect(pauseState(sim)).toEqual(before);
      expect(backupSets(folder).map((s) => s.state)).toEqual(['partial']);
      const rerun = await settle(cluster(2));
      expect(rerun.exitCode, context(rerun)).toBe(ExitCode.Locked);
      expect(rerun.stderr).toMatch(new RegExp(`Error: locked by \\S+ pid ${first.pid} .*: that run is gone \\(no process ${first.pid} on this machine, nor any command it started\\)`));
      expect(rerun.stderr).toMatch(/hint: release it with: eksa-safe-upgrade recover --dir \S+ \(or run again with --force-unlock\)/);
      expect(eksctlUpgrades(sim)).toEqual([]);
    }
    if (cell.step === 'handoff') {
      // 2. eksctl runs on without us, once; the set was complete before the hand-off.
      expect(eksctlUpgrades(sim)).toHaveLength(1);
      expect(strayProcesses(first.marker, sim.workdir).length, 'eksctl outlived the kill').toBeGreaterThan(0);
      expect(backupSets(folder).map((s) => s.state)).toEqual(['complete']);
      const rerun = await settle(cluster(2));
      const eksctlStillRuns = strayProcesses(first.marker, sim.workdir).length > 0;
      expect(eksctlStillRuns, 'eksctl still ran when the rerun ended (a machine this loaded cannot test this)').toBe(true);
      // The tree mid-upgrade stops the gate (not ready), or the lock does: never a second upgrade.
      expect([ExitCode.NotReady, ExitCode.Locked], context(rerun)).toContain(rerun.exitCode);
      if (rerun.exitCode === ExitCode.Locked) expect(rerun.stderr).toMatch(/but the eksctl it handed off to still runs \(pid \d+/);
      const early = await settle(recover(1));
      expect(early.exitCode, context(early)).toBe(0);
      expect(early.stderr).toMatch(new RegExp(`the upgrade lock of \\S+ pid ${first.pid} is kept: that run is gone, but the eksctl it handed off to still runs`));
      expect(leaseOf(sim)?.holder).toBe(holder);
      expect(eksctlUpgrades(sim)).toHaveLength(1);
      // eksctl ends on its own.
      for (let i = 0; i < 900 && strayProcesses(first.marker, sim.workdir).length > 0; i++) await sleep(100);
      expect(strayProcesses(first.marker, sim.workdir)).toEqual([]);
      // Once it has ended, the rerun judges the tree eksctl left: upgraded, nothing to do (before any lock is taken).
      const judged = await settle(cluster(3));
      expect(judged.exitCode, context(judged)).toBe(0);
      expect(JSON.parse(readFileSync(file('report-3.json'), 'utf8')).outcome).toBe('nothing-to-upgrade');
      expect(eksctlUpgrades(sim)).toHaveLength(1);
      expect(leaseOf(sim)?.holder, 'the lease of the killed run is left for recover').toBe(holder);
    }

    // 3. recover puts back what the record says and releases the lease of the run that is gone.
    const recovered = await settle(recover(2));
    expect(recovered.exitCode, context(recovered)).toBe(0);
    expect(recovered.stdout).toMatch(new RegExp(`released the upgrade lock of \\S+ pid ${first.pid}: that run is gone`));
    if (cell.step === 'capi') expect(recovered.stdout).toMatch(/restored \S+ capi-spec-paused: unpaused as recorded/);
    expect(leaseOf(sim), 'recover released the lease').toBeUndefined();
    expect(pauseState(sim), 'every cluster back as recorded before the move').toEqual(before);
    expectHonestSets(folder);
    expect(backupSets(folder).map((s) => s.state)).toEqual(cell.step === 'handoff' ? ['complete'] : ['failed']);

    // 4. The run after: upgrades once in all (a kill during the hand-off: eksctl already did, nothing is left to upgrade).
    const last = await settle(cluster(9, 180_000));
    expect(last.exitCode, context(last)).toBe(0);
    const report = JSON.parse(readFileSync(file('report-9.json'), 'utf8'));
    expect(report.outcome).toBe(cell.step === 'handoff' ? 'nothing-to-upgrade' : 'upgraded');
    expect(eksctlUpgrades(sim), 'one upgrade in all').toHaveLength(1);
    expect(leaseOf(sim)).toBeUndefined();
    expect(pauseState(sim)).toEqual(before);
    expectHonestSets(folder);
    expect(backupSets(folder).map((s) => s.state).sort()).toEqual(cell.step === 'handoff' ? ['complete'] : ['complete', 'failed']);
    results.push(await killedRun);
    for (const r of results) expectNoSecrets(runOutputs(r), simSecrets(sim));
  } finally {
    await sim.close();
  }
}

