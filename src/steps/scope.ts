import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { decideScope } from '../policy/scope.js';
import { SafeUpgradeError } from '../errors.js';

/** policy: whole tree, management only (reasons recorded), the one workload cluster, or stop. */
export function scopeStep(options: { enforce: boolean } = { enforce: false }): ListrTask<RunContext> {
  return {
    title: 'Decide the backup scope',
    task: (ctx, task) => {
      ctx.scope = decideScope({ verdicts: need(ctx, 'verdicts'), spec: need(ctx, 'spec'), onUnready: ctx.options.onUnready });
      // A backup or an upgrade of a tree that may not be backed up stops here, before anything is planned or written.
      if (options.enforce && ctx.scope.kind === 'stop') {
        throw new SafeUpgradeError('NotReady', `not backing up: ${ctx.scope.summary}`, { hint: ctx.scope.hint });
      }
      task.title = `Decide the backup scope: ${ctx.scope.summary}`;
    },
  };
}
