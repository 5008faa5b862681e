import type { ListrTask } from 'listr2';
import { executePlan, type Applied } from '../apply/execute-plan.js';
import { releaseRunLock } from '../apply/lock.js';
import { NotConfirmedError, type ConfirmResult } from '../confirm/index.js';
import { need, type RunContext } from '../context.js';
import { isSafeUpgradeError } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { refuseOwnFlagsAfterDashDash } from '../handoff/own-flags.js';
import { buildUpgradeClusterCommand, buildUpgradeManagementComponentsCommand } from '../handoff/upgrade-command.js';
import { formatCommand, type Command } from '../command.js';
import { createRunner } from '../runner/create-runner.js';
import { StepTimer } from '../report/step-timer.js';
import { trapInterrupts } from '../signals.js';
import { bundlesOverrideStep, imageCheckStep, type AirgapOptions } from '../steps/airgap.js';
import { checkOutputPathsStep } from '../steps/check-paths.js';
import { diskSpaceStep } from '../steps/disk-space.js';
import { gitOpsStep } from '../steps/gitops.js';
import { findClusterctlStep } from '../steps/find-clusterctl.js';
import { findFreshBackupStep } from '../steps/find-fresh-backup.js';
import { gateSteps } from '../steps/gate.js';
import { planStep } from '../steps/plan.js';
import { readLockStep } from '../steps/read-lock.js';
import { runTaskList } from '../steps/task-list.js';
import { NothingToUpgrade, upgradePlanStep } from '../steps/upgrade-plan.js';
import { backupFlags, toolVersion, withCleanupHint, type BackupOptions } from './backup.js';
import { writeEvidence, type RunOutcome } from './cluster-evidence.js';
import type { CommandIo } from './io.js';
import { loadReviewedPlan, reviewedPlanSteps, showPlan, type ReviewedPlan } from './plan-io.js';
import { restoreHint } from './restore-hint.js';
import { printSpecWarnings } from './spec-warnings.js';

export interface ClusterOptions extends BackupOptions {
  readonly command: 'cluster' | 'management-components';
  /** eksctl's own flags as parsed (only the ones of its table are handed on). */
  readonly passThrough: Readonly<Record<string, unknown>>;
  /** Words after `--`, handed on unchanged. */
  readonly extraArgs: readonly string[];
  readonly leaseSeconds: number;
  readonly forceUnlock: boolean;
  /** undefined: no limit (--no-timeouts). */
  readonly confirmTimeoutMs: number | undefined;
  readonly confirmIntervalMs: number;
  readonly report: string | undefined;
  readonly maxBackupAgeMs: number | undefined;
  /** Our command line as given, for the evidence record (secrets are redacted there). */
  readonly givenArgs: readonly string[];
  /** `--skip-image-check --reason TEXT`. */
  readonly skipImageCheckReason: string | undefined;
}

/** The options that shape the plan: a reviewed plan applied with other values is stale. */
export function planFlags(options: ClusterOptions): Record<string, unknown> {
  return {
    ...backupFlags(options),
    command: options.command,
    passThrough: options.passThrough,
    extraArgs: options.extraArgs,
    forceUnlock: options.forceUnlock,
    confirmTimeoutMs: options.confirmTimeoutMs ?? null,
    confirmIntervalMs: options.confirmIntervalMs,
    maxBackupAgeMs: options.maxBackupAgeMs ?? null,
    skipImageCheckReason: options.skipImageCheckReason ?? null,
  };
}

/**
 * The read-only gate and the plan: everything that can stop the run before its first write stops it
 * here, the same in the dry run and the real run.
 */
export function planningSteps(options: ClusterOptions, io: CommandIo): ListrTask<RunContext>[] {
  const bundlesOverride = options.passThrough['bundles-override'];
  const airgap: AirgapOptions = {
    bundlesOverride: typeof bundlesOverride === 'string' ? bundlesOverride : undefined,
    releaseManifest: options.releaseManifest,
    eksaVersion: options.eksaVersion,
    skipImageCheckReason: options.skipImageCheckReason,
  };
  // Read by a gate about to stop too: a stop while another run at work holds the lock is the lock's (exit 6).
  const lockRead = { leaseSeconds: options.leaseSeconds, forceUnlock: options.forceUnlock };
  return [
    checkOutputPathsStep([{ flag: '--report', file: options.report }, { flag: '--plan-out', file: options.planOut }]),
    ...gateSteps({ enforceSkew: true, enforceScope: true, afterSpec: [buildHandoffStep(options, io), bundlesOverrideStep(airgap)], lock: lockRead }),
    findClusterctlStep(options),
    imageCheckStep(airgap),
    gitOpsStep(),
    ...(options.command === 'cluster' ? [upgradePlanStep({ bundlesOverride: typeof bundlesOverride === 'string' ? bundlesOverride : undefined })] : []),
    readLockStep(lockRead),
    ...(options.maxBackupAgeMs !== undefined ? [findFreshBackupStep({ maxAgeMs: options.maxBackupAgeMs, requireEtcdSnapshots: options.etcd.skipReason === undefined })] : []),
    planStep({ ...options, command: options.command, toolVersion: toolVersion(), flags: planFlags(options) }),
    // The plan names the set's folder and the etcd members: the room it needs is checked before the lock.
    diskSpaceStep(),
  ];
}

/**
 * The eksctl command, built once as data right after the spec is read: our own flag after `--`, a
 * pass-through flag or a spec eksctl would refuse stops the run before any API read or write.
 */
function buildHandoffStep(options: ClusterOptions, io: CommandIo): ListrTask<RunContext> {
  return {
    title: 'Build the eksctl command',
    task: (ctx) => {
      refuseOwnFlagsAfterDashDash(options.extraArgs);
      ctx.handoff = handoffCommand(options, ctx, io);
    },
  };
}

/** The eksctl command of this run, from the spec and the flags. */
function handoffCommand(options: ClusterOptions, ctx: RunContext, io: CommandIo): Command {
  const spec = need(ctx, 'spec');
  if (options.command === 'management-components') {
    return buildUpgradeManagementComponentsCommand({
      specFile: spec.file,
      clusterName: spec.name,
      isWorkload: !spec.isManagement,
      kubeconfig: options.kubeconfig,
      cwd: io.cwd,
      passThrough: options.passThrough,
      extraArgs: options.extraArgs,
    });
  }
  return buildUpgradeClusterCommand({
    specFile: spec.file,
    kubeconfig: options.kubeconfig,
    passThrough: options.passThrough,
    extraArgs: options.extraArgs,
    isWorkload: !spec.isManagement,
    managementKubeconfig: need(ctx, 'layout').kubeconfig,
  });
}

/**
 * `cluster` / `management-components`: the gate and the plan; then the dry run renders the plan, or the
 * one executor applies it (lock, backup, recheck, hand-off to eksctl, confirmation); then the report.
 * With `--plan FILE`, a reviewed plan is applied unchanged, or refused when the tree changed.
 */
export async function upgradeCluster(options: ClusterOptions, io: CommandIo): Promise<ExitCodeName> {
  const startedAt = new Date();
  const runner = createRunner(options, io);
  const timer = new StepTimer();
  const abort = new AbortController();
  const ctx: RunContext = { options, runner, env: io.env, cwd: io.cwd, timer, signal: abort.signal };
  const untrap = trapInterrupts(runner, () => abort.abort());
  const list = { silent: options.output === 'json', env: io.env, isTTY: io.isTTY };
  const applied: Applied = {};
  let reviewed: ReviewedPlan | undefined;
  let confirm: ConfirmResult | undefined;
  let outcome: RunOutcome = { exit: 'Success' };
  try {
    try {
      if (options.planFile !== undefined) {
        reviewed = await loadReviewedPlan(options.planFile, options.command, io);
        await runTaskList(reviewedPlanSteps(reviewed, planFlags(options), [checkOutputPathsStep([{ flag: '--report', file: options.report }])], { leaseSeconds: options.leaseSeconds, forceUnlock: options.forceUnlock }), ctx, list);
        ctx.plan = reviewed.plan;
      } else {
        await runTaskList(planningSteps(options, io), ctx, list);
      }
    } finally {
      // Before the hand-off, so they are read before eksctl's own output.
      printSpecWarnings(ctx.spec, io);
    }
    runner.throwIfInterrupted();
    const plan = need(ctx, 'plan');
    if (options.dryRun) {
      await showPlan(plan, { runner, io, output: options.output, planOut: options.planOut });
      timer.skip('Hand off to eksctl', 'dry run: printed, not run');
      timer.skip('Confirm from the cluster', 'dry run');
    } else {
      await executePlan(plan, { runner, kubectl: need(ctx, 'kubectl'), env: io.env, toolVersion: toolVersion(), warn: () => undefined, signal: abort.signal, now: () => new Date(), timer }, applied, list);
      confirm = applied.confirm;
    }
  } catch (error) {
    if (error instanceof NotConfirmedError) confirm = error.result;
    // Stopped before the hand-off: say what was put back (after it, restoreHint below says where things stand).
    if (!applied.handoff) error = await withCleanupHint(error, ctx, applied);
    outcome = error instanceof NothingToUpgrade ? { exit: 'Success', nothingToUpgrade: error.message } : { exit: isSafeUpgradeError(error) ? error.exit : 'Internal', error };
  } finally {
    untrap();
    // The lock it holds, or a lease a write of its lost answer created (applied.lock never set).
    await releaseRunLock(applied);
  }

  const restore = await restoreHint(outcome.exit, applied);
  if (restore) io.stderr(restore);
  await writeEvidence({ options, io, ctx, startedAt, applied, reviewed, confirm, outcome });
  if (outcome.error !== undefined) throw outcome.error;
  if (options.output !== 'json') io.stdout(finalLine(options, ctx, applied, outcome));
  return outcome.exit;
}

function finalLine(options: ClusterOptions, ctx: RunContext, applied: Applied, outcome: RunOutcome): string {
  if (outcome.nothingToUpgrade !== undefined) return outcome.nothingToUpgrade;
  const plan = need(ctx, 'plan');
  const handoff = plan.actions.find((a) => a.op === 'handoff');
  if (options.dryRun) return `Dry run complete: nothing was changed. The upgrade would run:\n  ${handoff ? formatCommand(handoff.command.argv) : '(no hand-off)'}`;
  const leftOut = plan.scope.kind === 'management-only' ? `. ${plan.scope.leftOut.map((l) => `${l.cluster} was not backed up: ${l.reasons.map((r) => r.code).join(', ')}`).join('; ')}` : '';
  return `Upgrade confirmed: ${plan.cluster.name} is Ready at Kubernetes ${plan.cluster.kubernetesVersion}. Backup kept: ${applied.backup?.dir}${leftOut}`;
}
