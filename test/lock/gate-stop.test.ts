// A gate that stops (not ready, paused) while another run at work holds the upgrade lock stops on the lock: the
// pause is that run's backup, and "find out who paused it and resume it" would unpause a tree mid-backup.
import { describe, expect, it } from 'vitest';
import { SafeUpgradeError } from '../../src/errors.js';
import { LockedError } from '../../src/lock/errors.js';
import { lockedGateStop } from '../../src/lock/gate-stop.js';
import type { LeaseHolding } from '../../src/lock/judge.js';

const holding: LeaseHolding = {
  holder: 'ops@admin pid 10',
  acquireTime: '2026-01-01T00:00:00.000000Z',
  renewedAgoSeconds: 3,
  expiresInSeconds: 297,
  leaseSeconds: 300,
  resourceVersion: '7',
  ciJobUrl: undefined,
  cluster: 'mgmt',
};
const LOCKED = 'locked by ops@admin pid 10 since 2026-01-01T00:00:00.000000Z (renewed 3s ago, expires in 297s)';
const stop = new SafeUpgradeError('NotReady', 'not backing up: stop: management cluster mgmt is not ready (paused: spec.paused=true)', { hint: 'mgmt is paused: … Find out who paused it' });
const allPaused = [
  { cluster: 'mgmt', eksa: false, capi: true },
  { cluster: 'w01', eksa: false, capi: true },
];

describe('lockedGateStop', () => {
  it.each([
    ['the lock is free or lapsed (its read threw nothing)', undefined],
    ['the lock could not be read', new SafeUpgradeError('Environment', 'kubectl get lease: connection refused')],
    ['the holder is a run of this machine that is gone (recover releases it)', new LockedError(`${LOCKED}: that run is gone`, holding, 'release it with: eksa-safe-upgrade recover --dir m', { holderGone: true })],
  ])('keeps the gate stop when %s', (_why, lock) => {
    expect(lockedGateStop(lock, stop, allPaused)).toBe(stop);
  });

  it('a live holder and paused clusters: the lock, naming the holder and the paused clusters as its own', () => {
    const error = lockedGateStop(new LockedError(LOCKED, holding), stop, [...allPaused, { cluster: 'w02', eksa: false, capi: false }]);
    expect(error).toBeInstanceOf(LockedError);
    expect(error.exit).toBe('Locked');
    expect(error.message).toBe(`${LOCKED}: mgmt and w01 are paused by that run (its backup's clusterctl move pauses the clusters it copies, its upgrade's eksctl the ones it upgrades) and resumed by it when it is done`);
    expect(error.hint).toBe('do not resume mgmt, w01 meanwhile; wait for that run to finish; if it is gone, run again with --force-unlock');
    expect((error as LockedError).holding).toBe(holding);
    expect(error.cause).toBe(stop);
  });

  it('one paused cluster reads as one; an EKS-A pause counts as a pause', () => {
    const error = lockedGateStop(new LockedError(LOCKED, holding), stop, [{ cluster: 'w01', eksa: true, capi: false }]);
    expect(error.message).toMatch(/: w01 is paused by that run /);
  });

  it('a live holder and a tree not ready but not paused: the lock, with the gate verdict it would have given', () => {
    const error = lockedGateStop(new LockedError(LOCKED, holding), stop, [{ cluster: 'mgmt', eksa: false, capi: false }]);
    expect(error.exit).toBe('Locked');
    expect(error.message).toBe(`${LOCKED}: that run is working on the tree, so the gate's verdict is of a tree in the middle of it (${stop.message})`);
    expect(error.hint).toBe('wait for that run to finish; if it is gone, run again with --force-unlock');
  });

  it('a holder that is gone while its eksctl still runs is at work: its own hint stands', () => {
    const orphaned = new LockedError(`${LOCKED}: that run is gone (no process 10 on this machine), but the eksctl it handed off to still runs (pid 42): the upgrade goes on without it`, holding, 'wait for that eksctl to end, then …');
    const error = lockedGateStop(orphaned, stop, allPaused);
    expect(error.message).toMatch(/the upgrade goes on without it: mgmt and w01 are paused by that run/);
    expect(error.hint).toBe('do not resume mgmt, w01 meanwhile; wait for that eksctl to end, then …');
  });
});
