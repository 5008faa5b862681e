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
  return recheckSummary(action.clusters, plan, verdicts);
}

/**
 * The recheck's line: "still ready" only when the whole tree is; with a fallback, the clusters backed up are
 * ready and those left out are named with their state now, never called ready with the rest.
 */
export function recheckSummary(clusters: readonly string[], plan: Pick<UpgradePlan, 'scope'>, verdicts: readonly { name: string; ready: boolean; reasons: readonly { code: string }[] }[]): string {
  const leftOut = plan.scope.kind === 'management-only' ? plan.scope.leftOut : [];
  if (leftOut.length === 0) return 'still ready';
  const now = (cluster: string, planned: string) => {
    const v = verdicts.find((x) => x.name === cluster);
    if (v === undefined) return `${cluster} not found`;
    return v.ready ? `${cluster} ready now (was ${planned})` : `${cluster} not ready (${v.reasons.map((r) => r.code).join(', ') || planned})`;
  };
  return `${clusters.join(', ')} ready; left out of the backup: ${leftOut.map((l) => now(l.cluster, l.reasons.map((r) => r.code).join(', '))).join('; ')}`;
}
