// One cell of the fault matrix: a fresh simulated world, the `cluster` (or `backup`) command run as a
// real process, a fault that strikes at one step, and the promises every cell must keep.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Fault } from '../../sim/index.js';
import { readJournal } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import {
  IMAGE,
  NO_ETCD,
  expectCleanOutcome,
  expectNoSecrets,
  pauseState,
  smallScenario,
  runOutputs,
  simSecrets,
  startCli,
  type CellExpectation,
  type CliResult,
  type RecoveryExpectation,
  type CliRun,
} from './helpers.js';

/** What a strike can use: the world, the running CLI, and its journal (an entry per finished command). */
export interface StrikeContext {
  readonly sim: Sim;
  readonly run: CliRun;
  readonly journal: string;
}

export interface Cell {
  /** The step of the flow the fault strikes (the matrix's row). */
  readonly step: string;
  /** The fault (the matrix's column). */
  readonly fault: string;
  readonly command?: 'cluster' | 'backup';
  /** Keys merged over the small scenario (clusterctl, eksctl, patches). */
  readonly scenario?: Record<string, unknown>;
  /** A whole scenario file instead (then `scenario` is ignored). */
  readonly scenarioFile?: string;
  /** Faults from the start. */
  readonly faults?: Fault[];
  readonly args?: readonly string[];
  /** kubectl's --request-timeout (default 10s; 2s where the API hangs, so the hang is found fast). */
  readonly requestTimeout?: string;
  /** Replaces the default `--cli-tools-image` and etcd flags. */
  readonly sourceArgs?: (sim: Sim) => readonly string[];
  readonly env?: (sim: Sim) => Record<string, string>;
  /** Prepare the world after the sim starts (a tmpfs, a file), before the run. */
  readonly prepare?: (sim: Sim) => Prepared | Promise<Prepared>;
  /** Strike while the run goes: switch faults on, send signals. Returns a cleanup. */
  readonly strike?: (ctx: StrikeContext) => (() => void) | void;
  readonly expect: CellExpectation | RecoveryExpectation;
  readonly timeoutMs?: number;
  /**
   * Where the journal must show the strike landed, when not in `step` itself: a fault that happens in one
   * step and is found by the next (eksctl exits 0 early; the confirmation finds the cluster not Ready).
   * Only with the reason written here.
   */
  readonly landsIn?: { readonly step: string; readonly reason: string };
}

/**
 * Each step's commands in our journal (--journal, an entry per command when it ends, in the plan's order:
 * src/commands/cluster.ts for the gate, src/plan/plan-upgrade.ts for the actions). `ran` matches a command
 * of the step (or, for a step with no command of its own, of the step just before it); `next` a command of
 * the step after it. A cell proves its strike landed in its step: `ran` is in the journal and `next` is not.
 */
const why = (pattern: RegExp) => (e: Record<string, any>) => pattern.test(String(e.why));
export const STEP_JOURNAL: Record<string, { readonly ran: (e: Record<string, any>) => boolean; readonly next?: (e: Record<string, any>) => boolean; readonly note?: string }> = {
  inventory: { ran: why(/^read the management tree of /), next: why(/^list the components the upgrade changes/) },
  'find-clusterctl': { ran: why(/^read the management tree of /), next: why(/^list the components the upgrade changes/), note: 'an HTTP fetch, not a command: the step before it ran, the one after did not' },
  plan: { ran: why(/^list the components the upgrade changes/), next: why(/^is the upgrade lock free\?/) },
  lock: { ran: why(/^(is the upgrade lock free\?|take the upgrade lock)/), next: why(/^back up the Cluster API objects/) },
  capi: { ran: why(/^back up the Cluster API objects/), next: why(/^export the EKS-A objects/) },
  'pause-restore': { ran: why(/^re-read pause state after clusterctl/), next: why(/^export the EKS-A objects/) },
  export: { ran: why(/^export the EKS-A objects/), next: why(/^(etcd snapshot of |re-read the management tree under the lock)/) },
  manifest: { ran: why(/^export the EKS-A objects/), next: why(/^re-read the management tree under the lock/), note: 'local writes, no command: the export ran, the recheck did not' },
  etcd: { ran: why(/^etcd snapshot of /), next: why(/^re-read the management tree under the lock/) },
  recheck: { ran: why(/^re-read the management tree under the lock/), next: why(/^renew the upgrade lock/) },
  renew: { ran: why(/^renew the upgrade lock/), next: (e) => e.kind === 'handoff' },
  handoff: { ran: (e) => e.kind === 'handoff', next: why(/^(read the generation eksctl applied|confirm the upgrade)/) },
  confirm: { ran: why(/^(read the generation eksctl applied|confirm the upgrade)/) },
};

/** The strike landed in `step`: its command is in our journal, the next step's is not. */
export function expectLandedIn(step: string, journal: ReadonlyArray<Record<string, any>>, context: string): void {
  const proof = STEP_JOURNAL[step];
  if (!proof) throw new Error(`no journal proof for step ${step}: add it to STEP_JOURNAL`);
  const ours = journal.filter((e) => e.source === 'eksa-safe-upgrade');
  const list = ours.map((e) => `  ${e.kind} ${e.why} (exit ${e.exitCode})`).join('\n');
  expect(ours.some(proof.ran), `the ${step} step ran${proof.note ? ` (${proof.note})` : ''}:\n${list}\n${context}`).toBe(true);
  if (proof.next) expect(ours.filter(proof.next).map((e) => e.why), `the step after ${step} never started:\n${list}\n${context}`).toEqual([]);
}

export interface Prepared {
  readonly cleanup?: () => Promise<void> | void;
  /** Extra environment for the run. */
  readonly env?: Record<string, string>;
}

/** Cells of a file run a few at a time (most of a cell is waiting); a test's time includes its wait for a slot. */
export const CELL_SLOTS = 3;
export const CELL_TIMEOUT_MS = 300_000;
const waiting: Array<() => void> = [];
let running = 0;
async function slot(): Promise<() => void> {
  if (running >= CELL_SLOTS) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  return () => {
    running -= 1;
    waiting.shift()?.();
  };
}

export const cellTitle = (c: Cell) => `cell ${c.command === 'backup' ? 'backup: ' : ''}${c.step} × ${c.fault}`;

export interface CellRun {
  readonly sim: Sim;
  readonly result: CliResult;
}

/** Run one cell and check every promise; `extraChecks` sees the world before it is torn down. */
export async function runCell(cell: Cell, extraChecks?: (r: CellRun) => Promise<void> | void): Promise<void> {
  const release = await slot();
  try {
    await runCellNow(cell, extraChecks);
  } finally {
    release();
  }
}

async function runCellNow(cell: Cell, extraChecks?: (r: CellRun) => Promise<void> | void): Promise<void> {
  const scenario = cell.scenarioFile ?? smallScenario(cell.scenario);
  const sim = await startSim({ scenario, ...(cell.faults ? { faults: cell.faults } : {}) });
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const prepared = (await cell.prepare?.(sim)) ?? {};
    if (prepared.cleanup) cleanups.push(prepared.cleanup);
    const before = pauseState(sim);
    const journal = path.join(sim.workdir, 'run', 'journal.ndjson');
    const report = path.join(sim.workdir, 'run', 'report.json');
    mkdirSync(path.dirname(journal), { recursive: true });
    const command = cell.command ?? 'cluster';
    const source = cell.sourceArgs?.(sim) ?? ['--cli-tools-image', IMAGE, ...NO_ETCD];
    const common = ['-f', sim.specFile(), ...source, '--request-timeout', cell.requestTimeout ?? '10s', '--journal', journal];
    const upgradeOnly = command === 'cluster' ? ['--confirm-interval', '1s', '--confirm-timeout', '30s', '--report', report] : [];
    const run = startCli([command, ...common, ...upgradeOnly, ...(cell.args ?? [])], {
      env: { ...sim.env, XDG_CACHE_HOME: path.join(sim.workdir, 'run', 'cache'), ...(cell.env?.(sim) ?? {}), ...(prepared.env ?? {}) },
      cwd: sim.workdir,
      // A hang is a run still going after 2 minutes: every cell ends in well under one on an idle machine,
      // and a loaded 2-core CI machine must not turn a slow run into a "hang".
      timeoutMs: cell.timeoutMs ?? 120_000,
    });
    const stop = cell.strike?.({ sim, run, journal });
    if (stop) cleanups.push(stop);
    const result = await run.done;
    await expectCleanOutcome({ sim, run, result, before, folder: path.join(sim.workdir, sim.scenario.management), expect: cell.expect });
    if (cell.expect.exit !== 'Success') expectLandedIn(cell.landsIn?.step ?? cell.step, readJournal(journal), `stderr:\n${result.stderr.slice(-2000)}`);
    expectNoSecrets(runOutputs(result, { report, journal }), simSecrets(sim));
    await extraChecks?.({ sim, result });
  } finally {
    for (const c of cleanups.reverse()) await c();
    await sim.close();
  }
}
