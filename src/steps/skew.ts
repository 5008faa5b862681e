import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { SafeUpgradeError } from '../errors.js';
import { checkSkew, eksaTarget, skewTitle } from '../skew/skew.js';
import { stopUnlessLocked, type LockReadOptions } from './read-lock.js';

/**
 * skew: the versions the spec asks for against the live clusters (EKS-A's own rules). `preflight` reports
 * violations; an upgrade (`enforce`) stops on them, since EKS-A would refuse the step after our writes. `lock`:
 * while another run at work holds the upgrade lock, the live versions may be those of a tree in the middle of its
 * upgrade, so the stop is the lock's (exit 6, src/lock/gate-stop.ts), as the gate's other stops are.
 */
export function skewStep(options: { enforce: boolean; lock?: LockReadOptions | undefined } = { enforce: false }): ListrTask<RunContext> {
  return {
    title: 'Check version skew',
    task: async (ctx, task) => {
      const spec = need(ctx, 'spec');
      const targetEksaVersion = eksaTarget(spec.eksaVersion, ctx.tools?.eksctl).target;
      const skew = checkSkew({ spec, targetEksaVersion, inventory: need(ctx, 'inventory') });
      ctx.skew = skew;
      task.title = skewTitle(skew, eksaTarget(spec.eksaVersion, ctx.tools?.eksctl).note);
      if (options.enforce && skew.length > 0) {
        const stop = new SafeUpgradeError('Skew', `version skew: ${skew.map((s) => `${s.cluster}: ${s.message}`).join('; ')}`, {
          hint: 'change kubernetesVersion / eksaVersion in the spec to a step EKS Anywhere allows',
        });
        throw options.lock === undefined ? stop : await stopUnlessLocked(ctx, options.lock, stop, []);
      }
    },
  };
}
