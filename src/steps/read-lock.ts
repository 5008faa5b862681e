import { hostname } from 'node:os';
import type { ListrTask } from 'listr2';
import { formatCommand } from '../command.js';
import { need, type LockRead, type RunContext } from '../context.js';
import type { SafeUpgradeError } from '../errors.js';
import { lockedGateStop, type PausedCluster } from '../lock/gate-stop.js';
import { LeaseClient } from '../lock/lease-client.js';
import { judgeLocalHolder, processesCarrying } from '../lock/local-holder.js';
import { readLock } from '../lock/read-lock.js';
import { pidAlive } from '../lock/release-own.js';

export interface LockReadOptions {
  readonly leaseSeconds: number;
  readonly forceUnlock: boolean;
}

/** The upgrade lock as it is now: who holds it, and whether --force-unlock would delete it. Reads only. */
export async function readLockState(ctx: RunContext, options: LockReadOptions): Promise<LockRead> {
  const reading = await readLock(new LeaseClient(ctx.runner, need(ctx, 'kubectl')), {
    ...options,
    // A holder of this machine is judged by what this machine can see of it (its pid, what it handed off to).
    local: async (holder) => judgeLocalHolder(holder, hostname(), pidAlive, await processesCarrying(holder)),
    recoverCommand: formatCommand(['eksa-safe-upgrade', 'recover', '--dir', need(ctx, 'layout').managementFolder]),
  });
  return { audit: reading.audit, forceUnlockFrom: reading.forceUnlockFrom };
}

/**
 * The gate's stop, or the lock's when another run that is still at work holds it (src/lock/gate-stop.ts): its
 * backup or upgrade is why the tree is paused or not ready. The lock is read here, once the gate has decided to
 * stop (one `kubectl get lease`, through the runner: a read, in the dry run as in the real run); a gate that
 * passes reads it in its read-lock step, right before the plan, as ever. `workloads` shares one read (`ctx.early`).
 */
export async function stopUnlessLocked(ctx: RunContext, lock: LockReadOptions, stop: SafeUpgradeError, paused: readonly PausedCluster[]): Promise<SafeUpgradeError> {
  // A lock that cannot be read says nothing of who works on the tree: the gate's stop stands.
  const thrown = await (ctx.early?.lock?.() ?? readLockState(ctx, lock)).then(
    () => undefined,
    (error: unknown) => error,
  );
  // Ctrl-C while it was read ends the run as an interruption, not as the gate's stop.
  ctx.runner.throwIfInterrupted();
  return lockedGateStop(thrown, stop, paused);
}

/** Read the upgrade lock before anything is written; taking it is the plan's first write. */
export function readLockStep(options: LockReadOptions): ListrTask<RunContext> {
  return {
    title: 'Read the upgrade lock',
    task: async (ctx, task) => {
      const reading = await (ctx.early?.lock?.() ?? readLockState(ctx, options));
      ctx.lockRead = reading;
      task.title = `Read the upgrade lock: ${reading.audit}${reading.forceUnlockFrom !== undefined ? ' (--force-unlock deletes it)' : ''}`;
    },
  };
}
