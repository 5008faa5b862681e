import { LockedError } from './errors.js';
import { describeLeaseState, judgeLease, lockedMessage, type LeaseState } from './judge.js';
import type { LeaseClient } from './lease-client.js';
import type { LocalHolder } from './local-holder.js';

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
 *
 * When the holder is a run of this machine (`local`), the stop says what became of it: gone (killed: its lease
 * is released by `recover`), or gone while the eksctl it handed off to still runs. That last one also stops a
 * takeover of a lease that lapsed: its term lapses because nobody renews it, not because the upgrade ended, and
 * a second `eksctl anywhere upgrade` on the same tree must not start beside it.
 */
export async function readLock(
  client: LeaseClient,
  options: { leaseSeconds: number; forceUnlock: boolean; now?: () => number; local?: (holder: string) => Promise<LocalHolder>; recoverCommand?: string },
): Promise<LockReading> {
  const lease = await client.get(options.forceUnlock ? 'force-unlock: who holds the upgrade lock?' : 'is the upgrade lock free?');
  const state = judgeLease(lease, (options.now ?? Date.now)(), options.leaseSeconds);
  if (!options.forceUnlock && state.state !== 'absent' && state.holder !== '') {
    const local = options.local ? await options.local(state.holder) : ({ state: 'elsewhere' } as const);
    if (local.state === 'orphaned') {
      throw new LockedError(
        `${lockedMessage(state)}: that run is gone (no process ${local.pid} on this machine), but the eksctl it handed off to still runs (pid ${local.survivors.join(', ')}): the upgrade goes on without it`,
        state,
        'wait for that eksctl to end, then see where the tree stands with `eksa-safe-upgrade preflight`; the lock is released once it has ended',
      );
    }
    if (state.state === 'held' && local.state === 'gone') {
      const recover = options.recoverCommand ? `release it with: ${options.recoverCommand}` : 'release it with `eksa-safe-upgrade recover --dir <management cluster folder>`';
      throw new LockedError(`${lockedMessage(state)}: that run is gone (no process ${local.pid} on this machine, nor any command it started)`, state, `${recover} (or run again with --force-unlock)`, {
        holderGone: true,
      });
    }
  }
  if (state.state === 'held' && !options.forceUnlock) throw new LockedError(lockedMessage(state), state);
  return { state, audit: describeLeaseState(state), forceUnlockFrom: options.forceUnlock && state.state !== 'absent' ? state.holder : undefined };
}
