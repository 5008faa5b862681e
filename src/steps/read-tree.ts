import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { assembleInventory } from '../kube/inventory.js';
import { inventoryKinds } from '../kube/kinds.js';
import { readToolVersions } from '../tools/versions.js';

/**
 * tools + inventory, side by side (neither needs the other): kubectl and eksctl versions, and every
 * object of the management tree in one kubectl call whatever the number of clusters.
 */
export function readTreeStep(): ListrTask<RunContext> {
  return {
    title: 'Read tools and the management tree',
    task: async (ctx, task) => {
      const spec = need(ctx, 'spec');
      const [tools, items] = await Promise.all([
        readToolVersions(ctx.runner),
        need(ctx, 'kubectl').listAll(inventoryKinds(spec.provider), `read the management tree of ${spec.managementClusterName}`),
      ]);
      ctx.tools = tools;
      ctx.inventory = assembleInventory(items, spec.managementClusterName, 1);
      const workloads = ctx.inventory.clusters.length - 1;
      task.title = `Read the management tree: ${spec.managementClusterName} and ${workloads} workload cluster${workloads === 1 ? '' : 's'} (kubectl ${tools.kubectl}, eksctl anywhere ${tools.eksctl})`;
    },
  };
}
