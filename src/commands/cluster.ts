import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { NotConfirmedError, confirmUpgrade, interrupted, type ConfirmResult } from '../confirm/index.js';
import { need, type RunContext } from '../context.js';
import { EnvironmentError, SafeUpgradeError, isSafeUpgradeError } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { runHandoff, type HandoffResult } from '../handoff/run-handoff.js';
import { buildUpgradeClusterCommand, buildUpgradeManagementComponentsCommand } from '../handoff/upgrade-command.js';
import { EKSA_CLUSTERS } from '../kube/kinds.js';
import type { KubeObject } from '../kube/types.js';
import { backupTimestamp } from '../backup/naming.js';
import { formatCommand, type Command } from '../runner/command.js';
import { createRunner } from '../runner/create-runner.js';
import { StepTimer } from '../report/step-timer.js';
import { trapInterrupts } from '../signals.js';
import { backupCapiStep } from '../steps/backup-capi.js';
import { findClusterctlStep } from '../steps/find-clusterctl.js';
import { gateSteps } from '../steps/gate.js';
import { recheckReadinessStep } from '../steps/recheck-readiness.js';
import { takeLockStep } from '../steps/take-lock.js';
import { runTaskList } from '../steps/task-list.js';
import { upgradePlanStep } from '../steps/upgrade-plan.js';
import { toolVersion, type BackupOptions } from './backup.js';
import { writeEvidence, type RunOutcome } from './cluster-evidence.js';
import type { CommandIo } from './io.js';

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
}

/** The flow as one task list: the gate, the lock, the backups, the check under the lock. */
function upgradeSteps(options: ClusterOptions, io: CommandIo): ListrTask<RunContext>[] {
  const version = toolVersion();
  const bundlesOverride = options.passThrough['bundles-override'];
  return [
    ...gateSteps({ enforceSkew: true }),
    buildHandoffStep(options, io),
    ...(options.command === 'cluster' ? [upgradePlanStep({ bundlesOverride: typeof bundlesOverride === 'string' ? bundlesOverride : undefined })] : []),
    takeLockStep({ leaseSeconds: options.leaseSeconds, forceUnlock: options.forceUnlock, toolVersion: version }),
    findClusterctlStep(options),
    backupCapiStep({ etcd: options.etcd, maxBackupAgeMs: options.maxBackupAgeMs, cleanFailed: options.cleanFailed, toolVersion: version, now: () => new Date() }),
    recheckReadinessStep(),
  ];
}

/**
 * The eksctl command, built once as data right after the read-only gate: a pass-through flag or a spec
 * eksctl would refuse stops the run before the lock, the backup or any other write.
 */
function buildHandoffStep(options: ClusterOptions, io: CommandIo): ListrTask<RunContext> {
  return {
    title: 'Build the eksctl command',
    task: (ctx) => {
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

/** `cluster` / `management-components`: gate, lock, back up, verify, hand off to eksctl, confirm, report. */
export async function upgradeCluster(options: ClusterOptions, io: CommandIo): Promise<ExitCodeName> {
  const startedAt = new Date();
  const runner = createRunner(options, io);
  const ctx: RunContext = { options, runner, env: io.env, cwd: io.cwd, timer: new StepTimer() };
  // Ctrl-C also ends the confirmation wait, which no child process is there to carry.
  const abort = new AbortController();
  const untrap = trapInterrupts(runner, () => abort.abort());
  let handoff: HandoffResult | undefined;
  let handoffArgv: readonly string[] | undefined;
  let confirm: ConfirmResult | undefined;
  let outcome: RunOutcome = { exit: 'Success' };
  try {
    await runTaskList(upgradeSteps(options, io), ctx, { silent: options.output === 'json', env: io.env, isTTY: io.isTTY });
    runner.throwIfInterrupted();
    const command = need(ctx, 'handoff');
    await leaveTheBackupSecond(ctx);
    // The lease may have been taken or deleted during the backup: eksctl starts only while it is still ours.
    await need(ctx, 'lock').confirmHeld();
    handoffArgv = command.argv;
    const timer = need(ctx, 'timer');
    if (options.dryRun) {
      handoff = await runHandoff(command, { runner });
      timer.skip('Hand off to eksctl', 'dry run: printed, not run');
      timer.skip('Confirm from the cluster', 'dry run');
    } else {
      const step = timer.start('Hand off to eksctl');
      handoff = await runHandoff(command, { runner });
      step.end(handoff.exitCode === 0 && !handoff.interrupted ? 'ok' : 'failed', handoff.exitCode === 0 ? undefined : `eksctl exited ${handoff.exitCode}`);
      if (handoff.interrupted || runner.interruptedBy) {
        throw new SafeUpgradeError('Interrupted', `interrupted during the upgrade; eksctl exited ${handoff.exitCode}`, {
          hint: `check the cluster before anything else; the backup is ${ctx.backup?.dir ?? 'not complete'}`,
        });
      }
      if (handoff.exitCode !== 0) {
        throw new SafeUpgradeError('UpgradeFailed', `eksctl anywhere upgrade failed with exit code ${handoff.exitCode}`, {
          hint: `restore from ${ctx.backup?.dir}: eksa-safe-upgrade restore-plan ${ctx.backup?.dir}`,
        });
      }
      confirm = await timer.time('Confirm from the cluster', () => confirmAfterHandoff(options, ctx, abort.signal));
    }
  } catch (error) {
    if (error instanceof NotConfirmedError) confirm = error.result;
    outcome = { exit: isSafeUpgradeError(error) ? error.exit : 'Internal', error };
  } finally {
    untrap();
    await ctx.lock?.release();
  }

  if (outcome.exit === 'UpgradeFailed' || outcome.exit === 'NotConfirmed' || (outcome.exit === 'Interrupted' && handoff)) {
    io.stderr(await restoreRunbookText(ctx.backup?.dir));
  }
  await writeEvidence({ options, io, ctx, startedAt, handoff, handoffArgv, confirm, outcome });
  if (outcome.error !== undefined) throw outcome.error;
  if (!options.dryRun && options.output !== 'json') io.stdout(`Upgrade confirmed: ${need(ctx, 'spec').name} is Ready at Kubernetes ${need(ctx, 'spec').kubernetesVersion}. Backup kept: ${ctx.backup?.dir}`);
  if (options.dryRun && options.output !== 'json' && handoffArgv) io.stdout(`Dry run complete: nothing was changed. The upgrade would run:\n  ${formatCommand(handoffArgv)}`);
  return outcome.exit;
}

/**
 * Since EKS-A v0.18 the controller keeps upgrading after the CLI exits: the run is judged from the
 * cluster's own status, at a generation no older than the one eksctl just applied.
 */
async function confirmAfterHandoff(options: ClusterOptions, ctx: RunContext, signal: AbortSignal): Promise<ConfirmResult> {
  const spec = need(ctx, 'spec');
  const kubectl = need(ctx, 'kubectl');
  const started = Date.now();
  // The API may be restarting under the rollout: a failed read is retried like a poll, within the same time limit.
  let now: KubeObject | undefined;
  for (;;) {
    try {
      now = (await kubectl.listAll([EKSA_CLUSTERS], 'read the generation eksctl applied')).find(
        (c) => c.metadata.name === spec.name && (c.metadata.namespace ?? 'default') === spec.namespace,
      );
      break;
    } catch (error) {
      if (!(error instanceof EnvironmentError)) throw error;
      if (options.confirmTimeoutMs !== undefined && Date.now() - started >= options.confirmTimeoutMs) {
        throw new SafeUpgradeError('NotConfirmed', `eksctl finished, but the upgrade could not be confirmed: ${error.message}`, {
          hint: 'watch `kubectl get clusters.anywhere.eks.amazonaws.com -A` until the cluster is Ready at the new version',
        });
      }
      await delay(options.confirmIntervalMs, undefined, { signal }).catch(() => {
        throw interrupted();
      });
    }
  }
  const live = need(ctx, 'inventory').clusters.find((c) => c.name === spec.name);
  const kubernetesVersion = options.command === 'cluster' ? spec.kubernetesVersion : String(live?.eksa.spec?.kubernetesVersion ?? spec.kubernetesVersion);
  const result = await confirmUpgrade({
    kubectl,
    targets: [
      {
        name: spec.name,
        namespace: spec.namespace,
        kubernetesVersion,
        ...(options.command === 'cluster' ? { eksaVersion: spec.eksaVersion ?? need(ctx, 'tools').eksctl } : {}),
        ...(now?.metadata.generation !== undefined ? { generation: now.metadata.generation } : {}),
      },
    ],
    timeoutMs: options.confirmTimeoutMs === undefined ? undefined : Math.max(0, options.confirmTimeoutMs - (Date.now() - started)),
    intervalMs: options.confirmIntervalMs,
    signal,
  });
  return result;
}

/**
 * eksctl names its own pre-upgrade backup `<mgmt>/<cluster>-backup-<second>` exactly as we do, and deletes
 * it when the upgrade succeeds: handing off within the second our set is named after would let eksctl
 * write into our set and then remove it. Wait for the next second first.
 */
async function leaveTheBackupSecond(ctx: RunContext): Promise<void> {
  const plan = ctx.backupPlan;
  if (!plan || ctx.runner.dryRun) return;
  while (backupTimestamp(new Date()) === plan.folderTimestamp) {
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
  }
}

async function restoreRunbookText(dir: string | undefined): Promise<string> {
  if (!dir) return 'No complete backup set was written in this run.';
  const runbook = await readFile(path.join(dir, 'RESTORE.md'), 'utf8').catch(() => undefined);
  return [`Backup of this run: ${dir}`, runbook ?? `Restore steps: eksa-safe-upgrade restore-plan ${dir}`].join('\n');
}

