import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { SafeUpgradeError } from '../errors.js';
import { buildUpgradePlanCommand, parseUpgradePlan } from '../handoff/upgrade-plan.js';
import { specChanges } from '../plan/spec-changes.js';

/**
 * Nothing to do: eksctl's plan changes no version and the spec equals the live objects. Not a failure:
 * the run stops before the lock and the backup and exits 0, as eksctl says "No upgrades needed from
 * cluster spec" (pkg/workflows/management/upgrade.go).
 */
export class NothingToUpgrade extends SafeUpgradeError {
  constructor(message: string) {
    super('Success', message);
  }
}

/** plan: `eksctl anywhere upgrade plan cluster -o json` (read-only), so the audit shows what moves where. */
export function upgradePlanStep(options: { bundlesOverride: string | undefined }): ListrTask<RunContext> {
  return {
    title: 'Ask eksctl what the upgrade changes',
    task: async (ctx, task) => {
      const spec = need(ctx, 'spec');
      const kubeconfig = spec.isManagement ? ctx.options.kubeconfig : need(ctx, 'layout').kubeconfig;
      const result = await ctx.runner.run(buildUpgradePlanCommand(spec.file, kubeconfig, options.bundlesOverride), {
        hint: 'eksctl anywhere upgrade plan cluster must work with this spec and kubeconfig',
      });
      ctx.upgradePlan = parseUpgradePlan(result.stdout);
      const changes = ctx.upgradePlan.components;
      // eksctl also applies scaling and every other spec change: versions alone do not make an upgrade a no-op.
      const specDiff = changes.length === 0 ? specChanges(spec, need(ctx, 'items')) : [];
      if (changes.length === 0 && specDiff.length === 0) {
        throw new NothingToUpgrade(`No upgrades needed from cluster spec: ${spec.name} already runs every version and setting the spec asks for; nothing was locked, backed up or changed.`);
      }
      task.title =
        changes.length === 0
          ? `Ask eksctl what the upgrade changes: no version; the spec changes ${specDiff.slice(0, 3).join(', ')}${specDiff.length > 3 ? ', …' : ''}`
          : `Ask eksctl what the upgrade changes: ${changes.map((c) => `${c.name} ${c.oldVersion} → ${c.newVersion}`).join(', ')}`;
    },
  };
}
