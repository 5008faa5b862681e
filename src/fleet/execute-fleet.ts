import { setTimeout as delay } from 'node:timers/promises';
import { executePlan, type Applied } from '../apply/execute-plan.js';
import type { ExecuteDeps } from '../apply/deps.js';
import { pushEvidence } from '../apply/push.js';
import { applyConfirm } from '../apply/confirm.js';
import { applyForceUnlock, startAcquireLock } from '../apply/lock.js';
import { isSafeUpgradeError, printable } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { EKSA_CLUSTERS } from '../kube/kinds.js';
import type { KubeObject } from '../kube/types.js';
import type { LockAttempt, UpgradeLock } from '../lock/index.js';
import type { FleetEntry, FleetPlan } from '../plan/fleet.js';
import { planSha256, redatePlan } from '../plan/plan-file.js';
import type { TaskListOptions } from '../steps/task-list.js';
import { mapLimit } from '../map-limit.js';
import type { ClusterProgress, FleetStateWriter } from './state.js';

export interface FleetDeps extends ExecuteDeps {
  readonly list: TaskListOptions;
  readonly state: FleetStateWriter;
  /** A line for the operator (stderr): a cluster starting, failing, the soak, the window closing. */
  readonly say: (line: string) => void;
  /** What to tell the operator after a cluster's hand-off went wrong: its backup set and restore runbook. */
  readonly restoreHint: (exit: ExitCodeName, applied: Applied) => Promise<string | undefined>;
}

/** What the fleet run did, as far as it got: the evidence record and the exit code are made from it. */
export interface FleetRun {
  readonly progress: ClusterProgress[];
  lock?: UpgradeLock;
  lockAttempt?: LockAttempt;
  /** The exit code of the first failure, in the order failures happened. */
  firstFailure?: ExitCodeName;
  /** Why no further wave started (stop after a failure, the soak, --not-after, a signal, the lock lost). */
  stopped?: string;
}

export function initialProgress(plan: FleetPlan): ClusterProgress[] {
  const waveOf = new Map(plan.waves.flatMap((w) => w.clusters.map((c) => [c, w.index] as const)));
  return plan.entries.map((e) => ({
    name: e.name,
    wave: waveOf.get(e.name) ?? null,
    state: e.kind === 'skip' ? 'skipped' : e.kind === 'await' ? 'awaiting' : 'pending',
    ...(e.kind === 'skip' ? { reason: e.reason } : {}),
  }));
}

/**
 * The fleet executor: one lock for the whole run; clusters found mid-upgrade awaited first; then the waves in
 * order, at most `parallel` clusters at once, each through the one per-cluster executor (its backup, recheck,
 * hand-off and confirmation); a soak and a recheck after each wave. A failure stops new clusters from starting
 * (`--on-failure stop`) while those running finish. The caller releases the lock, whatever happened.
 */
export async function executeFleet(plan: FleetPlan, deps: FleetDeps, run: FleetRun): Promise<void> {
  const progress = (name: string) => run.progress.find((p) => p.name === name)!;
  const closed = windowClosed(plan, deps.now());
  if (closed !== undefined && plan.waves.length > 0) {
    // The maintenance window closed before the first wave: nothing is locked, written or started.
    run.stopped = `${closed}: no wave was started`;
    for (const p of run.progress) if (p.state === 'pending') p.state = 'not-attempted';
    deps.say(run.stopped);
    return;
  }
  // No lock, no write: a fleet with nothing to upgrade records nothing.
  const record = () => void (plan.lock ? deps.state.record(run.progress) : undefined);
  if (plan.lock) {
    if (plan.lock.forceUnlock) await applyForceUnlock(plan.lock.forceUnlock, deps);
    run.lockAttempt = startAcquireLock(plan.lock.acquire, deps);
    run.lock = await run.lockAttempt.acquire();
    deps.say(`Took the upgrade lock for the whole run: ${run.lock.audit}`);
  }
  if (plan.lock) await deps.state.record(run.progress);

  const fail = (p: ClusterProgress, exit: ExitCodeName, error: string) => {
    p.state = 'failed';
    p.exit = exit;
    p.error = error;
    run.firstFailure ??= exit;
  };

  for (const entry of plan.entries) {
    if (entry.kind !== 'await') continue;
    const p = progress(entry.name);
    const started = deps.now();
    p.startedAt = started.toISOString();
    deps.say(`${entry.name}: found mid-upgrade; waiting until it is Ready at the target`);
    try {
      await applyConfirm(entry.confirm, deps);
      p.state = 'confirmed';
    } catch (error) {
      fail(p, isSafeUpgradeError(error) ? error.exit : 'Internal', (error as Error).message);
    }
    finish(p, started, deps.now());
    record();
  }

  const mustStop = (): string | undefined => {
    if (deps.runner.interruptedBy) return `interrupted by ${deps.runner.interruptedBy}`;
    const lost = run.lock?.record().lost;
    if (lost !== undefined) return `the upgrade lock was lost: ${lost}`;
    if (run.firstFailure !== undefined && plan.options.onFailure === 'stop') return 'a cluster failed (--on-failure stop)';
    return run.stopped;
  };

  for (const [i, wave] of plan.waves.entries()) {
    const closedNow = windowClosed(plan, deps.now());
    if (closedNow !== undefined) run.stopped ??= `${closedNow}: wave ${wave.index} and later were not started`;
    const why = mustStop();
    if (why !== undefined) {
      run.stopped ??= why;
      break;
    }
    deps.say(`Wave ${wave.index}${wave.canary ? ' (canary)' : ''}: ${wave.clusters.join(', ')}`);
    await mapLimit(wave.clusters, plan.options.parallel, async (name) => {
      const entry = plan.entries.find((e): e is Extract<FleetEntry, { kind: 'upgrade' }> => e.name === name && e.kind === 'upgrade');
      if (!entry || mustStop() !== undefined) return;
      await upgradeOne(entry, progress(name), deps, run, record, fail);
    });
    const upgraded = run.progress.filter((p) => p.state === 'confirmed' && p.wave !== null);
    if (plan.options.soakMs > 0 && upgraded.length > 0 && mustStop() === undefined && i < plan.waves.length - 1) {
      deps.say(`Soak: ${Math.round(plan.options.soakMs / 1000)}s, then every cluster upgraded so far must still be Ready`);
      await delay(plan.options.soakMs, undefined, { signal: deps.signal }).catch(() => undefined);
      if (deps.runner.interruptedBy) continue;
      const regressed = await soakRecheck(deps, upgraded.map((p) => p.name));
      for (const [name, reason] of regressed) {
        fail(progress(name), 'NotReady', `not Ready after the soak of wave ${wave.index}: ${reason}`);
        deps.say(`${name}: not Ready after the soak: ${reason}`);
      }
      if (regressed.length > 0) run.stopped ??= `the soak after wave ${wave.index} saw ${regressed.map(([n]) => n).join(', ')} not Ready: no further wave started`;
      record();
    }
  }
  for (const p of run.progress) if (p.state === 'pending') p.state = 'not-attempted';
  if (plan.lock) await deps.state.record(run.progress);
}

function windowClosed(plan: FleetPlan, now: Date): string | undefined {
  const notAfter = plan.options.notAfter;
  return notAfter !== undefined && now.getTime() > Date.parse(notAfter) ? `--not-after ${notAfter} has passed` : undefined;
}

function finish(p: ClusterProgress, started: Date, now: Date): void {
  p.finishedAt = now.toISOString();
  p.durationMs = now.getTime() - started.getTime();
}

/** One cluster, its whole flow through the per-cluster executor, under the fleet's lock. */
async function upgradeOne(
  entry: Extract<FleetEntry, { kind: 'upgrade' }>,
  p: ClusterProgress,
  deps: FleetDeps,
  run: FleetRun,
  record: () => void,
  fail: (p: ClusterProgress, exit: ExitCodeName, error: string) => void,
): Promise<void> {
  const started = deps.now();
  // A plan made at the start names its backup set by when it is applied, as a reviewed plan does.
  const plan = redatePlan(entry.plan, started);
  p.startedAt = started.toISOString();
  p.planSha256 = planSha256(plan);
  p.state = 'backing-up';
  record();
  deps.say(`${entry.name}: started`);
  const applied: Applied = run.lock ? { lock: run.lock } : {};
  const onAction = (op: string) => {
    // The pushes done so far go into the record before eksctl starts: a run killed during the hand-off still shows them.
    if (op === 'handoff' && applied.pushes) p.pushes = applied.pushes.map(pushEvidence);
    const next = op === 'handoff' ? 'upgrading' : op === 'confirm' ? 'confirming' : undefined;
    if (next && p.state !== next) {
      p.state = next;
      record();
    }
  };
  try {
    await executePlan(plan, { ...deps, onAction }, applied, deps.list);
    p.state = 'confirmed';
    deps.say(`${entry.name}: confirmed Ready at Kubernetes ${plan.cluster.kubernetesVersion}`);
  } catch (error) {
    const exit: ExitCodeName = isSafeUpgradeError(error) ? error.exit : 'Internal';
    fail(p, exit, (error as Error).message);
    deps.say(`${entry.name}: failed (${exit}): ${(error as Error).message}`);
    const hint = await deps.restoreHint(exit, applied);
    if (hint) {
      p.restore = hint;
      deps.say(hint.split('\n').map((l) => `${entry.name}: ${l}`).join('\n'));
    }
  } finally {
    if (applied.backup) p.backup = applied.backup.dir;
    if (applied.pushes) {
      p.pushes = applied.pushes.map(pushEvidence);
      // --push-optional: a failed copy is a warning the operator sees under the cluster's name, and the record keeps.
      for (const f of p.pushes.filter((x) => !x.ok)) deps.say(`${entry.name}: Warning: the off-site copy to ${printable(f.url)} failed (--push-optional): ${printable(f.error ?? '')}`);
    }
    finish(p, started, deps.now());
    record();
  }
}

/** The recheck at the end of a soak: each named cluster's EKS-A Cluster Ready at its generation. */
async function soakRecheck(deps: FleetDeps, names: readonly string[]): Promise<[string, string][]> {
  const clusters = await deps.kubectl.listAll([EKSA_CLUSTERS], 'recheck the clusters upgraded so far after the soak');
  const out: [string, string][] = [];
  for (const name of names) {
    const c = clusters.find((x) => x.metadata.name === name);
    const reason = notReadyReason(c);
    if (reason !== undefined) out.push([name, reason]);
  }
  return out;
}

function notReadyReason(c: KubeObject | undefined): string | undefined {
  if (!c) return 'its EKS-A Cluster is gone';
  const observed = c.status?.observedGeneration;
  if (typeof observed === 'number' && c.metadata.generation !== undefined && observed < c.metadata.generation) return `generation ${c.metadata.generation} not yet observed (${observed})`;
  const ready = (c.status?.conditions as { type?: string; status?: string; reason?: string; message?: string }[] | undefined)?.find((x) => x.type === 'Ready');
  if (ready?.status !== 'True') return `Ready ${ready?.status ?? 'missing'}${ready?.reason ? ` (${ready.reason})` : ''}`;
  return undefined;
}
