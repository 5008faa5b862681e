import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { LockedError, describeLeaseState, judgeLease, lockedMessage } from '../lock/index.js';
import { LeaseClient } from '../lock/lease-client.js';

/**
 * Read the upgrade lock before anything is written: a lock another run holds stops the plan, in the dry
 * run as in the real one. Taking it is the plan's first write; a run that starts in between still
 * loses the race there (the create is conditional).
 */
export function readLockStep(options: { leaseSeconds: number; forceUnlock: boolean }): ListrTask<RunContext> {
  return {
    title: 'Read the upgrade lock',
    task: async (ctx, task) => {
      const client = new LeaseClient(ctx.runner, need(ctx, 'kubectl'));
      const lease = await client.get(options.forceUnlock ? 'force-unlock: who holds the upgrade lock?' : 'is the upgrade lock free?');
      const state = judgeLease(lease, Date.now(), options.leaseSeconds);
      if (state.state === 'held' && !options.forceUnlock) throw new LockedError(lockedMessage(state), state);
      ctx.lockRead = { audit: describeLeaseState(state), forceUnlockFrom: options.forceUnlock && state.state !== 'absent' ? state.holder : undefined };
      task.title = `Read the upgrade lock: ${ctx.lockRead.audit}${ctx.lockRead.forceUnlockFrom !== undefined ? ' (--force-unlock deletes it)' : ''}`;
    },
  };
}
