import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { checkSkew } from '../skew/skew.js';

/** skew: the versions the spec asks for against the live clusters (EKS-A's own rules). */
export function skewStep(): ListrTask<RunContext> {
  return {
    title: 'Check version skew',
    task: (ctx, task) => {
      const spec = need(ctx, 'spec');
      const targetEksaVersion = spec.eksaVersion ?? ctx.tools?.eksctl;
      ctx.skew = checkSkew({ spec, targetEksaVersion, inventory: need(ctx, 'inventory') });
      task.title = ctx.skew.length === 0 ? 'Check version skew: allowed' : `Check version skew: ${ctx.skew.length} violation(s)`;
    },
  };
}
