import type { ListrTask } from 'listr2';
import { UsageError } from '../errors.js';
import { need, type RunContext } from '../context.js';
import { judgeTree } from '../readiness/verdict.js';

/** readiness: a verdict per cluster with every reason named. Reported by the command, not thrown. */
export function readinessStep(): ListrTask<RunContext> {
  return {
    title: 'Judge readiness',
    task: (ctx, task) => {
      const spec = need(ctx, 'spec');
      const inventory = need(ctx, 'inventory');
      if (!inventory.clusters.some((c) => c.name === spec.name)) {
        throw new UsageError(`cluster ${spec.name} is not a workload cluster of ${spec.managementClusterName}`, {
          hint: 'check spec.managementCluster.name and --kubeconfig',
        });
      }
      ctx.verdicts = judgeTree(inventory);
      const unready = ctx.verdicts.filter((v) => !v.ready).length;
      task.title = unready === 0 ? 'Judge readiness: every cluster ready' : `Judge readiness: ${unready} not ready`;
    },
  };
}
