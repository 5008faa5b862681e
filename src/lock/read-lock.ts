import { LockedError } from './errors.js';
import { describeLeaseState, judgeLease, lockedMessage, type LeaseState } from './judge.js';
import type { LeaseClient } from './lease-client.js';

/** What the gate read of the upgrade lock, for the plan. */
export interface LockReading {
  readonly state: LeaseState;
  /** `lock: free`, `lock: free (lease of … expired …; would take over)`, …: the line the audit prints. */
  readonly audit: string;
  /** --force-unlock: the holder whose lease the plan deletes (empty for a released lease); undefined when none is there. */
  readonly forceUnlockFrom: string | undefined;
}

/**
 * Read the lease, never write it: a lock another run holds stops the run here, before anything is
 * planned or written, in the dry run as in the real run. With --force-unlock a held lease is not a
 * stop: the plan deletes it first.
 */
export async function readLock(client: LeaseClient, options: { leaseSeconds: number; forceUnlock: boolean; now?: () => number }): Promise<LockReading> {
  const lease = await client.get(options.forceUnlock ? 'force-unlock: who holds the upgrade lock?' : 'is the upgrade lock free?');
  const state = judgeLease(lease, (options.now ?? Date.now)(), options.leaseSeconds);
  if (state.state === 'held' && !options.forceUnlock) throw new LockedError(lockedMessage(state), state);
  return { state, audit: describeLeaseState(state), forceUnlockFrom: options.forceUnlock && state.state !== 'absent' ? state.holder : undefined };
}
