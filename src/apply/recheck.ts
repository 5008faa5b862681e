import { SafeUpgradeError } from '../errors.js';
import { assembleInventory } from '../kube/inventory.js';
import { parseList } from '../kubectl/kubectl.js';
import type { PlanAction, UpgradePlan } from '../plan/types.js';
import { gateVerdicts } from '../policy/scope.js';
import { judgeTree } from '../readiness/verdict.js';
import type { ExecuteDeps } from './deps.js';

/**
 * Check twice: the tree can change while the backup runs. Under the lock, just before the hand-off,
 * every cluster the backup covers must still be ready.
 */
export async function applyRecheck(action: Extract<PlanAction, { op: 'recheck' }>, plan: UpgradePlan, deps: ExecuteDeps): Promise<string> {
  const c = plan.cluster;
  const items = parseList(await deps.kubectl.runRead(action.command), action.command);
  const verdicts = judgeTree(assembleInventory(items, c.managementCluster, 1));
  const spec = { name: c.name, isManagement: c.role === 'management', managementClusterName: c.managementCluster };
  const mustBeReady = new Set(action.clusters);
  const unready = gateVerdicts(verdicts, spec).filter((v) => mustBeReady.has(v.name) && !v.ready);
  if (unready.length > 0) {
    const detail = unready.map((v) => `${v.name}: ${v.reasons.map((r) => r.code).join(', ')}`).join('; ');
    throw new SafeUpgradeError('NotReady', `a cluster stopped being ready during the backup: ${detail}`, {
      hint: 'nothing was upgraded; find out what changed, then run again (the backup set is kept)',
    });
  }
  const leftOut = plan.scope.kind === 'management-only' ? plan.scope.leftOut.map((l) => l.cluster) : [];
  return leftOut.length === 0 ? 'still ready' : `${action.clusters.join(', ')} still ready (left out of the backup: ${leftOut.join(', ')})`;
}
