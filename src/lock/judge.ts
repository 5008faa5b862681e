import { LEASE_ANNOTATIONS, parseTime, type LeaseObject } from './lease.js';

/** Who holds the lease and for how long, as seen from `nowMs`. */
export interface LeaseHolding {
  readonly holder: string;
  readonly acquireTime: string | undefined;
  /** Seconds since the last renewal (or the acquisition when never renewed). */
  readonly renewedAgoSeconds: number;
  /** Seconds until the lease lapses; negative once it has. */
  readonly expiresInSeconds: number;
  readonly leaseSeconds: number;
  readonly resourceVersion: string | undefined;
  readonly ciJobUrl: string | undefined;
  readonly cluster: string | undefined;
}

export type LeaseState =
  | { readonly state: 'absent' }
  /**
   * Present and released (empty holder): free to take over with a conditional replace. Present and lapsed by
   * its timestamps as read on this machine's clock: taken over only after watching it unchanged for a full term
   * measured on our own clock (the timestamps were written on another machine's clock).
   */
  | ({ readonly state: 'expired' } & LeaseHolding)
  | ({ readonly state: 'held' } & LeaseHolding);

/**
 * Whether the lease still binds. A lease with no readable renew/acquire time counts as lapsed at the
 * epoch: only this tool writes it, and an unreadable one must not lock everyone out for ever. A missing
 * duration falls back to `fallbackSeconds` (ours), the conservative reading.
 */
export function judgeLease(lease: LeaseObject | undefined, nowMs: number, fallbackSeconds: number): LeaseState {
  if (lease === undefined) return { state: 'absent' };
  const spec = lease.spec ?? {};
  const holder = typeof spec.holderIdentity === 'string' ? spec.holderIdentity : '';
  const leaseSeconds =
    typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds > 0 ? spec.leaseDurationSeconds : fallbackSeconds;
  const renewedMs = parseTime(spec.renewTime) ?? parseTime(spec.acquireTime) ?? 0;
  const expiresInMs = renewedMs + leaseSeconds * 1000 - nowMs;
  const holding: LeaseHolding = {
    holder,
    acquireTime: spec.acquireTime,
    renewedAgoSeconds: Math.round((nowMs - renewedMs) / 1000),
    expiresInSeconds: Math.round(expiresInMs / 1000),
    leaseSeconds,
    resourceVersion: lease.metadata.resourceVersion,
    ciJobUrl: lease.metadata.annotations?.[LEASE_ANNOTATIONS.ciJobUrl],
    cluster: lease.metadata.annotations?.[LEASE_ANNOTATIONS.cluster],
  };
  const lapsed = holder === '' || expiresInMs <= 0;
  return lapsed ? { state: 'expired', ...holding } : { state: 'held', ...holding };
}

/** The one line of a `Locked` error. */
export function lockedMessage(holding: LeaseHolding): string {
  return (
    `locked by ${holding.holder} since ${holding.acquireTime ?? 'an unknown time'} ` +
    `(renewed ${holding.renewedAgoSeconds}s ago, expires in ${holding.expiresInSeconds}s)`
  );
}

/** What a dry run reports about the lock: `lock: free`, `lock: held by …`. */
export function describeLeaseState(state: LeaseState): string {
  switch (state.state) {
    case 'absent':
      return 'lock: free';
    case 'expired':
      return state.holder === ''
        ? 'lock: free (released lease)'
        : `lock: lease of ${state.holder} looks lapsed ${-state.expiresInSeconds}s ago by this machine's clock; ` +
            `would watch it for its ${state.leaseSeconds}s term and take it over only if nobody renews it`;
    case 'held':
      return `lock: held by ${lockedMessage(state).slice('locked by '.length)}`;
  }
}
