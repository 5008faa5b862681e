import { judgeLease, type LeaseState } from './judge.js';
import { LeaseClient } from './lease-client.js';
import { DEFAULT_LEASE_SECONDS } from './lease.js';
import type { LockOptions } from './acquire.js';

/** What `--force-unlock` removed. */
export interface ForceUnlockRecord {
  readonly previous: LeaseState;
  readonly deleted: boolean;
}

/** Delete the lease whoever holds it, recording whose it was. */
export async function forceUnlock(options: Pick<LockOptions, 'runner' | 'kubectl' | 'now' | 'leaseSeconds' | 'warn'>): Promise<ForceUnlockRecord> {
  const client = new LeaseClient(options.runner, options.kubectl);
  const lease = await client.get('force-unlock: who holds the upgrade lock?');
  const previous = judgeLease(lease, (options.now ?? Date.now)(), options.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
  if (previous.state === 'absent') return { previous, deleted: false };
  const outcome = await client.deleteAny();
  const deleted = outcome.status === 'ok';
  if (deleted) {
    options.warn?.(`force-unlock: deleted the upgrade lock of ${previous.holder || 'nobody'} (renewed ${previous.renewedAgoSeconds}s ago)`);
  }
  return { previous, deleted };
}
