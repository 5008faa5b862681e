// The upgrade lock: a Lease in the management cluster, taken before any write and held until the end.
export { acquireUpgradeLock, startLockAttempt, type LockAttempt, type LockOptions } from './acquire.js';
export { forceUnlock, type ForceUnlockRecord } from './force-unlock.js';
export { readLock, type LockReading } from './read-lock.js';
export { LockedError, LockLostError } from './errors.js';
export { describeLeaseState, judgeLease, lockedMessage, type LeaseHolding, type LeaseState } from './judge.js';
export { DEFAULT_LEASE_SECONDS, LEASE_NAME, LEASE_NAMESPACE, ciJobUrl, currentHolderIdentity, holderIdentity } from './lease.js';
export type { LockRecord, ReleaseOutcome, Takeover, UpgradeLock } from './types.js';
