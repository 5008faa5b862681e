import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { formatDuration } from '../duration.js';
import { findFreshBackup } from '../backup-sets/freshness.js';

/** `--max-backup-age`: a complete, verified set young enough to stand for this run's backup (read only). */
export function findFreshBackupStep(options: { maxAgeMs: number; requireEtcdSnapshots: boolean }): ListrTask<RunContext> {
  return {
    title: 'Look for a fresh backup set',
    task: async (ctx, task) => {
      const scope = need(ctx, 'scope');
      const fresh = await findFreshBackup({
        managementFolder: need(ctx, 'layout').managementFolder,
        cluster: need(ctx, 'spec').name,
        maxAgeMs: options.maxAgeMs,
        now: new Date(),
        requireClusters: scope.kind === 'stop' ? [] : scope.clusters,
        requireEtcdSnapshots: options.requireEtcdSnapshots,
      });
      if (fresh) ctx.reuse = { dir: fresh.dir, ageMs: fresh.ageMs };
      task.title = fresh ? `Look for a fresh backup set: ${fresh.dir} (${formatDuration(fresh.ageMs)} old, complete and verified)` : 'Look for a fresh backup set: none; a new one is taken';
    },
  };
}
