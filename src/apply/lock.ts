import { forceUnlock, startLockAttempt, type ForceUnlockRecord, type LockAttempt, type ReleaseOutcome, type UpgradeLock } from '../lock/index.js';
import type { PlanAction } from '../plan/types.js';
import type { ExecuteDeps } from './deps.js';

type Action<K extends PlanAction['op']> = Extract<PlanAction, { op: K }>;

/** --force-unlock: delete the lease whoever holds it, recorded in the evidence. */
export async function applyForceUnlock(action: Action<'force-unlock'>, deps: ExecuteDeps): Promise<ForceUnlockRecord> {
  return forceUnlock({ runner: deps.runner, kubectl: deps.kubectl, leaseSeconds: action.lock.leaseSeconds, warn: deps.warn });
}

/**
 * The Lease, created, or taken over when it lapsed; renewed on a timer until released. The attempt is
 * returned before it is acquired, so a run that ends while a write on the lease is in doubt can remove it.
 */
export function startAcquireLock(action: Action<'acquire-lock'>, deps: ExecuteDeps): LockAttempt {
  return startLockAttempt({
    runner: deps.runner,
    kubectl: deps.kubectl,
    cluster: action.lock.cluster,
    toolVersion: deps.toolVersion,
    leaseSeconds: action.lock.leaseSeconds,
    env: deps.env,
    warn: deps.warn,
  });
}

/**
 * The end of every run that got as far as the lock, whatever happened: release the lock it holds, or,
 * when it never got one, remove a lease its lost write may have created. Never throws.
 */
export async function releaseRunLock(applied: { readonly lock?: UpgradeLock | undefined; readonly lockAttempt?: LockAttempt | undefined }): Promise<ReleaseOutcome | undefined> {
  return applied.lock ? applied.lock.release() : applied.lockAttempt?.abandon();
}
