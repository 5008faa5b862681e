import { describe, expect, it } from 'vitest';
import type { SetState } from '../../src/backup-sets/backup-sets.js';
import { lastUpgradeOf, planPrune, type PruneCandidate } from '../../src/backup-sets/prune-policy.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 24 * 3600_000;
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY);

/** `name` is `<cluster>@<label>`; `folder` separates management folders. */
function set(name: string, state: SetState, ageDays: number | undefined, extra: Partial<PruneCandidate> & { folder?: string } = {}): PruneCandidate {
  const cluster = name.split('@')[0]!;
  const folder = extra.folder ?? '/m';
  return { id: `${folder}/${name}`, name, group: `${folder}\0${cluster}`, cluster, state, createdAt: ageDays === undefined ? undefined : daysAgo(ageDays), upgradedAt: undefined, ...extra };
}

const plan = (sets: PruneCandidate[], keep: number, olderThanDays: number) => planPrune(sets, { keep, olderThanMs: olderThanDays * DAY, now: NOW });
const removed = (sets: PruneCandidate[], keep: number, olderThanDays: number) => plan(sets, keep, olderThanDays).filter((d) => d.action === 'remove').map((d) => d.name);
const reasonsOf = (sets: PruneCandidate[], keep: number, olderThanDays: number, name: string) => plan(sets, keep, olderThanDays).find((d) => d.name === name)!.reasons.join('; ');

const MIXED = [
  set('mgmt@c1', 'complete', 10),
  set('mgmt@c2', 'complete', 20),
  set('mgmt@f3', 'failed', 25),
  set('mgmt@c4', 'complete', 30),
  set('mgmt@p5', 'partial', 35),
];

describe('planPrune', () => {
  it.each([
    ['the newest complete set stays even with --keep 0 and everything old', [set('mgmt@c1', 'complete', 400)], 0, 1, []],
    ['failed and partial sets lose their place first, and are removed first, oldest first', MIXED, 2, 5, ['mgmt@p5', 'mgmt@f3', 'mgmt@c4']],
    ['--older-than protects young sets beyond --keep', MIXED, 1, 28, ['mgmt@p5', 'mgmt@c4']],
    ['--keep counts failed sets too once the complete ones are placed', [set('w01@f1', 'failed', 50), set('w01@f2', 'failed', 45), set('w01@c3', 'complete', 40)], 3, 1, []],
    ['beyond --keep they go, oldest first', [set('w01@f1', 'failed', 50), set('w01@f2', 'failed', 45), set('w01@c3', 'complete', 40)], 1, 1, ['w01@f1', 'w01@f2']],
    ['sets taken after the last upgrade (the newest complete set) stay', [set('w01@c1', 'complete', 40), set('w01@f2', 'failed', 30), set('w01@p3', 'partial', 20)], 0, 1, []],
    [
      'a later upgradedAt moves the last upgrade: the failed sets before it may go',
      [set('w01@c1', 'complete', 40, { upgradedAt: daysAgo(10) }), set('w01@f2', 'failed', 30), set('w01@p3', 'partial', 20)],
      0, 1, ['w01@f2', 'w01@p3'],
    ],
    ['unverifiable sets (EKS-A\'s own backups among them) are never removed', [set('mgmt@u1', 'unverifiable', 400), set('mgmt@c2', 'complete', 10)], 0, 1, []],
    ['a set without a creation time stays', [set('mgmt@x', 'failed', undefined), set('mgmt@c2', 'complete', 100)], 0, 1, []],
    ['a set dated in the future stays', [set('mgmt@f', 'failed', -3), set('mgmt@c2', 'complete', 100)], 0, 1, []],
    [
      'each cluster keeps its own newest complete set',
      [set('mgmt@c1', 'complete', 90), set('mgmt@c2', 'complete', 100), set('w01@c3', 'complete', 200), set('w01@c4', 'complete', 300)],
      0, 1, ['w01@c4', 'mgmt@c2'],
    ],
    [
      'the same cluster name in two management folders is two clusters',
      [set('w01@a', 'complete', 90, { folder: '/one' }), set('w01@b', 'complete', 100, { folder: '/two' })],
      0, 1, [],
    ],
  ] as const)('%s', (_title, sets, keep, olderThanDays, expected) => {
    expect(removed([...sets], keep, olderThanDays)).toEqual(expected);
  });

  it('says why each set stays or goes', () => {
    expect(reasonsOf(MIXED, 2, 5, 'mgmt@c1')).toBe('newest complete set of mgmt; one of the 2 set(s) kept for mgmt');
    expect(reasonsOf(MIXED, 2, 15, 'mgmt@c1')).toContain('younger than 15d (10d old)');
    expect(reasonsOf(MIXED, 2, 5, 'mgmt@c2')).toBe('one of the 2 set(s) kept for mgmt');
    expect(reasonsOf(MIXED, 2, 5, 'mgmt@f3')).toBe('failed, 25d old, beyond the 2 set(s) kept for mgmt');
    const younger = [set('w01@c1', 'complete', 40), set('w01@f2', 'failed', 30)];
    expect(reasonsOf(younger, 0, 1, 'w01@f2')).toBe(`not older than the last upgrade of w01 (${daysAgo(40).toISOString()})`);
    expect(reasonsOf([set('mgmt@u', 'unverifiable', 9)], 0, 1, 'mgmt@u')).toMatch(/^unverifiable: never pruned/);
  });

  it('lists removals before the sets it keeps', () => {
    expect(plan(MIXED, 2, 5).map((d) => d.action)).toEqual(['remove', 'remove', 'remove', 'keep', 'keep']);
  });

  it('refuses a --keep that is not a whole number', () => {
    expect(() => plan(MIXED, -1, 5)).toThrow(RangeError);
    expect(() => plan(MIXED, 1.5, 5)).toThrow(RangeError);
  });
});

describe('lastUpgradeOf', () => {
  it('is the newest complete set, or a later upgradedAt; unverifiable sets say nothing', () => {
    expect(lastUpgradeOf([set('a@1', 'complete', 10), set('a@2', 'complete', 5), set('a@3', 'failed', 1)])).toEqual(daysAgo(5));
    expect(lastUpgradeOf([set('a@1', 'complete', 10, { upgradedAt: daysAgo(2) })])).toEqual(daysAgo(2));
    expect(lastUpgradeOf([set('a@1', 'unverifiable', 10, { upgradedAt: daysAgo(2) }), set('a@2', 'failed', 1)])).toBeUndefined();
  });
});

describe('planPrune: the last good set (issue 15, finding 2)', () => {
  it('a complete set whose latest verification failed is not the newest good one', () => {
    const sets = [set('mgmt@c1', 'complete', 10, { verification: { ok: false, at: 'x' } }), set('mgmt@c2', 'complete', 20, { verification: { ok: true, at: 'y' } }), set('mgmt@c3', 'complete', 30)];
    expect(removed(sets, 1, 1)).toEqual(['mgmt@c3']);
    expect(reasonsOf(sets, 1, 1, 'mgmt@c2')).toContain('newest complete set of mgmt whose latest verification passed');
  });

  it('the newest set whose drill passed is kept besides the newest good one; a failed drill is not good', () => {
    const sets = [
      set('mgmt@c1', 'complete', 10),
      set('mgmt@c2', 'complete', 20, { drill: { ok: false, at: 'x' } }),
      set('mgmt@c3', 'complete', 30, { drill: { ok: true, at: 'y' } }),
      set('mgmt@c4', 'complete', 40, { drill: { ok: true, at: 'z' } }),
    ];
    expect(removed(sets, 0, 1)).toEqual(['mgmt@c4', 'mgmt@c2']);
    expect(reasonsOf(sets, 0, 1, 'mgmt@c3')).toBe('newest set of mgmt whose drill passed (y)');
    expect(reasonsOf(sets, 0, 1, 'mgmt@c2')).toContain('its latest drill failed (x): not counted as good');
  });

  it('a set dated in the future is kept, reported, and pushes no real set out', () => {
    const sets = [set('mgmt@future', 'complete', -365), set('mgmt@c1', 'complete', 10), set('mgmt@c2', 'complete', 20)];
    expect(removed(sets, 1, 1)).toEqual(['mgmt@c2']);
    expect(reasonsOf(sets, 1, 1, 'mgmt@future')).toMatch(/dated in the future/);
    expect(reasonsOf(sets, 1, 1, 'mgmt@c1')).toContain('newest complete set of mgmt');
  });
});
