import { hostname } from 'node:os';
import type { ListrTask } from 'listr2';
import { formatCommand } from '../command.js';
import { need, type LockRead, type RunContext } from '../context.js';
import { LeaseClient } from '../lock/lease-client.js';
import { judgeLocalHolder, processesCarrying } from '../lock/local-holder.js';
import { readLock } from '../lock/read-lock.js';
import { pidAlive } from '../lock/release-own.js';

/** The upgrade lock as it is now: who holds it, and whether --force-unlock would delete it. Reads only. */
export async function readLockState(ctx: RunContext, options: { leaseSeconds: number; forceUnlock: boolean }): Promise<LockRead> {
  const reading = await readLock(new LeaseClient(ctx.runner, need(ctx, 'kubectl')), {
    ...options,
    // A holder of this machine is judged by what this machine can see of it (its pid, what it handed off to).
    local: async (holder) => judgeLocalHolder(holder, hostname(), pidAlive, await processesCarrying(holder)),
    recoverCommand: formatCommand(['eksa-safe-upgrade', 'recover', '--dir', need(ctx, 'layout').managementFolder]),
  });
  return { audit: reading.audit, forceUnlockFrom: reading.forceUnlockFrom };
}

/** Read the upgrade lock before anything is written; taking it is the plan's first write. */
export function readLockStep(options: { leaseSeconds: number; forceUnlock: boolean }): ListrTask<RunContext> {
  return {
    title: 'Read the upgrade lock',
    task: async (ctx, task) => {
      const reading = await (ctx.early?.lock?.() ?? readLockState(ctx, options));
      ctx.lockRead = reading;
      task.title = `Read the upgrade lock: ${reading.audit}${reading.forceUnlockFrom !== undefined ? ' (--force-unlock deletes it)' : ''}`;
    },
  };
}
