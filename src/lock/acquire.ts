import { EnvironmentError } from '../errors.js';
import type { Kubectl } from '../kubectl/kubectl.js';
import type { Runner } from '../runner/runner.js';
import { LockedError, type LockLostError } from './errors.js';
import { judgeLease, lockedMessage } from './judge.js';
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
      const current = await client.get();
      const state = judgeLease(current, now(), leaseSeconds);
      if (state.state === 'absent') continue; // released between our create and our read
      if (state.state === 'held') throw new LockedError(lockedMessage(state), state);

      const takeover = { previousHolder: state.holder, previousAcquireTime: state.acquireTime, staleSeconds: Math.max(0, -state.expiresInSeconds) };
      const takeMs = now();
      const lease = buildLease(identity, { acquireMs: takeMs, renewMs: takeMs }, {
        resourceVersion: state.resourceVersion,
        takenOverFrom: state.holder || undefined,
        transitions: (current?.spec?.leaseTransitions ?? 0) + 1,
      });
      const replaced = await send(() => client.replace(lease, `take over the lapsed upgrade lock of ${state.holder || 'nobody'}`));
      if (replaced.status === 'ok') {
        options.warn?.(`took over the upgrade lock of ${takeover.previousHolder || 'nobody'}: it lapsed ${takeover.staleSeconds}s ago`);
        return held(replaced.lease ?? (await mustGet(client)), takeMs, takeover);
      }
      // Conflict: another run replaced it first. Name the winner when it still holds it.
      const winner = judgeLease(await client.get('check who won the upgrade lock'), now(), leaseSeconds);
      if (winner.state === 'held') throw new LockedError(lockedMessage(winner), winner);
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
