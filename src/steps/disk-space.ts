import { statfs } from 'node:fs/promises';
import type { ListrTask } from 'listr2';
import { estimateBackupBytes, formatBytes, neededBytes, parseEndpointStatus } from '../airgap/disk-space.js';
import { need, type RunContext } from '../context.js';
import { EnvironmentError } from '../errors.js';
import { mapBounded } from '../etcd/concurrency.js';
import { statusCommand } from '../etcd/snapshot-plan.js';
import type { EtcdClusterPlan } from '../plan/types.js';

/** One member's dbSize per cluster: the members in the plan's order until one answers. Reads only. */
async function etcdDbSize(ctx: RunContext, cluster: EtcdClusterPlan): Promise<number | undefined> {
  for (const member of cluster.request.target.members) {
    ctx.runner.throwIfInterrupted();
    try {
      const result = await ctx.runner.run(statusCommand(cluster.request, member));
      const size = parseEndpointStatus(result.stdout);
      if (size !== undefined) return size;
    } catch {
      // The next member; a cluster none answers is counted as unknown, and the snapshot itself will say why.
    }
  }
  return undefined;
}

/**
 * The admin machine has room for the backup set: each cluster's etcd database size (read over SSH with
 * `etcdctl endpoint status`) plus the objects, with a margin, against the free space of the folder the
 * set goes to. Stops with exit 3 before the lock, saying how much is needed.
 */
export function diskSpaceStep(): ListrTask<RunContext> {
  return {
    title: 'Check the admin machine has room for the backup',
    skip: (ctx) => (need(ctx, 'plan').actions.some((a) => a.op === 'backup') ? false : 'no new backup set in the plan'),
    task: async (ctx, task) => {
      const plan = need(ctx, 'plan');
      const backup = plan.actions.find((a) => a.op === 'backup');
      if (!backup || backup.op !== 'backup') return;
      const clusters = backup.etcd.kind === 'snapshot' ? backup.etcd.clusters : [];
      // The clusters side by side, as many at once as the snapshots will be: a cluster whose nodes do not
      // answer (each member waits out ssh's ConnectTimeout or etcdctl's timeout) no longer delays the others'
      // reads by that much again.
      const concurrency = backup.etcd.kind === 'snapshot' ? backup.etcd.concurrency : 1;
      const settled = await mapBounded(clusters, concurrency, async (c) => ({ cluster: c.request.target.cluster, dbSize: await etcdDbSize(ctx, c) }));
      // Only an interruption rejects (etcdDbSize counts any other failure as unknown).
      const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (rejected) throw rejected.reason;
      const etcd = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const objectsBytes = Buffer.byteLength(JSON.stringify(need(ctx, 'items')));
      const estimate = estimateBackupBytes({ etcd, objectsBytes });
      const needed = neededBytes(estimate);
      const stats = await statfs(backup.set.parent);
      const free = Number(stats.bavail) * Number(stats.bsize);
      const unknown = etcd.filter((e) => e.dbSize === undefined).map((e) => e.cluster);
      const detail = `${formatBytes(estimate)} estimated (${etcd.length === 0 ? 'no etcd snapshots' : etcd.map((e) => `etcd ${e.cluster} ${e.dbSize === undefined ? 'unknown' : formatBytes(e.dbSize)}`).join(', ')}, objects ${formatBytes(2 * objectsBytes)})`;
      if (free < needed) {
        throw new EnvironmentError(`not enough room for the backup in ${backup.set.parent}: ${formatBytes(needed)} needed with the margin, ${formatBytes(free)} free; ${detail}`, {
          hint: `free ${formatBytes(needed - free)} there, or run from a management folder on a larger disk`,
        });
      }
      task.title = `Check the admin machine has room for the backup: ${formatBytes(needed)} needed, ${formatBytes(free)} free${unknown.length > 0 ? ` (etcd size unknown: ${unknown.join(', ')})` : ''}`;
    },
  };
}
