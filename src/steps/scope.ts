import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { decideScope } from '../policy/scope.js';

/** policy: whole tree, management only (reasons recorded), the one workload cluster, or stop. */
export function scopeStep(): ListrTask<RunContext> {
  return {
    title: 'Decide the backup scope',
    task: (ctx, task) => {
      ctx.scope = decideScope({ verdicts: need(ctx, 'verdicts'), spec: need(ctx, 'spec'), onUnready: ctx.options.onUnready });
      task.title = `Decide the backup scope: ${ctx.scope.summary}`;
    },
  };
}
