import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { buildUpgradePlanCommand, parseUpgradePlan } from '../handoff/upgrade-plan.js';

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
      task.title =
        changes.length === 0
          ? 'Ask eksctl what the upgrade changes: nothing'
          : `Ask eksctl what the upgrade changes: ${changes.map((c) => `${c.name} ${c.oldVersion} → ${c.newVersion}`).join(', ')}`;
    },
  };
}
