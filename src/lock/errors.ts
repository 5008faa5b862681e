import { SafeUpgradeError } from '../errors.js';
import type { LeaseHolding } from './judge.js';

/** Another run holds the lock (exit name `Locked`); carries what the lease said. */
export class LockedError extends SafeUpgradeError {
  /**
   * The holder is a run of this machine that is gone with everything it started: `recover` releases its lease.
   * Nothing of it still works on the tree, so what the tree shows is what that run left behind, not work in progress.
   */
  readonly holderGone: boolean;
  constructor(
    message: string,
    readonly holding: LeaseHolding | undefined,
    hint?: string,
    options: { holderGone?: boolean; cause?: unknown } = {},
  ) {
    const job = holding?.ciJobUrl ? ` (its job: ${holding.ciJobUrl})` : '';
    super('Locked', message, {
      hint: hint ?? `wait for that run to finish${job}; if it is gone, run again with --force-unlock`,
      cause: options.cause,
    });
    this.holderGone = options.holderGone ?? false;
  }
}

/** The lock was taken from us (or could not be renewed before it lapsed) while we were running. */
export class LockLostError extends SafeUpgradeError {
  constructor(message: string) {
    super('Locked', message, {
      hint: 'another run may now be changing the cluster: check `kubectl get lease eksa-safe-upgrade -n eksa-system` before going on',
    });
  }
}
