import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { decideScope } from '../policy/scope.js';
import { SafeUpgradeError } from '../errors.js';
import { stopUnlessLocked, type LockReadOptions } from './read-lock.js';

/**
 * policy: whole tree, management only (reasons recorded), the one workload cluster, or stop. `lock`: the command
 * takes the upgrade lock, and a stop is the lock's while another run at work holds it.
 */
export function scopeStep(options: { enforce: boolean; lock?: LockReadOptions | undefined } = { enforce: false }): ListrTask<RunContext> {
  return {
    title: 'Decide the backup scope',
    task: async (ctx, task) => {
      const verdicts = need(ctx, 'verdicts');
      ctx.scope = decideScope({ verdicts, spec: need(ctx, 'spec'), onUnready: ctx.options.onUnready });
      // A backup or an upgrade of a tree that may not be backed up stops here, before anything is planned or written;
      // or on the lock, when another run at work holds it: its backup or upgrade is why the tree looks so.
      if (options.enforce && ctx.scope.kind === 'stop') {
        const stop = new SafeUpgradeError('NotReady', `not backing up: ${ctx.scope.summary}`, { hint: ctx.scope.hint });
        if (options.lock === undefined) throw stop;
        const blocking = new Set(ctx.scope.blocking.map((b) => b.cluster));
        const paused = verdicts.filter((v) => blocking.has(v.name)).map((v) => ({ cluster: v.name, ...v.paused }));
        throw await stopUnlessLocked(ctx, options.lock, stop, paused);
      }
      task.title = `Decide the backup scope: ${ctx.scope.summary}`;
    },
  };
}
