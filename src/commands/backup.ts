import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { executePlan, type Applied } from '../apply/execute-plan.js';
import { releaseRunLock } from '../apply/lock.js';
import { DEFAULT_LEASE_SECONDS } from '../lock/lease.js';
import { redactUrls } from '../command.js';
import type { GateOptions, RunContext } from '../context.js';
import { need } from '../context.js';
import type { ExitCodeName } from '../exit-codes.js';
import { SafeUpgradeError, isSafeUpgradeError } from '../errors.js';
import { MANIFEST_FILE } from '../backup/manifest.js';
import type { EtcdOptions } from '../plan/plan-upgrade.js';
import type { PushFlags } from '../offsite/open-store.js';
import { renderBackupReport, buildBackupReport } from '../report/backup-report.js';
import { paint } from '../report/paint.js';
import { createRunner } from '../runner/create-runner.js';
import { trapInterrupts } from '../signals.js';
import { checkOutputPathsStep } from '../steps/check-paths.js';
import { findClusterctlStep, type ClusterctlOptions } from '../steps/find-clusterctl.js';
import { gateSteps } from '../steps/gate.js';
import { planStep } from '../steps/plan.js';
import { diskSpaceStep } from '../steps/disk-space.js';
import { readLockStep } from '../steps/read-lock.js';
import { runTaskList } from '../steps/task-list.js';
import type { CommandIo } from './io.js';
import { loadReviewedPlan, reviewedPlanSteps, showPlan, type ReviewedPlan } from './plan-io.js';

export interface BackupOptions extends GateOptions, ClusterctlOptions {
  readonly cleanFailed: boolean;
  readonly etcd: EtcdOptions;
  /** `--plan-out FILE` (with --dry-run): write the plan for review. */
  readonly planOut?: string | undefined;
  /** `--plan FILE`: apply this reviewed plan unchanged, or refuse when the tree changed. */
  readonly planFile?: string | undefined;
  /** `--move-timeout`: the bound on each clusterctl move. */
  readonly moveTimeoutMs?: number | undefined;
  /** `--lock-ttl` in seconds: the term of the upgrade lock, which a backup takes too (default 5 minutes). */
  readonly leaseSeconds?: number;
  /** `--push URL…`: off-site copies after verification, before the hand-off. */
  readonly pushFlags?: PushFlags | undefined;
  /** `--drill`: drill the new set before the hand-off (or the end of the backup). */
  readonly drill?: boolean;
  /** `--etcd-binary DIR`: where the drill's etcd tools are, instead of PATH. */
  readonly etcdBinary?: string | undefined;
}

export function toolVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** The options that shape a backup plan (an upgrade's plan adds its own to these). */
export function backupFlags(options: BackupOptions): Record<string, unknown> {
  return {
    command: 'backup',
    kubeconfig: options.kubeconfig ?? null,
    onUnready: options.onUnready,
    requestTimeout: options.requestTimeout,
    etcd: options.etcd,
    cleanFailed: options.cleanFailed,
    clusterctl: options.clusterctl ?? null,
    cliToolsImage: options.cliToolsImage ?? null,
    // Compared and written in a plan file: the location, not its credentials (userinfo, a presigned signature).
    releaseManifest: options.releaseManifest === undefined ? null : redactUrls(options.releaseManifest),
    eksaVersion: options.eksaVersion ?? null,
    moveTimeoutMs: options.moveTimeoutMs ?? null,
    leaseSeconds: leaseSecondsOf(options),
    // Where the set is copied and to whom it is encrypted shape the plan; absent without --push.
    ...(options.pushFlags ? { push: options.pushFlags } : {}),
    drill: options.drill ?? false,
    etcdBinary: options.etcdBinary ?? null,
  };
}

function leaseSecondsOf(options: BackupOptions): number {
  return options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
}

/** The gate and the plan of a backup. Skew is the upgrade's concern, not a routine backup's. */
function backupPlanningSteps(options: BackupOptions): ListrTask<RunContext>[] {
  const lock = { leaseSeconds: leaseSecondsOf(options), forceUnlock: false };
  return [
    checkOutputPathsStep([{ flag: '--plan-out', file: options.planOut }]),
    // The same lock as an upgrade: another backup or upgrade running stops this one before any write, the gate's
    // stop included (its paused clusters are said to be its own, not somebody's to find).
    ...gateSteps({ skew: false, enforceScope: true, lock }),
    findClusterctlStep(options),
    readLockStep(lock),
    planStep({ ...options, command: 'backup', toolVersion: toolVersion(), flags: backupFlags(options), leaseSeconds: leaseSecondsOf(options), confirmTimeoutMs: undefined, confirmIntervalMs: 0 }),
    diskSpaceStep(),
  ];
}

/** After Ctrl-C: what the backup had done and what was put back, from the plan and what is on disk. */
export async function cleanedUp(ctx: Pick<RunContext, 'plan'>, applied: Pick<Applied, 'backupStarted'>): Promise<string> {
  const action = ctx.plan?.actions.find((a) => a.op === 'backup');
  if (!applied.backupStarted || action === undefined || action.op !== 'backup') return 'nothing had been written: no backup set, nothing paused';
  const failed = action.set.failedDir;
  const manifest = await readFile(path.join(failed, MANIFEST_FILE), 'utf8').then((t) => JSON.parse(t) as { pauseRestore?: unknown[] }, () => undefined);
  const restored = manifest?.pauseRestore?.length ?? 0;
  const pause = `pause state put back as recorded before clusterctl${restored > 0 ? ` (${restored} switch(es) restored)` : ''}`;
  if (manifest !== undefined) return `${pause}; the partial set was kept as ${failed}, marked failed (its manifest.json says why)`;
  if (action.cleanFailed) return `${pause}; the partial set was removed (--clean-failed)`;
  return `${pause}; no set was left behind`;
}

/** An interruption, its hint replaced by what was cleaned up (the runner's own knows nothing of it); other errors unchanged. */
export async function withCleanupHint(error: unknown, ctx: Pick<RunContext, 'plan'>, applied: Pick<Applied, 'backupStarted'>): Promise<unknown> {
  if (!isSafeUpgradeError(error) || error.exit !== 'Interrupted') return error;
  return new SafeUpgradeError('Interrupted', error.message, { hint: await cleanedUp(ctx, applied), cause: error });
}

/** `backup`: a routine backup of the management tree (or the one workload cluster), verified and atomic. */
export async function backup(options: BackupOptions, io: CommandIo): Promise<ExitCodeName> {
  const runner = createRunner(options, io);
  const list = { silent: options.output === 'json', env: io.env, isTTY: io.isTTY };
  const applied: Applied = {};
  let reviewed: ReviewedPlan | undefined;
  // Ctrl-C stops the child in flight and lets the backup put pause state back and mark the set failed.
  const abort = new AbortController();
  const ctx: RunContext = { options, runner, env: io.env, cwd: io.cwd, signal: abort.signal };
  const untrap = trapInterrupts(runner, () => abort.abort());
  try {
    if (options.planFile !== undefined) {
      reviewed = await loadReviewedPlan(options.planFile, 'backup', io);
      await runTaskList(reviewedPlanSteps(reviewed, backupFlags(options), [], { leaseSeconds: leaseSecondsOf(options), forceUnlock: false }), ctx, list);
    } else {
      await runTaskList(backupPlanningSteps(options), ctx, list);
    }
    runner.throwIfInterrupted();
    const plan = need(ctx, 'plan');
    if (options.dryRun) await showPlan(plan, { runner, io, output: options.output, planOut: options.planOut });
    else await executePlan(plan, { runner, kubectl: need(ctx, 'kubectl'), env: io.env, toolVersion: toolVersion(), warn: () => undefined, signal: abort.signal, now: () => new Date() }, applied, list);
  } catch (error) {
    throw await withCleanupHint(error, ctx, applied);
  } finally {
    untrap();
    // The lock it holds, or a lease a write of its lost answer created (applied.lock never set).
    await releaseRunLock(applied);
  }
  const plan = need(ctx, 'plan');
  const action = plan.actions.find((a) => a.op === 'backup');
  if (!action || action.op !== 'backup') throw new Error('internal: a backup plan without its backup');
  const verdicts = ctx.verdicts ?? [];
  const pushes = applied.pushes?.map((p) => (p.ok ? { url: p.url, ok: true, reference: p.reference, encrypted: p.encrypted, recipients: [...p.recipients] } : { url: p.url, ok: false, encrypted: p.encrypted, recipients: [...p.recipients], error: p.error }));
  const report = buildBackupReport({ dryRun: options.dryRun, plan: action, result: applied.backup, verdicts, pushes });
  io.stdout(options.output === 'json' ? JSON.stringify(report, null, 2) : renderBackupReport(report, paint(io.env)));
  return 'Success';
}
