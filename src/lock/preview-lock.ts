import { describeLeaseState, type LeaseState } from './judge.js';
import type { LeaseIdentity } from './lease.js';
import type { LockRecord, ReleaseOutcome, UpgradeLock } from './types.js';

/** Dry run: the lease was only read; nothing to renew or release. */
export class PreviewLock implements UpgradeLock {
  readonly dryRun = true;
  constructor(
    readonly state: LeaseState,
    private readonly identity: LeaseIdentity,
  ) {}
  get audit(): string {
    return describeLeaseState(this.state);
  }
  whenLost(): Promise<never> {
    return new Promise<never>(() => undefined);
  }
  async confirmHeld(): Promise<void> {
    // Nothing was taken, so nothing can be lost.
  }
  async release(): Promise<ReleaseOutcome> {
    return { released: false, note: 'dry run: nothing was taken' };
  }
  record(): LockRecord {
    return {
      audit: this.audit,
      dryRun: true,
      holder: this.identity.holder,
      acquireTime: undefined,
      leaseSeconds: this.identity.leaseSeconds,
      renewals: 0,
      takeover: undefined,
      lost: undefined,
      release: undefined,
    };
  }
}
