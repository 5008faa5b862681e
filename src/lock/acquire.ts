import { EnvironmentError } from '../errors.js';
import type { Kubectl } from '../kubectl/kubectl.js';
import type { Runner } from '../runner/runner.js';
import { LockedError, type LockLostError } from './errors.js';
import { judgeLease, lockedMessage, type LeaseHolding } from './judge.js';
import { LeaseClient, type WriteOutcome } from './lease-client.js';
import { buildLease, ciJobUrl, currentHolderIdentity, DEFAULT_LEASE_SECONDS, LEASE_NAMESPACE, type LeaseIdentity, type LeaseObject } from './lease.js';
import { releaseIfHeldBy } from './release-own.js';
import type { ReleaseOutcome, Takeover, UpgradeLock } from './types.js';
import { HeldLock } from './upgrade-lock.js';

export interface LockOptions {
  readonly runner: Runner;
  readonly kubectl: Kubectl;
  /** The cluster being upgraded (an annotation on the lease). */
  readonly cluster: string;
  readonly toolVersion: string;
  /** Lease term: another run may take the lock over this long after our last renewal. */
  readonly leaseSeconds?: number;
  /** Default: a third of the term, so two renewals can fail before the lease lapses. */
  readonly renewEveryMs?: number;
  readonly holder?: string;
  /** Where the CI job URL is read from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly now?: () => number;
  readonly warn?: (line: string) => void;
  readonly onLost?: (error: LockLostError) => void;
  /** How the watch of a lease that looks lapsed waits between reads (tests pass one that moves `now`). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** How often a lease that looks lapsed is read while it is watched; default a tenth of its term, at most 5 s. */
  readonly watchEveryMs?: number;
}

const MAX_ATTEMPTS = 3;

/**
 * One run's attempt at the lock. A create or replace whose answer never came (lost with the connection,
 * past --request-timeout, a 5xx written after the change, a signal while waiting) may still have landed:
 * the run may hold a lease it does not know about, and every later run would be refused until it lapses.
 */
export interface LockAttempt {
  /** `user@host pid N`: the holder identity this attempt writes. */
  readonly holder: string;
  /** Take the lock (see acquireUpgradeLock). When it throws with a write in doubt, it has already called abandon(). */
  acquire(): Promise<UpgradeLock>;
  /**
   * For a run that ends without the lock acquire() would have returned: when a write of this attempt is in
   * doubt, read the lease and delete it if its holder is this run. Nothing to do otherwise (no write sent,
   * every write refused, or the lock was returned: release that one). Idempotent, never throws.
   */
  abandon(): Promise<ReleaseOutcome | undefined>;
}

/** Take the upgrade lock; see LockAttempt for a run that may end before it knows whether it holds it. */
export function acquireUpgradeLock(options: LockOptions): Promise<UpgradeLock> {
  return startLockAttempt(options).acquire();
}

export function startLockAttempt(options: LockOptions): LockAttempt {
  const now = options.now ?? Date.now;
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const identity: LeaseIdentity = {
    holder: options.holder ?? currentHolderIdentity(),
    cluster: options.cluster,
    toolVersion: options.toolVersion,
    ciJobUrl: ciJobUrl(options.env ?? process.env),
    leaseSeconds,
  };
  const client = new LeaseClient(options.runner, options.kubectl);
  const warn = options.warn ?? (() => undefined);
  // True from the moment a write is sent until its answer says it was refused, or the lock is handed over.
  let inDoubt = false;
  let abandoning: Promise<ReleaseOutcome | undefined> | undefined;

  const abandon = (): Promise<ReleaseOutcome | undefined> => {
    abandoning ??= inDoubt
      ? releaseIfHeldBy(client, { holder: identity.holder, leaseSeconds, warn, why: 'did the lost write take the upgrade lock?' }).then((outcome) => {
          if (outcome.released) warn('removed the upgrade lock this run had taken without seeing the answer');
          return outcome;
        })
      : Promise.resolve(undefined);
    return abandoning;
  };
  /** A write on the lease: in doubt until an answer shows it was refused. */
  const send = async (write: () => Promise<WriteOutcome>): Promise<WriteOutcome> => {
    inDoubt = true;
    const outcome = await write();
    if (outcome.status !== 'ok') inDoubt = false;
    return outcome;
  };
  const held = (stored: LeaseObject, acquireMs: number, takeover?: Takeover) => {
    const lock = new HeldLock({
      client,
      identity,
      stored,
      acquireMs,
      takeover,
      renewEveryMs: options.renewEveryMs ?? (leaseSeconds * 1000) / 3,
      now,
      warn,
      onLost: options.onLost,
    });
    inDoubt = false;
    return lock;
  };

  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  type Watched =
    | { readonly kind: 'unchanged'; readonly watchedMs: number }
    | { readonly kind: 'renewed'; readonly lease: LeaseObject }
    | { readonly kind: 'gone' };
  /**
   * Read the lease until `termSeconds` have passed on our own clock since we first saw this version of it.
   * Any write in between (a renewal, a takeover, a release) ends the watch: its holder is alive. The replace
   * that follows carries the version first seen, so a renewal between the last read and the replace is a 409.
   */
  const watchUnchanged = async (seen: LeaseObject, termSeconds: number): Promise<Watched> => {
    const observedMs = now();
    const termMs = termSeconds * 1000;
    const everyMs = options.watchEveryMs ?? Math.min(5000, Math.max(100, termMs / 10));
    warn(
      `the upgrade lock of ${seen.spec?.holderIdentity} looks lapsed by this machine's clock; watching it for its ${termSeconds}s term ` +
        'before taking it over (a clock ahead of the holder\'s must not take a live lock)',
    );
    for (;;) {
      const elapsed = now() - observedMs;
      if (elapsed >= termMs) return { kind: 'unchanged', watchedMs: elapsed };
      await sleep(Math.min(everyMs, termMs - elapsed));
      options.runner.throwIfInterrupted();
      const current = await client.get('is the lapsed-looking upgrade lock still unrenewed?');
      if (!current) return { kind: 'gone' };
      if (!sameVersion(current, seen)) return { kind: 'renewed', lease: current };
    }
  };

  /**
   * Optimistic concurrency: create; if it exists, read it; if it lapsed, replace it carrying the
   * resourceVersion we read (a 409 means another run won). The dry run never comes here: it renders the
   * plan's acquire action instead.
   */
  const acquireOnce = async (): Promise<UpgradeLock> => {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const acquireMs = now();
      const created = await send(() => client.create(buildLease(identity, { acquireMs, renewMs: acquireMs })));
      if (created.status === 'ok') return held(created.lease ?? (await mustGet(client)), acquireMs);
      if (created.status === 'NotFound') {
        throw new EnvironmentError(`cannot create the upgrade lock: ${created.message}`, {
          hint: `the ${LEASE_NAMESPACE} namespace is missing: point --kubeconfig at the EKS Anywhere management cluster`,
        });
      }
      let current = await client.get();
      let state = judgeLease(current, now(), leaseSeconds);
      if (state.state === 'absent') continue; // released between our create and our read
      if (state.state === 'held') throw new LockedError(lockedMessage(state), state);
      let watchedMs: number | undefined;
      if (state.holder !== '') {
        // Lapsed by timestamps written on another machine's clock: ours may be ahead of it. Take it over only
        // once it has stayed unchanged for a full term measured here (client-go leader election's observedTime).
        const watched = await watchUnchanged(current!, state.leaseSeconds);
        if (watched.kind === 'gone') continue;
        if (watched.kind === 'renewed') {
          const live = judgeLease(watched.lease, now(), leaseSeconds);
          if (live.state === 'absent') continue;
          if (live.state === 'held') throw new LockedError(lockedMessage(live), live);
          if (live.holder !== '') throw new LockedError(renewedMessage(live), live);
          current = watched.lease; // released meanwhile: free
          state = live;
        } else {
          watchedMs = watched.watchedMs;
          const after = judgeLease(current, now(), leaseSeconds);
          if (after.state === 'absent') continue;
          if (after.state === 'held') throw new LockedError(lockedMessage(after), after);
          state = after;
        }
      }

      const takeover = { previousHolder: state.holder, previousAcquireTime: state.acquireTime, staleSeconds: Math.max(0, -state.expiresInSeconds) };
      const takeMs = now();
      const lease = buildLease(identity, { acquireMs: takeMs, renewMs: takeMs }, {
        resourceVersion: state.resourceVersion,
        takenOverFrom: state.holder || undefined,
        transitions: (current?.spec?.leaseTransitions ?? 0) + 1,
      });
      const replaced = await send(() => client.replace(lease, `take over the lapsed upgrade lock of ${state.holder || 'nobody'}`));
      if (replaced.status === 'ok') {
        const watchedNote = watchedMs === undefined ? '' : `; nobody renewed it while this run watched it for ${Math.round(watchedMs / 1000)}s`;
        options.warn?.(`took over the upgrade lock of ${takeover.previousHolder || 'nobody'}: it lapsed ${takeover.staleSeconds}s ago${watchedNote}`);
        return held(replaced.lease ?? (await mustGet(client)), takeMs, takeover);
      }
      // Conflict: another run replaced (or renewed) it first. Name the winner: a lease written since we read it
      // has a live holder, whatever its timestamps say on our clock.
      const winner = judgeLease(await client.get('check who won the upgrade lock'), now(), leaseSeconds);
      if (winner.state === 'held') throw new LockedError(lockedMessage(winner), winner);
      if (winner.state === 'expired' && winner.holder !== '') throw new LockedError(renewedMessage(winner), winner);
    }
    throw new LockedError(`the upgrade lock changed ${MAX_ATTEMPTS} times while taking it; another run is starting`, undefined);
  };

  return {
    holder: identity.holder,
    acquire: async () => {
      try {
        return await acquireOnce();
      } catch (error) {
        // A write whose answer was lost may have taken the lease: remove it before the error ends the run.
        await abandon();
        throw error;
      }
    },
    abandon,
  };
}

async function mustGet(client: LeaseClient): Promise<LeaseObject> {
  const lease = await client.get();
  if (!lease) throw new LockedError('the upgrade lock vanished right after it was taken', undefined);
  return lease;
}

/** The same write of the lease: resourceVersion, holder and renewTime unchanged. */
function sameVersion(a: LeaseObject, b: LeaseObject): boolean {
  return (
    a.metadata.resourceVersion === b.metadata.resourceVersion &&
    a.spec?.holderIdentity === b.spec?.holderIdentity &&
    a.spec?.renewTime === b.spec?.renewTime &&
    a.spec?.acquireTime === b.spec?.acquireTime
  );
}

/** A lease whose timestamps look lapsed on our clock but which its holder keeps writing. */
function renewedMessage(holding: LeaseHolding): string {
  return (
    `locked by ${holding.holder} since ${holding.acquireTime ?? 'an unknown time'}: its lease is being renewed, although by this ` +
    `machine's clock its last renewal was ${holding.renewedAgoSeconds}s ago (are this machine's and the holder's clocks apart?)`
  );
}
