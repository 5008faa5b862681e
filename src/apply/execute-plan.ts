import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { MANIFEST_FILE, parseManifest, type BackupManifest } from '../backup/manifest.js';
import { describePoll, formatDuration, type ConfirmResult } from '../confirm/index.js';
import { SafeUpgradeError } from '../errors.js';
import type { HandoffResult } from '../handoff/run-handoff.js';
import type { ForceUnlockRecord, LockAttempt, UpgradeLock } from '../lock/index.js';
import type { PlanAction, UpgradePlan } from '../plan/types.js';
import type { StepTimer } from '../report/step-timer.js';
import type { Runner } from '../runner/runner.js';
import { plainProgress, runTaskList, type TaskListOptions } from '../steps/task-list.js';
import { applyBackup } from './backup.js';
import { applyConfirm } from './confirm.js';
import type { ExecuteDeps } from './deps.js';
import { applyHandoff } from './handoff.js';
import { applyForceUnlock, startAcquireLock } from './lock.js';
import { applyPush, type PushOutcome } from './push.js';
import { applyRecheck } from './recheck.js';

/** What applying the plan did, as far as it got: the evidence record and the final lines are made from it. */
export interface Applied {
  forcedUnlock?: ForceUnlockRecord;
  lock?: UpgradeLock;
  /** Set when the lock was first asked for: removes a lease a lost write created when `lock` never came. */
  lockAttempt?: LockAttempt;
  backup?: { readonly dir: string; readonly manifest: BackupManifest; readonly reused: boolean };
  /** The backup action was started: a set that is not complete stays as `.failed` (or was removed). */
  backupStarted?: boolean;
  handoff?: HandoffResult;
  confirm?: ConfirmResult;
  /** `--push`: each copy off-site, in plan order (failed ones only with --push-optional). */
  pushes?: PushOutcome[];
  /** The last poll of the confirmation, also when it was interrupted or timed out. */
  lastPoll?: ConfirmResult;
}

interface ExecutionContext {
  readonly runner: Runner;
  readonly timer?: StepTimer | undefined;
}

const TITLES: Record<PlanAction['op'], string> = {
  'force-unlock': 'Force-unlock the upgrade lock',
  'acquire-lock': 'Take the upgrade lock',
  backup: 'Back up the Cluster API objects and etcd',
  'reuse-backup': 'Back up',
  push: 'Copy the set off-site',
  recheck: 'Check readiness again under the lock',
  'renew-lock': 'Renew the upgrade lock',
  handoff: 'Hand off to eksctl',
  confirm: 'Confirm from the cluster',
};

/**
 * The one executor: walks the plan's actions in order, each by its own module, and records what each
 * did in `applied`. The actions before the hand-off run as one task list; eksctl then takes the
 * terminal, and the confirmation follows. The caller releases the lock (releaseRunLock), whatever happened.
 */
export async function executePlan(plan: UpgradePlan, deps: ExecuteDeps & { readonly timer?: StepTimer | undefined }, applied: Applied, list: TaskListOptions): Promise<void> {
  const split = plan.actions.findIndex((a) => a.op === 'handoff');
  const before = split < 0 ? plan.actions : plan.actions.slice(0, split);
  const after = split < 0 ? [] : plan.actions.slice(split);
  const ctx: ExecutionContext = { runner: deps.runner, timer: deps.timer };
  await runTaskList(before.map((action) => task(action, plan, deps, applied)), ctx, list);
  deps.runner.throwIfInterrupted();
  for (const action of after) {
    deps.onAction?.(action.op);
    if (action.op === 'handoff') await handOff(action, deps, applied);
    else await runTaskList([confirmTask(action, deps, applied, list)], ctx, list);
  }
}

/**
 * The wait after eksctl, visible: in a terminal the task shows each poll's state and the time waited; in CI
 * or piped, a line per change of state (with the time waited when it changed).
 */
function confirmTask(action: PlanAction, deps: ExecuteDeps, applied: Applied, list: TaskListOptions): ListrTask<ExecutionContext> {
  return {
    title: TITLES.confirm,
    task: async (_ctx, t) => {
      if (action.op !== 'confirm') throw new Error(`internal: ${action.op} after the hand-off`);
      const plain = plainProgress(list);
      let last: string | undefined;
      applied.confirm = await applyConfirm(action, deps, (result) => {
        applied.lastPoll = result;
        const state = describePoll(result);
        if (!plain || state !== last) t.output = `${state} (waited ${formatDuration(result.durationMs)}, poll ${result.polls})`;
        last = state;
      });
      t.title = `${TITLES.confirm}: ${action.cluster} Ready at Kubernetes ${action.kubernetesVersion} (${formatDuration(applied.confirm.durationMs)})`;
    },
  };
}

function task(action: PlanAction, plan: UpgradePlan, deps: ExecuteDeps, applied: Applied): ListrTask<ExecutionContext> {
  return {
    title: TITLES[action.op],
    task: async (_ctx, t) => {
      deps.onAction?.(action.op);
      const warn = (line: string) => {
        t.output = line;
        deps.warn(line);
      };
      const d: ExecuteDeps = { ...deps, warn };
      switch (action.op) {
        case 'force-unlock':
          applied.forcedUnlock = await applyForceUnlock(action, d);
          t.title = `Force-unlock: ${applied.forcedUnlock.deleted ? `deleted the lock of ${action.previousHolder || 'nobody'}` : 'nothing to delete'}`;
          return;
        case 'acquire-lock':
          applied.lockAttempt = startAcquireLock(action, d);
          applied.lock = await applied.lockAttempt.acquire();
          t.title = `Take the upgrade lock: ${applied.lock.audit}`;
          return;
        case 'backup': {
          applied.backupStarted = true;
          const result = await applyBackup(action, {
            runner: d.runner,
            kubectl: d.kubectl,
            now: d.now(),
            warn,
            onProgress: (cluster, _member, bytes) => (t.output = `etcd ${cluster}: ${(bytes / 1048576).toFixed(1)} MiB received`),
            onDrill: (cluster, ok) => (t.output = `drill ${cluster}: ${ok ? 'passed' : 'FAILED'}`),
          });
          applied.backup = { ...result, reused: false };
          const drill = result.manifest.drill;
          t.title = `Back up: ${result.dir} (${result.manifest.files.length} files, ${result.manifest.etcd.length} etcd snapshot(s), verified${drill ? `, drill ${drill.ok ? 'passed' : 'FAILED'}` : ''})`;
          // The set is complete and kept; nothing after it runs (no hand-off) on a set that does not restore.
          if (drill && !drill.ok) {
            throw new SafeUpgradeError('VerifyFailed', `the drill of the new backup set failed: ${drill.problems.slice(0, 3).join('; ')}${drill.problems.length > 3 ? `; and ${drill.problems.length - 3} more` : ''}`, {
              hint: `nothing was upgraded; the set is kept (${result.dir}, its .drill.json says why): find the cause, then rerun (eksa-safe-upgrade drill ${result.dir} drills it again)`,
            });
          }
          return;
        }
        case 'reuse-backup': {
          const manifest = parseManifest(await readFile(path.join(action.dir, MANIFEST_FILE), 'utf8'));
          applied.backup = { dir: action.dir, manifest, reused: true };
          t.title = `Back up: reusing ${action.dir} (complete and verified)`;
          return;
        }
        case 'push': {
          const outcome = await applyPush(action, d, process.cwd());
          (applied.pushes ??= []).push(outcome);
          t.title = outcome.ok
            ? `Copy the set off-site: ${outcome.url} (${outcome.reference}, ${outcome.encrypted ? 'encrypted' : 'PLAINTEXT'})`
            : `Copy the set off-site: ${action.url} FAILED (--push-optional, going on)`;
          return;
        }
        case 'recheck':
          t.title = `Check readiness again under the lock: ${await applyRecheck(action, plan, d)}`;
          return;
        case 'renew-lock':
          // The lease may have been taken or deleted during the backup: eksctl starts only while it is still ours.
          if (!applied.lock) throw new Error('internal: renew before the lock was taken');
          await applied.lock.confirmHeld();
          t.title = 'Renew the upgrade lock: still ours';
          return;
        default:
          throw new Error(`internal: ${action.op} runs after the task list`);
      }
    },
  };
}

async function handOff(action: Extract<PlanAction, { op: 'handoff' }>, deps: ExecuteDeps & { readonly timer?: StepTimer | undefined }, applied: Applied): Promise<void> {
  const step = deps.timer?.start(TITLES.handoff);
  const fresh = applied.backup && !applied.backup.reused ? applied.backup.manifest.folderTimestamp : undefined;
  const handoff = await applyHandoff(action, deps, fresh);
  applied.handoff = handoff;
  step?.end(handoff.exitCode === 0 && !handoff.interrupted ? 'ok' : 'failed', handoff.exitCode === 0 ? undefined : `eksctl exited ${handoff.exitCode}`);
  if (handoff.interrupted || deps.runner.interruptedBy) {
    const shielded = handoff.shieldedSignals?.length ? ` (${handoff.shieldedSignals.join(', ')} was not passed on: eksctl ran to its end)` : '';
    throw new SafeUpgradeError('Interrupted', `interrupted during the upgrade; eksctl exited ${handoff.exitCode}${shielded}`, {
      hint: `check the cluster before anything else; the backup is ${applied.backup?.dir ?? 'not complete'}`,
    });
  }
  if (handoff.exitCode !== 0) {
    throw new SafeUpgradeError('UpgradeFailed', `eksctl anywhere upgrade failed with exit code ${handoff.exitCode}`, {
      hint: `restore from ${applied.backup?.dir}: eksa-safe-upgrade restore-plan ${applied.backup?.dir}`,
    });
  }
}

