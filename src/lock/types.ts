import type { LockLostError } from './errors.js';

/** An expired lease we replaced: whose it was and how long it had lapsed. */
export interface Takeover {
  readonly previousHolder: string;
  readonly previousAcquireTime: string | undefined;
  readonly staleSeconds: number;
}

export interface ReleaseOutcome {
  readonly released: boolean;
  /** Why nothing was deleted, or what went wrong (also sent to `warn`). */
  readonly note?: string;
}

/** What the report records about the lock. */
export interface LockRecord {
  /** `lock: held by …`, `lock: free` (dry run): the line the audit prints. */
  readonly audit: string;
  readonly dryRun: boolean;
  readonly holder: string;
  readonly acquireTime: string | undefined;
  readonly leaseSeconds: number;
  readonly renewals: number;
  readonly takeover: Takeover | undefined;
  readonly lost: string | undefined;
  readonly release: ReleaseOutcome | undefined;
}

/** The lock as the flow uses it, once taken. */
export interface UpgradeLock {
  readonly audit: string;
  /** Rejects once the lock is lost; never settles otherwise. Race it against long work. */
  whenLost(): Promise<never>;
  /** Renew now and throw LockLostError unless the lease is still ours: called just before the hand-off. */
  confirmHeld(): Promise<void>;
  /** Delete the lease if it is still ours. Idempotent, never throws. */
  release(): Promise<ReleaseOutcome>;
  record(): LockRecord;
}
