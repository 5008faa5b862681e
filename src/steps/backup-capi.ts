import type { ListrTask } from 'listr2';
import { applyBackup, type EtcdPhase } from '../backup/apply.js';
import { snapshotClusters } from '../etcd/snapshot.js';
import { formatDuration } from '../duration.js';
import { findFreshBackup } from '../backup-sets/freshness.js';
import { writeRestoreRunbook } from '../backup-sets/restore-file.js';
import { planEtcdSnapshot, type EtcdSnapshotFlags } from '../etcd/snapshot-plan.js';
import { planBackup, type BackupScope } from '../backup/plan.js';
import { need, type RunContext } from '../context.js';
import { SafeUpgradeError } from '../errors.js';

export interface EtcdStepOptions {
  /** `--skip-etcd-backup --reason`: recorded in the manifest; the only way to go on without snapshots. */
  readonly skipReason: string | undefined;
  readonly flags: EtcdSnapshotFlags;
  readonly concurrency: number;
}

export interface BackupStepOptions {
  readonly etcd: EtcdStepOptions;
  /** `--max-backup-age`: reuse a complete, verified set younger than this instead of taking a new one. */
  readonly maxBackupAgeMs?: number | undefined;
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
    title: 'Back up the Cluster API objects and etcd',
    task: async (ctx, task) => {
      const scope = requireBackupScope(ctx);
      const layout = need(ctx, 'layout');
      const now = options.now();
      if (options.maxBackupAgeMs !== undefined) {
        const fresh = await findFreshBackup({
          managementFolder: layout.managementFolder,
          cluster: need(ctx, 'spec').name,
          maxAgeMs: options.maxBackupAgeMs,
          now,
          requireClusters: scope.clusters,
          requireEtcdSnapshots: options.etcd.skipReason === undefined,
        });
        ctx.backupReuse = { reused: fresh?.dir };
        if (fresh) {
          ctx.backup = { dir: fresh.dir, manifest: fresh.manifest };
          task.title = `Back up: reusing ${fresh.dir} (${formatDuration(fresh.ageMs)} old, complete and verified)`;
          return;
        }
      }
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
      const inventory = need(ctx, 'inventory');
      const etcd: EtcdPhase =
        options.etcd.skipReason !== undefined
          ? { kind: 'skip', reason: options.etcd.skipReason }
          : {
              kind: 'snapshot',
              concurrency: options.etcd.concurrency,
              plan: (setDir, clusters) =>
                inventory.clusters
                  .filter((c) => clusters.includes(c.name))
                  .map((c) => planEtcdSnapshot(c, options.etcd.flags, { backupDir: setDir, cwd: ctx.cwd })),
              onProgress: (cluster, _member, bytes) => (task.output = `etcd ${cluster}: ${(bytes / 1048576).toFixed(1)} MiB received`),
            };
      // Every snapshot is planned now, before clusterctl pauses anything, so a bad etcd or ssh flag stops the run
      // before any write; the backup plans again for the clusters it ends up covering (a fallback covers fewer).
      if (etcd.kind === 'snapshot') etcd.plan(plan.partialDir, plan.scope.clusters);
      if (ctx.runner.dryRun) {
        // The same command objects the real run executes; the runner prints them as `! …` and runs nothing.
        await ctx.runner.run(plan.move);
        if (etcd.kind === 'snapshot') await snapshotClusters(ctx.runner, etcd.plan(plan.partialDir, plan.scope.clusters), { backupDir: plan.partialDir, concurrency: 1 });
        task.title = `Back up: would write ${plan.dir} (${scope.summary})`;
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
        warn: (line) => (task.output = line),
        etcd,
        writeRunbook: writeRestoreRunbook,
      });
      task.title = `Back up: ${ctx.backup.dir} (${ctx.backup.manifest.files.length} files, ${ctx.backup.manifest.etcd.length} etcd snapshot(s), verified)`;
    },
  };
}
