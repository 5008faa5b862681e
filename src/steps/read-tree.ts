import type { ListrTask } from 'listr2';
import { need, type RunContext, type ToolsAndTree } from '../context.js';
import type { Kubectl } from '../kubectl/kubectl.js';
import type { Runner } from '../runner/runner.js';
import type { ClusterSpec } from '../spec/types.js';
import { assembleInventory } from '../kube/inventory.js';
import { inventoryKinds, otherProviders, providerKinds } from '../kube/kinds.js';
import type { Inventory, KubeObject } from '../kube/types.js';
import { readToolVersions } from '../tools/versions.js';

/**
 * Every object of the management tree in one kubectl call, whatever the number of clusters; a mixed tree
 * (EKS-A Clusters naming other providers' datacenter kinds) takes a second call for those providers' kinds.
 * Once a tree was read (the recheck), its providers are known and one call reads them all.
 */
async function listTree(spec: ClusterSpec, kubectl: Kubectl, why: string, known?: Inventory): Promise<KubeObject[]> {
  const { provider } = spec;
  if (known) return kubectl.listAll(inventoryKinds(provider, otherProviders(provider, known.clusters.map((c) => c.eksa))), why);
  const items = await kubectl.listAll(inventoryKinds(provider), why);
  const others = otherProviders(provider, items);
  if (others.length === 0) return items;
  return [...items, ...(await kubectl.listAll(providerKinds(others), `${why}: the configs of the other providers it names (${others.join(', ')})`))];
}

function assembleTree(ctx: RunContext, items: readonly KubeObject[]): Inventory {
  return assembleInventory(items, need(ctx, 'spec').managementClusterName, 1);
}

/** The management tree as it is now, read the way the gate reads it (the recheck under the lock). */
export async function readInventory(ctx: RunContext, why: string): Promise<Inventory> {
  return assembleTree(ctx, await listTree(need(ctx, 'spec'), need(ctx, 'kubectl'), why, ctx.inventory));
}

/** Every object of the management tree, as the gate reads it. */
export function readTree(spec: ClusterSpec, kubectl: Kubectl): Promise<KubeObject[]> {
  return listTree(spec, kubectl, `read the management tree of ${spec.managementClusterName}`);
}

/** The tools' versions and every object of the tree, read side by side (neither needs the other). */
export async function readToolsAndTree(runner: Runner, spec: ClusterSpec, kubectl: Kubectl): Promise<ToolsAndTree> {
  // The tree first: it is the long read, and each spawn holds the main thread for a moment.
  const [items, tools] = await Promise.all([readTree(spec, kubectl), readToolVersions(runner)]);
  return { tools, items };
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
      const { tools, items } = await (ctx.early?.tree ?? readToolsAndTree(ctx.runner, spec, need(ctx, 'kubectl')));
      ctx.tools = tools;
      ctx.items = items;
      // Assembled only once both reads are in: a tree that fails to assemble still leaves the tools in the record.
      ctx.inventory = assembleTree(ctx, items);
      const workloads = ctx.inventory.clusters.length - 1;
      task.title = `Read the management tree: ${spec.managementClusterName} and ${workloads} workload cluster${workloads === 1 ? '' : 's'} (kubectl ${tools.kubectl}, eksctl anywhere ${tools.eksctl})`;
    },
  };
}
