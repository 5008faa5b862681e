import type { ListrTask } from 'listr2';
import { applyBackup } from '../backup/apply.js';
import { planBackup, type BackupScope } from '../backup/plan.js';
import { need, type RunContext } from '../context.js';
import { SafeUpgradeError } from '../errors.js';

export interface BackupStepOptions {
  readonly cleanFailed: boolean;
  readonly toolVersion: string;
  readonly now: () => Date;
}

/** The scope decision turned into a stop, when it is one: nothing is written for a tree that may not be backed up. */
export function requireBackupScope(ctx: RunContext): BackupScope {
  const scope = need(ctx, 'scope');
  if (scope.kind === 'stop') throw new SafeUpgradeError('NotReady', `not backing up: ${scope.summary}`, { hint: scope.hint });
  return scope;
}

/** capi: clusterctl move --to-directory into `<mgmt>/<cluster>-backup-<ts>`, verified, pause state restored. */
export function backupCapiStep(options: BackupStepOptions): ListrTask<RunContext> {
  return {
    title: 'Back up the Cluster API objects',
    task: async (ctx, task) => {
      const scope = requireBackupScope(ctx);
      const layout = need(ctx, 'layout');
      const now = options.now();
      const plan = planBackup({
        spec: need(ctx, 'spec'),
        inventory: need(ctx, 'inventory'),
        scope,
        managementFolder: layout.managementFolder,
        kubeconfig: layout.kubeconfig,
        source: need(ctx, 'clusterctl').source,
        cwd: ctx.cwd,
        now,
      });
      ctx.backupPlan = plan;
      if (ctx.runner.dryRun) {
        // The same command object the real run executes; the runner prints it as `! …` and runs nothing.
        await ctx.runner.run(plan.move);
        task.title = `Back up the Cluster API objects: would write ${plan.dir} (${scope.summary})`;
        return;
      }
      ctx.backup = await applyBackup(plan, {
        runner: ctx.runner,
        kubectl: need(ctx, 'kubectl'),
        spec: need(ctx, 'spec'),
        verdicts: need(ctx, 'verdicts'),
        tools: need(ctx, 'tools'),
        clusterctl: need(ctx, 'clusterctl').info,
        toolVersion: options.toolVersion,
        now,
        cleanFailed: options.cleanFailed,
        warn: (line) => task.output = line,
      });
      task.title = `Back up the Cluster API objects: ${ctx.backup.dir} (${ctx.backup.manifest.files.length} files, verified)`;
    },
  };
}
