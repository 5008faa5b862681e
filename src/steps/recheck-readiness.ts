import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { SafeUpgradeError } from '../errors.js';
import { assembleInventory } from '../kube/inventory.js';
import { inventoryKinds } from '../kube/kinds.js';
import { gateVerdicts } from '../policy/scope.js';
import { judgeTree } from '../readiness/verdict.js';

/**
 * Check twice: the tree can change while the backup runs. Under the lock, just before the hand-off,
 * every cluster the upgrade touches must still be ready.
 */
export function recheckReadinessStep(): ListrTask<RunContext> {
  return {
    title: 'Check readiness again under the lock',
    task: async (ctx, task) => {
      ctx.runner.throwIfInterrupted();
      const spec = need(ctx, 'spec');
      const items = await need(ctx, 'kubectl').listAll(inventoryKinds(spec.provider), 're-read the management tree under the lock');
      const verdicts = judgeTree(assembleInventory(items, spec.managementClusterName, 1));
      const scope = need(ctx, 'scope');
      const mustBeReady = new Set(scope.kind === 'stop' ? [] : scope.clusters);
      const unready = gateVerdicts(verdicts, spec).filter((v) => mustBeReady.has(v.name) && !v.ready);
      ctx.recheck = verdicts;
      if (unready.length > 0) {
        const detail = unready.map((v) => `${v.name}: ${v.reasons.map((r) => r.code).join(', ')}`).join('; ');
        throw new SafeUpgradeError('NotReady', `a cluster stopped being ready during the backup: ${detail}`, {
          hint: 'nothing was upgraded; find out what changed, then run again (the backup set is kept)',
        });
      }
      task.title = 'Check readiness again under the lock: still ready';
    },
  };
}
