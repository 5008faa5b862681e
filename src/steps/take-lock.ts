import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { acquireUpgradeLock, forceUnlock } from '../lock/index.js';

export interface LockStepOptions {
  readonly leaseSeconds: number;
  readonly forceUnlock: boolean;
  readonly toolVersion: string;
}

/** lock: the Lease in the management cluster; in dry-run only read, so the audit says whether it is free. */
export function takeLockStep(options: LockStepOptions): ListrTask<RunContext> {
  return {
    title: 'Take the upgrade lock',
    task: async (ctx, task) => {
      const kubectl = need(ctx, 'kubectl');
      if (options.forceUnlock) {
        const forced = await forceUnlock({ runner: ctx.runner, kubectl, warn: (l) => (task.output = l) });
        ctx.forcedUnlock = forced;
      }
      ctx.lock = await acquireUpgradeLock({
        runner: ctx.runner,
        kubectl,
        cluster: need(ctx, 'spec').name,
        toolVersion: options.toolVersion,
        leaseSeconds: options.leaseSeconds,
        env: ctx.env,
        warn: (line) => (task.output = line),
      });
      task.title = `Take the upgrade lock: ${ctx.lock.audit}`;
    },
  };
}
