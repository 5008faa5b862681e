import { LockLostError } from './errors.js';
import { buildLease, type LeaseIdentity, type LeaseObject } from './lease.js';
import type { LeaseClient } from './lease-client.js';
import { releaseIfHeldBy } from './release-own.js';
import type { LockRecord, ReleaseOutcome, Takeover, UpgradeLock } from './types.js';

export interface HeldLockOptions {
  readonly client: LeaseClient;
  readonly identity: LeaseIdentity;
  readonly stored: LeaseObject;
  readonly acquireMs: number;
  readonly takeover: Takeover | undefined;
  readonly renewEveryMs: number;
  readonly now: () => number;
  readonly warn: (line: string) => void;
  readonly onLost: ((error: LockLostError) => void) | undefined;
}

/**
 * A lease we hold: renewed on an unref'd timer (it never keeps the process alive), every renewal a
 * conditional replace with the last resourceVersion, so a takeover or force-unlock by someone else
 * surfaces as a lost lock instead of being overwritten.
 */
export class HeldLock implements UpgradeLock {
  private resourceVersion: string | undefined;
  private lastRenewMs: number;
  private renewals = 0;
  private lostError: LockLostError | undefined;
  private lostWaiters: Array<(error: LockLostError) => void> = [];
  private inflight: Promise<void> | undefined;
  private releasing: Promise<ReleaseOutcome> | undefined;
  private releaseOutcome: ReleaseOutcome | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: HeldLockOptions) {
    this.resourceVersion = options.stored.metadata.resourceVersion;
    this.lastRenewMs = options.acquireMs;
    this.timer = setInterval(() => void this.renew(), options.renewEveryMs);
    this.timer.unref();
  }

  get holder(): string {
    return this.options.identity.holder;
  }

  get takeover(): Takeover | undefined {
    return this.options.takeover;
  }

  get audit(): string {
    const taken = this.options.takeover;
    return taken
      ? `lock: held by ${this.holder} (taken over from ${taken.previousHolder || 'a released lease'}, lapsed ${taken.staleSeconds}s before)`
      : `lock: held by ${this.holder}`;
  }

  get lost(): LockLostError | undefined {
    return this.lostError;
  }

  whenLost(): Promise<never> {
    if (this.lostError) return Promise.reject(this.lostError);
    return new Promise<never>((_resolve, reject) => this.lostWaiters.push(reject));
  }

  record(): LockRecord {
    return {
      audit: this.audit,
      dryRun: false,
      holder: this.holder,
      acquireTime: this.options.stored.spec?.acquireTime,
      leaseSeconds: this.options.identity.leaseSeconds,
      renewals: this.renewals,
      takeover: this.options.takeover,
      lost: this.lostError?.message,
      release: this.releaseOutcome,
    };
  }

  async confirmHeld(): Promise<void> {
    await this.renew();
    if (this.lostError) throw this.lostError;
  }

  /** One renewal now (the timer calls this); overlapping calls share the one in flight. */
  renew(): Promise<void> {
    if (this.lostError || this.releasing) return Promise.resolve();
    this.inflight ??= this.renewOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async renewOnce(adopted = false): Promise<void> {
    const { client, identity, now } = this.options;
    const renewMs = now();
    const lease = buildLease(identity, { acquireMs: this.options.acquireMs, renewMs }, {
      resourceVersion: this.resourceVersion,
      takenOverFrom: this.options.takeover?.previousHolder,
      transitions: this.options.stored.spec?.leaseTransitions,
    });
    try {
      const outcome = await client.replace(lease, 'renew the upgrade lock');
      if (outcome.status === 'ok') {
        const holder = outcome.lease?.spec?.holderIdentity;
        if (holder !== undefined && holder !== identity.holder) return this.lose(`the upgrade lock is now held by ${holder}`);
        this.resourceVersion = outcome.lease?.metadata.resourceVersion ?? this.resourceVersion;
        this.lastRenewMs = renewMs;
        this.renewals += 1;
        return;
      }
      if (outcome.status === 'skipped') return;
      // Conflict or NotFound: someone else wrote or deleted the lease since our last write.
      const current = await client.get('check who holds the upgrade lock');
      const holder = current?.spec?.holderIdentity;
      if (!adopted && current && holder === identity.holder && current.spec?.acquireTime === lease.spec?.acquireTime) {
        // Our own earlier write landed after its answer was lost: adopt it and carry on.
        this.resourceVersion = current.metadata.resourceVersion;
        return this.renewOnce(true);
      }
      return this.lose(current ? `the upgrade lock is now held by ${holder || 'nobody'}` : 'the upgrade lock was deleted (force-unlock?)');
    } catch (error) {
      const silentMs = now() - this.lastRenewMs;
      const why = error instanceof Error ? error.message : String(error);
      if (silentMs >= identity.leaseSeconds * 1000) {
        return this.lose(`could not renew the upgrade lock for ${Math.round(silentMs / 1000)}s, longer than its ${identity.leaseSeconds}s term: ${why}`);
      }
      this.options.warn(`could not renew the upgrade lock (will retry): ${why}`);
    }
  }

  private lose(message: string): void {
    clearInterval(this.timer);
    this.lostError = new LockLostError(`lost the upgrade lock: ${message}`);
    for (const reject of this.lostWaiters.splice(0)) reject(this.lostError);
    this.options.onLost?.(this.lostError);
  }

  /**
   * Delete the lease if it is still ours; safe to call at the end, on failure and from a signal
   * handler, as often as wanted. Never throws: a lease left behind lapses by itself.
   */
  release(): Promise<ReleaseOutcome> {
    this.releasing ??= this.releaseOnce().then((outcome) => (this.releaseOutcome = outcome));
    return this.releasing;
  }

  private async releaseOnce(): Promise<ReleaseOutcome> {
    clearInterval(this.timer);
    await this.inflight?.catch(() => undefined);
    const { client, identity, warn } = this.options;
    return releaseIfHeldBy(client, { holder: identity.holder, leaseSeconds: identity.leaseSeconds, warn, why: 'check who holds the upgrade lock before releasing it' });
  }
}
