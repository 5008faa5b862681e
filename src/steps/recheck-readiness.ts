import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { SafeUpgradeError } from '../errors.js';
import { gateVerdicts } from '../policy/scope.js';
import { judgeTree } from '../readiness/verdict.js';
import { readInventory } from './read-tree.js';

/**
 * Check twice: the tree can change while the backup runs. Under the lock, just before the hand-off,
 * every cluster the upgrade touches must still be ready.
 */
export function recheckReadinessStep(): ListrTask<RunContext> {
  return {
    title: 'Check readiness again under the lock',
    task: async (ctx, task) => {
      const spec = need(ctx, 'spec');
      const verdicts = judgeTree(await readInventory(ctx, 're-read the management tree under the lock'));
      const scope = need(ctx, 'scope');
      const mustBeReady = new Set(scope.kind === 'stop' ? [] : scope.clusters);
      const unready = gateVerdicts(verdicts, spec).filter((v) => mustBeReady.has(v.name) && !v.ready);
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
