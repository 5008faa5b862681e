import { acquireUpgradeLock, forceUnlock, type ForceUnlockRecord, type UpgradeLock } from '../lock/index.js';
import type { PlanAction } from '../plan/types.js';
import type { ExecuteDeps } from './deps.js';

type Action<K extends PlanAction['op']> = Extract<PlanAction, { op: K }>;

/** --force-unlock: delete the lease whoever holds it, recorded in the evidence. */
export async function applyForceUnlock(action: Action<'force-unlock'>, deps: ExecuteDeps): Promise<ForceUnlockRecord> {
  return forceUnlock({ runner: deps.runner, kubectl: deps.kubectl, leaseSeconds: action.lock.leaseSeconds, warn: deps.warn });
}

/** The Lease, created, or taken over when it lapsed; renewed on a timer until released. */
export async function applyAcquireLock(action: Action<'acquire-lock'>, deps: ExecuteDeps): Promise<UpgradeLock> {
  return acquireUpgradeLock({
    runner: deps.runner,
    kubectl: deps.kubectl,
    cluster: action.lock.cluster,
    toolVersion: deps.toolVersion,
    leaseSeconds: action.lock.leaseSeconds,
    env: deps.env,
    warn: deps.warn,
  });
}
