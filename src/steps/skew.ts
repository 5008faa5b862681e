import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { SafeUpgradeError } from '../errors.js';
import { checkSkew, eksaTarget, skewTitle } from '../skew/skew.js';

/**
 * skew: the versions the spec asks for against the live clusters (EKS-A's own rules). `preflight` reports
 * violations; an upgrade (`enforce`) stops on them, since EKS-A would refuse the step after our writes.
 */
export function skewStep(options: { enforce: boolean } = { enforce: false }): ListrTask<RunContext> {
  return {
    title: 'Check version skew',
    task: (ctx, task) => {
      const spec = need(ctx, 'spec');
      const targetEksaVersion = eksaTarget(spec.eksaVersion, ctx.tools?.eksctl).target;
      const skew = checkSkew({ spec, targetEksaVersion, inventory: need(ctx, 'inventory') });
      ctx.skew = skew;
      task.title = skewTitle(skew, eksaTarget(spec.eksaVersion, ctx.tools?.eksctl).note);
      if (options.enforce && skew.length > 0) {
        throw new SafeUpgradeError('Skew', `version skew: ${skew.map((s) => `${s.cluster}: ${s.message}`).join('; ')}`, {
          hint: 'change kubernetesVersion / eksaVersion in the spec to a step EKS Anywhere allows',
        });
      }
    },
  };
}
