import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { LeaseClient } from '../lock/lease-client.js';
import { readLock } from '../lock/read-lock.js';

/** Read the upgrade lock before anything is written; taking it is the plan's first write. */
export function readLockStep(options: { leaseSeconds: number; forceUnlock: boolean }): ListrTask<RunContext> {
  return {
    title: 'Read the upgrade lock',
    task: async (ctx, task) => {
      const reading = await readLock(new LeaseClient(ctx.runner, need(ctx, 'kubectl')), options);
      ctx.lockRead = { audit: reading.audit, forceUnlockFrom: reading.forceUnlockFrom };
      task.title = `Read the upgrade lock: ${reading.audit}${reading.forceUnlockFrom !== undefined ? ' (--force-unlock deletes it)' : ''}`;
    },
  };
}
