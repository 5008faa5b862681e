// The lock against the simulated API server through the real kubectl (never skipped: kubectl is a
// tool every machine here has, and REQUIRE_REAL_TOOLS=1 runs must fail without it).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Kubectl } from '../../src/kubectl/kubectl.js';
import { acquireUpgradeLock, forceUnlock, LockedError, LockLostError, readLock, startLockAttempt } from '../../src/lock/index.js';
import { LeaseClient } from '../../src/lock/lease-client.js';
import type { SimObject } from '../../sim/index.js';
import { LEASE_ANNOTATIONS, LEASE_NAME, LEASE_NAMESPACE, microTime, parseTime } from '../../src/lock/lease.js';
import { HeldLock } from '../../src/lock/upgrade-lock.js';
import type { Command } from '../../src/command.js';
import { Runner, type BufferMode, type InheritMode, type InheritResult, type RunModeOptions, type RunResult, type StreamMode, type StreamResult } from '../../src/runner/runner.js';
import { startSim, type Sim } from '../helpers/sim.js';

/** A runner that lets a test act between two commands (a rival run's write, say). */
class HookedRunner extends Runner {
  before: ((command: Command) => void) | undefined;
  override run(command: Command, options?: BufferMode): Promise<RunResult>;
  override run(command: Command, options: StreamMode): Promise<StreamResult>;
  override run(command: Command, options: InheritMode): Promise<InheritResult>;
  override async run(command: Command, options?: RunModeOptions): Promise<RunResult | StreamResult | InheritResult> {
    this.before?.(command);
    return super.run(command, options as BufferMode);
  }
}

let sim: Sim;
beforeAll(async () => {
  sim = await startSim({ scenario: 'healthy' });
});
afterAll(async () => {
  await sim?.close();
});
afterEach(() => {
  if (storedLease()) sim.server.store.delete('leases', LEASE_NAMESPACE, LEASE_NAME);
  sim.server.setFaults([]);
});

function setup(options: { dryRun?: boolean } = {}) {
  const log: string[] = [];
  const warnings: string[] = [];
  const runner = new HookedRunner({ dryRun: options.dryRun ?? false, verbose: false, log: (l) => log.push(l), env: sim.env });
  const kubectl = new Kubectl(runner, { kubeconfig: sim.kubeconfig, requestTimeout: '10s' });
  const base = { runner, kubectl, cluster: 'mgmt', toolVersion: '0.1.0-test', env: {}, warn: (l: string) => warnings.push(l) };
  return { runner, kubectl, log, warnings, base };
}

const storedLease = (): SimObject | undefined => sim.server.store.get('leases', LEASE_NAMESPACE, LEASE_NAME);
const apiWrites = () => sim.journal().filter((e) => e.source === 'apiserver');

/** Put a rival's lease straight into the server's store, renewed `agoSeconds` ago. */
function seedLease(holder: string, agoSeconds: number, leaseSeconds = 300) {
  const renewed = Date.now() - agoSeconds * 1000;
  sim.server.store.create('leases', LEASE_NAMESPACE, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LEASE_NAME, namespace: LEASE_NAMESPACE, annotations: { [LEASE_ANNOTATIONS.ciJobUrl]: 'https://gitlab.example/ops/-/jobs/7' } },
    spec: { holderIdentity: holder, leaseDurationSeconds: leaseSeconds, acquireTime: microTime(renewed - 60_000), renewTime: microTime(renewed) },
  });
}

/** Overwrite the stored lease as another run would. */
function rivalWrites(holder: string) {
  const current = storedLease()!;
  sim.server.store.update('leases', LEASE_NAMESPACE, LEASE_NAME, {
    ...current,
    metadata: { ...current.metadata, resourceVersion: undefined },
    spec: { ...current.spec, holderIdentity: holder, renewTime: microTime(Date.now()), acquireTime: microTime(Date.now()) },
  });
}

/** Rewrite the stored lease as its live holder renewing it would, with a clock `behindSeconds` behind ours. */
function rivalRenews(holder: string, behindSeconds: number) {
  const current = storedLease()!;
  sim.server.store.update('leases', LEASE_NAMESPACE, LEASE_NAME, {
    ...current,
    metadata: { ...current.metadata, resourceVersion: undefined },
    spec: { ...current.spec, holderIdentity: holder, renewTime: microTime(Date.now() - behindSeconds * 1000) },
  });
}

/** A clock that starts now and moves only when the lock sleeps; `onSleep` acts between two reads of the watch. */
function fakeClock(onSleep?: () => void) {
  let clock = Date.now();
  let slept = 0;
  return {
    slept: () => slept,
    options: {
      now: () => clock,
      sleep: async (ms: number) => {
        clock += ms;
        slept += ms;
        onSleep?.();
      },
    },
  };
}

describe('acquireUpgradeLock against the simulated API server', () => {
  it('creates the lease with holder, term, micro-second times and annotations, through the runner with stdin', async () => {
    const { base, runner } = setup();
    const lock = await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1', leaseSeconds: 120, env: { CI_JOB_URL: 'https://gitlab.example/ops/-/jobs/1' } });
    try {
      const stored = storedLease()!;
      expect(stored.spec).toMatchObject({ holderIdentity: 'alice@host-a pid 1', leaseDurationSeconds: 120 });
      expect(stored.spec!.acquireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(Math.abs(parseTime(stored.spec!.renewTime)! - Date.now())).toBeLessThan(10_000);
      expect(stored.metadata.annotations).toEqual({
        [LEASE_ANNOTATIONS.cluster]: 'mgmt',
        [LEASE_ANNOTATIONS.toolVersion]: '0.1.0-test',
        [LEASE_ANNOTATIONS.ciJobUrl]: 'https://gitlab.example/ops/-/jobs/1',
      });
      expect(lock.audit).toBe('lock: held by alice@host-a pid 1');
      const create = runner.entries().find((e) => e.argv.includes('create'))!;
      expect(create).toMatchObject({ kind: 'write', skipped: false, exitCode: 0 });
      expect(create.argv).toEqual(expect.arrayContaining(['kubectl', '--kubeconfig', sim.kubeconfig, 'create', '-f', '-']));
      expect(create.stdinBytes).toBeGreaterThan(100);
    } finally {
      await lock.release();
    }
  });

  it('refuses a second run with Locked, naming the holder, its age and expiry, and --force-unlock', async () => {
    const first = await acquireUpgradeLock({ ...setup().base, holder: 'alice@host-a pid 1' });
    try {
      const error = await acquireUpgradeLock({ ...setup().base, holder: 'bob@host-b pid 2' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockedError);
      const locked = error as LockedError;
      expect(locked.exit).toBe('Locked');
      // Age and expiry add up to the term, however long the machine took to get here.
      const [, age, expires] = /^locked by alice@host-a pid 1 since \S+Z \(renewed (\d+)s ago, expires in (\d+)s\)$/.exec(locked.message) ?? [];
      expect(Number(age) + Number(expires), locked.message).toBeGreaterThanOrEqual(299);
      expect(Number(age) + Number(expires), locked.message).toBeLessThanOrEqual(301);
      expect(locked.hint).toMatch(/--force-unlock/);
      expect(storedLease()!.spec!.holderIdentity).toBe('alice@host-a pid 1');
    } finally {
      await first.release();
    }
  });

  // Takeover is judged on our own clock (issue 15, finding 4): a lease that looks lapsed is watched for a full
  // term first. These tests move a fake clock in `sleep` instead of waiting the term out (they used to expect
  // the replace right after the first read, from the stored timestamps alone).
  it('takes over a lapsed lease, after watching it unchanged for its term on our clock, with a conditional replace', async () => {
    seedLease('gone@old-host pid 9', 3600, 300);
    const { base, warnings, runner } = setup();
    const clock = fakeClock();
    const lock = (await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1', ...clock.options })) as HeldLock;
    try {
      expect(clock.slept()).toBeGreaterThanOrEqual(300_000);
      expect(lock.takeover).toMatchObject({ previousHolder: 'gone@old-host pid 9' });
      expect(lock.takeover!.staleSeconds).toBeGreaterThanOrEqual(3600);
      expect(lock.takeover!.staleSeconds).toBeLessThan(3620);
      const stored = storedLease()!;
      expect(stored.spec).toMatchObject({ holderIdentity: 'alice@host-a pid 1', leaseTransitions: 1 });
      expect(stored.metadata.annotations![LEASE_ANNOTATIONS.takenOverFrom]).toBe('gone@old-host pid 9');
      expect(warnings.join('\n')).toMatch(/looks lapsed by this machine's clock; watching it for its 300s term/);
      expect(warnings.join('\n')).toMatch(/took over the upgrade lock of gone@old-host pid 9: it lapsed 36\d\ds ago; nobody renewed it while this run watched it for 300s/);
      const verbs = runner.entries().map((e) => e.argv.find((a) => ['create', 'get', 'replace'].includes(a)));
      expect(verbs[0]).toBe('create');
      expect(verbs.at(-1)).toBe('replace');
      expect(verbs.slice(1, -1).every((v) => v === 'get')).toBe(true);
      expect(lock.record().takeover?.previousHolder).toBe('gone@old-host pid 9');
    } finally {
      await lock.release();
    }
  });

  it('a clock ahead of the holder\'s: a lease that looks lapsed but is being renewed is not taken over (finding 4)', async () => {
    // The rival's clock is an hour behind ours: every renewal it writes looks an hour old here.
    seedLease('bob@host-b pid 2', 3600, 30);
    const { base } = setup();
    const clock = fakeClock(() => rivalRenews('bob@host-b pid 2', 3600));
    const error = await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1', ...clock.options }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as LockedError).message).toMatch(/^locked by bob@host-b pid 2 since \S+: its lease is being renewed, although by this machine's clock its last renewal was 36\d\ds ago/);
    expect(clock.slept()).toBeLessThan(30_000);
    expect(storedLease()!.spec!.holderIdentity).toBe('bob@host-b pid 2');
    expect(storedLease()!.metadata.annotations?.[LEASE_ANNOTATIONS.takenOverFrom]).toBeUndefined();
  });

  it('a renewal between the last read of the watch and the replace is a 409, not a takeover', async () => {
    seedLease('bob@host-b pid 2', 3600, 30);
    const { base, runner } = setup();
    runner.before = (command) => {
      if (command.argv.includes('replace')) {
        runner.before = undefined;
        rivalRenews('bob@host-b pid 2', 3600);
      }
    };
    const error = await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1', ...fakeClock().options }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as LockedError).message).toMatch(/^locked by bob@host-b pid 2 .*its lease is being renewed/);
    expect(storedLease()!.spec!.holderIdentity).toBe('bob@host-b pid 2');
  });

  it('loses the takeover race with Locked when another run replaces the lapsed lease first (409)', async () => {
    seedLease('gone@old-host pid 9', 3600);
    const { base, runner } = setup();
    runner.before = (command) => {
      if (command.argv.includes('replace')) {
        runner.before = undefined;
        rivalWrites('carol@host-c pid 3');
      }
    };
    const error = await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1', ...fakeClock().options }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as LockedError).message).toMatch(/^locked by carol@host-c pid 3 /);
    expect(runner.entries().find((e) => e.argv.includes('replace'))).toMatchObject({ exitCode: 1 });
    expect(storedLease()!.spec!.holderIdentity).toBe('carol@host-c pid 3');
  });
});

describe('release', () => {
  it('deletes our own lease, once, however often it is called', async () => {
    const { base, runner } = setup();
    const lock = await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1' });
    const [a, b] = await Promise.all([lock.release(), lock.release()]);
    expect(a).toEqual({ released: true });
    expect(b).toBe(a);
    expect(await lock.release()).toBe(a);
    expect(storedLease()).toBeUndefined();
    expect(runner.entries().filter((e) => e.argv.includes('delete'))).toHaveLength(1);
    expect(lock.record().release).toEqual({ released: true });
  });

  it('leaves a lease someone else holds now, with a warning, and does not throw', async () => {
    const { base, warnings } = setup();
    const lock = await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1' });
    rivalWrites('bob@host-b pid 2');
    const outcome = await lock.release();
    expect(outcome).toEqual({ released: false, note: 'it is held by bob@host-b pid 2' });
    expect(storedLease()!.spec!.holderIdentity).toBe('bob@host-b pid 2');
    expect(warnings).toContain('upgrade lock not released: it is held by bob@host-b pid 2');
  });

  it('turns an API failure into a warning', async () => {
    const { base, warnings } = setup();
    const lock = await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1' });
    sim.server.setFaults([{ resource: 'leases', status: 500, message: 'etcdserver: leader changed' }]);
    const outcome = await lock.release();
    expect(outcome.released).toBe(false);
    expect(warnings.join('\n')).toMatch(/upgrade lock not released: .*leader changed.*--force-unlock/);
  });
});

describe('a write whose answer is lost (startLockAttempt)', () => {
  const lostCreate = (effect: Record<string, unknown>) => sim.server.setFaults([{ resource: 'leases', method: 'POST', when: 'after', times: 1, ...effect }]);

  it.each([
    ['dropped', { drop: true }],
    ['a 503 written after the create', { status: 503 }],
  ])('the create landed, its answer %s: acquire() throws and the lease it created is gone', async (_name, effect) => {
    const { base, warnings } = setup();
    lostCreate(effect);
    const attempt = startLockAttempt({ ...base, holder: 'alice@host-a pid 1' });
    await expect(attempt.acquire()).rejects.toThrow(/take the upgrade lock|ServiceUnavailable/);
    expect(storedLease()).toBeUndefined();
    expect(warnings).toContain('removed the upgrade lock this run had taken without seeing the answer');
    // The command's cleanup calls it again: already done, nothing more is sent.
    expect(await attempt.abandon()).toEqual({ released: true });
  });

  it('leaves a lease another run holds: only our holder identity is removed', async () => {
    const { base } = setup();
    seedLease('bob@host-b pid 2', 5);
    lostCreate({ drop: true }); // the create is refused (AlreadyExists) and that answer lost: read, and not ours
    await expect(startLockAttempt({ ...base, holder: 'alice@host-a pid 1' }).acquire()).rejects.toThrow();
    expect(storedLease()?.spec?.holderIdentity).toBe('bob@host-b pid 2');
  });

  it('abandon() with no write sent reads nothing; after the lock was returned it leaves it to release()', async () => {
    const { base, runner } = setup();
    const attempt = startLockAttempt({ ...base, holder: 'alice@host-a pid 1' });
    expect(await attempt.abandon()).toBeUndefined();
    expect(runner.entries()).toHaveLength(0);
    const other = startLockAttempt({ ...base, holder: 'alice@host-a pid 1' });
    const lock = await other.acquire();
    expect(await other.abandon()).toBeUndefined();
    expect(storedLease()).toBeDefined();
    await lock.release();
  });
});

describe('forceUnlock', () => {
  it('deletes the lease whoever holds it and records whose it was', async () => {
    const seeded = Date.now();
    seedLease('bob@host-b pid 2', 5);
    const { base, warnings } = setup();
    const record = await forceUnlock(base);
    const waited = Math.ceil((Date.now() - seeded) / 1000);
    expect(record.deleted).toBe(true);
    expect(record.previous).toMatchObject({ state: 'held', holder: 'bob@host-b pid 2' });
    expect(storedLease()).toBeUndefined();
    // Renewed 5 s before the seed, plus however long kubectl took on this machine (never less than 5 s).
    const [, age] = /force-unlock: deleted the upgrade lock of bob@host-b pid 2 \(renewed (\d+)s ago\)/.exec(warnings.join('\n')) ?? [];
    expect(Number(age), warnings.join('\n')).toBeGreaterThanOrEqual(4);
    expect(Number(age), warnings.join('\n')).toBeLessThanOrEqual(5 + waited);
    // And now the lock can be taken.
    const lock = await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1' });
    await lock.release();
  });

  it('has nothing to do when there is no lease', async () => {
    const { base, runner } = setup();
    expect(await forceUnlock(base)).toEqual({ previous: { state: 'absent' }, deleted: false });
    expect(runner.entries().filter((e) => e.kind === 'write')).toHaveLength(0);
  });
});

describe('renewal', () => {
  it('renew() moves renewTime forward with a conditional replace and keeps acquireTime', async () => {
    let clock = Date.now();
    const { base, runner } = setup();
    const lock = (await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1', now: () => clock })) as HeldLock;
    try {
      const before = storedLease()!;
      clock += 95_000;
      await lock.renew();
      const after = storedLease()!;
      expect(parseTime(after.spec!.renewTime)! - parseTime(before.spec!.renewTime)!).toBe(95_000);
      expect(after.spec!.acquireTime).toBe(before.spec!.acquireTime);
      expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
      const replace = runner.entries().find((e) => e.argv.includes('replace'))!;
      expect(replace).toMatchObject({ kind: 'write', why: 'renew the upgrade lock', exitCode: 0 });
      // A second renewal must carry the resourceVersion of the first one's answer, or it would 409.
      clock += 95_000;
      await lock.renew();
      expect(lock.record().renewals).toBe(2);
      expect(lock.lost).toBeUndefined();
    } finally {
      await lock.release();
    }
  });

  it('renews on its own timer, and the timer does not keep the process alive', async () => {
    const lock = (await acquireUpgradeLock({ ...setup().base, holder: 'alice@host-a pid 1', renewEveryMs: 150 })) as HeldLock;
    try {
      expect((lock as unknown as { timer: NodeJS.Timeout }).timer.hasRef()).toBe(false);
      await vi.waitFor(() => expect(lock.record().renewals).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 50 });
    } finally {
      await lock.release();
    }
    const renewals = lock.record().renewals;
    await new Promise((r) => setTimeout(r, 400));
    expect(lock.record().renewals).toBe(renewals);
  });

  it('detects a lock taken over by another run: onLost fires, whenLost() rejects, renewals stop', async () => {
    const lost: LockLostError[] = [];
    const { base, runner } = setup();
    const lock = (await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1', onLost: (e) => lost.push(e) })) as HeldLock;
    const waiting = lock.whenLost();
    rivalWrites('bob@host-b pid 2');
    await lock.renew();
    await expect(waiting).rejects.toThrow('lost the upgrade lock: the upgrade lock is now held by bob@host-b pid 2');
    await expect(lock.whenLost()).rejects.toBeInstanceOf(LockLostError);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.exit).toBe('Locked');
    const calls = runner.entries().length;
    await lock.renew();
    expect(runner.entries().length).toBe(calls);
    expect(lock.record().lost).toMatch(/bob@host-b pid 2/);
    expect((await lock.release()).released).toBe(false);
    expect(storedLease()!.spec!.holderIdentity).toBe('bob@host-b pid 2');
  });

  it('detects a lease deleted under it (force-unlock by someone else)', async () => {
    const lock = (await acquireUpgradeLock({ ...setup().base, holder: 'alice@host-a pid 1' })) as HeldLock;
    sim.server.store.delete('leases', LEASE_NAMESPACE, LEASE_NAME);
    await lock.renew();
    expect(lock.lost?.message).toBe('lost the upgrade lock: the upgrade lock was deleted (force-unlock?)');
  });

  it('rides out a failed renewal within the term, and calls the lock lost once a full term passed unrenewed', async () => {
    let clock = Date.now();
    const { base, warnings } = setup();
    const lock = (await acquireUpgradeLock({ ...base, holder: 'alice@host-a pid 1', leaseSeconds: 60, now: () => clock })) as HeldLock;
    sim.server.setFaults([{ resource: 'leases', method: 'PUT', status: 503, message: 'apiserver restarting' }]);
    clock += 20_000;
    await lock.renew();
    expect(lock.lost).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/could not renew the upgrade lock \(will retry\): .*apiserver restarting/);
    clock += 45_000;
    await lock.renew();
    expect(lock.lost?.message).toMatch(/could not renew the upgrade lock for 65s, longer than its 60s term/);
    sim.server.setFaults([]);
    await lock.release();
  });
});

// The dry run never takes the lock: the gate reads it (readLock), the same in both modes, and the plan renders the create.
describe('the gate reads the lock before anything is written', () => {
  it('only reads the lease: reports it free, writes nothing', async () => {
    const { kubectl, runner } = setup();
    const writesBefore = apiWrites().length;
    const reading = await readLock(new LeaseClient(runner, kubectl), { leaseSeconds: 300, forceUnlock: false });
    expect(reading.audit).toBe('lock: free');
    expect(reading.forceUnlockFrom).toBeUndefined();
    expect(runner.entries().map((e) => [e.kind, e.skipped])).toEqual([['read', false]]);
    expect(apiWrites().length).toBe(writesBefore);
    expect(storedLease()).toBeUndefined();
  });

  it('stops on a lock another run holds, naming it, whatever the mode', async () => {
    const seeded = Date.now();
    seedLease('bob@host-b pid 2', 10);
    for (const dryRun of [false, true]) {
      const { kubectl, runner } = setup({ dryRun });
      const error = await readLock(new LeaseClient(runner, kubectl), { leaseSeconds: 300, forceUnlock: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockedError);
      const message = (error as LockedError).message;
      // Renewed 10 s before the seed plus this machine's time since; age and expiry add up to the term.
      const [, age, expires] = /^locked by bob@host-b pid 2 since \S+ \(renewed (\d+)s ago, expires in (\d+)s\)$/.exec(message) ?? [];
      expect(Number(age), message).toBeGreaterThanOrEqual(9);
      expect(Number(age), message).toBeLessThanOrEqual(10 + Math.ceil((Date.now() - seeded) / 1000));
      expect(Number(age) + Number(expires), message).toBeGreaterThanOrEqual(299);
      expect(Number(age) + Number(expires), message).toBeLessThanOrEqual(301);
    }
    expect(storedLease()!.spec!.holderIdentity).toBe('bob@host-b pid 2');
  });

  // A holder of this machine: what the gate says depends on what became of that run (src/lock/local-holder.ts).
  it('a held lease of a run of this machine that is gone: names it gone and the recover command', async () => {
    seedLease('ops@admin pid 10', 10);
    const { kubectl, runner } = setup();
    const error = await readLock(new LeaseClient(runner, kubectl), {
      leaseSeconds: 300, forceUnlock: false, local: async () => ({ state: 'gone', pid: 10 }), recoverCommand: 'eksa-safe-upgrade recover --dir /m/mgmt',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as LockedError).message).toMatch(/^locked by ops@admin pid 10 .*: that run is gone \(no process 10 on this machine, nor any command it started\)$/);
    expect((error as LockedError).hint).toBe('release it with: eksa-safe-upgrade recover --dir /m/mgmt (or run again with --force-unlock)');
  });

  it('a lease of a run that is gone while its eksctl still runs is not taken over, even once it has lapsed', async () => {
    for (const ago of [10, 400]) {
      seedLease('ops@admin pid 10', ago);
      const { kubectl, runner } = setup();
      const error = await readLock(new LeaseClient(runner, kubectl), { leaseSeconds: 300, forceUnlock: false, local: async () => ({ state: 'orphaned', pid: 10, survivors: [42] }) }).catch((e: unknown) => e);
      expect(error, `renewed ${ago}s ago`).toBeInstanceOf(LockedError);
      expect((error as LockedError).message).toMatch(/that run is gone \(no process 10 on this machine\), but the eksctl it handed off to still runs \(pid 42\): the upgrade goes on without it$/);
      expect((error as LockedError).hint).toMatch(/wait for that eksctl to end/);
      sim.server.store.delete('leases', LEASE_NAMESPACE, LEASE_NAME);
    }
    // A lapsed lease of a run that is gone with everything it started is the ordinary lapsed lease (watched, then taken over).
    seedLease('ops@admin pid 10', 400);
    const { kubectl, runner } = setup();
    const reading = await readLock(new LeaseClient(runner, kubectl), { leaseSeconds: 300, forceUnlock: false, local: async () => ({ state: 'gone', pid: 10 }) });
    expect(reading.state.state).toBe('expired');
  });

  it('with --force-unlock names the holder whose lease the plan deletes, and leaves the lease', async () => {
    seedLease('bob@host-b pid 2', 10);
    const { kubectl, runner } = setup();
    const reading = await readLock(new LeaseClient(runner, kubectl), { leaseSeconds: 300, forceUnlock: true });
    expect(reading).toMatchObject({ forceUnlockFrom: 'bob@host-b pid 2', state: { state: 'held', holder: 'bob@host-b pid 2' } });
    expect(runner.entries().filter((e) => e.kind !== 'read')).toEqual([]);
    expect(storedLease()).toBeDefined();
  });
});
