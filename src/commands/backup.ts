import { createRequire } from 'node:module';
import type { ListrTask } from 'listr2';
import type { GateOptions, RunContext } from '../context.js';
import { need } from '../context.js';
import type { ExitCodeName } from '../exit-codes.js';
import { renderBackupReport, buildBackupReport } from '../report/backup-report.js';
import { paint } from '../report/paint.js';
import { createRunner } from '../runner/create-runner.js';
import { trapInterrupts } from '../signals.js';
import { backupCapiStep, type EtcdStepOptions } from '../steps/backup-capi.js';
import { findClusterctlStep, type ClusterctlOptions } from '../steps/find-clusterctl.js';
import { loadSpecStep } from '../steps/load-spec.js';
import { readTreeStep } from '../steps/read-tree.js';
import { readinessStep } from '../steps/readiness.js';
import { scopeStep } from '../steps/scope.js';
import { runTaskList } from '../steps/task-list.js';
import type { CommandIo } from './io.js';

export interface BackupOptions extends GateOptions, ClusterctlOptions {
  readonly cleanFailed: boolean;
  readonly etcd: EtcdStepOptions;
}

export function toolVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}

/** The steps of a backup; the upgrade flow reuses them. Skew is the upgrade's concern, not a routine backup's. */
export function backupSteps(options: BackupOptions, now: () => Date): ListrTask<RunContext>[] {
  return [
    loadSpecStep(),
    readTreeStep(),
    readinessStep(),
    scopeStep(),
    findClusterctlStep(options),
    backupCapiStep({ etcd: options.etcd, cleanFailed: options.cleanFailed, toolVersion: toolVersion(), now }),
  ];
}

/** `backup`: a routine backup of the management tree (or the one workload cluster), verified and atomic. */
export async function backup(options: BackupOptions, io: CommandIo): Promise<ExitCodeName> {
  const runner = createRunner(options, io);
  const ctx: RunContext = { options, runner, env: io.env, cwd: io.cwd };
  // Ctrl-C stops the child in flight and lets the backup put pause state back and mark the set failed.
  const untrap = trapInterrupts(runner);
  try {
    await runTaskList(backupSteps(options, () => new Date()), ctx, { silent: options.output === 'json', env: io.env, isTTY: io.isTTY });
    runner.throwIfInterrupted();
  } finally {
    untrap();
  }
  const report = buildBackupReport({ dryRun: options.dryRun, plan: need(ctx, 'backupPlan'), result: ctx.backup, verdicts: need(ctx, 'verdicts') });
  io.stdout(options.output === 'json' ? JSON.stringify(report, null, 2) : renderBackupReport(report, paint(io.env)));
  return 'Success';
}
