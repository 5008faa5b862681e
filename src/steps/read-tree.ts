import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { assembleInventory } from '../kube/inventory.js';
import { inventoryKinds } from '../kube/kinds.js';
import type { Inventory, KubeObject } from '../kube/types.js';
import { readToolVersions } from '../tools/versions.js';

/** Every object of the management tree in one kubectl call, whatever the number of clusters. */
function listTree(ctx: RunContext, why: string): Promise<KubeObject[]> {
  return need(ctx, 'kubectl').listAll(inventoryKinds(need(ctx, 'spec').provider), why);
}

function assembleTree(ctx: RunContext, items: readonly KubeObject[]): Inventory {
  return assembleInventory(items, need(ctx, 'spec').managementClusterName, 1);
}

/** The management tree as it is now, read the way the gate reads it (the recheck under the lock). */
export async function readInventory(ctx: RunContext, why: string): Promise<Inventory> {
  return assembleTree(ctx, await listTree(ctx, why));
}

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
        listTree(ctx, `read the management tree of ${spec.managementClusterName}`),
      ]);
      ctx.tools = tools;
      ctx.items = items;
      // Assembled only once both reads are in: a tree that fails to assemble still leaves the tools in the record.
      ctx.inventory = assembleTree(ctx, items);
      const workloads = ctx.inventory.clusters.length - 1;
      task.title = `Read the management tree: ${spec.managementClusterName} and ${workloads} workload cluster${workloads === 1 ? '' : 's'} (kubectl ${tools.kubectl}, eksctl anywhere ${tools.eksctl})`;
    },
  };
}
