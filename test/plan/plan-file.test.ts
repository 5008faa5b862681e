import { describe, expect, it } from 'vitest';
import { fingerprintSha256, parsePlanText, planSha256, planText, redatePlan } from '../../src/plan/plan-file.js';
import { planUpgrade } from '../../src/plan/plan-upgrade.js';
import type { BackupAction, UpgradePlan } from '../../src/plan/types.js';
import { ADMIN, MANAGEMENT_ONLY, NOW_STAMP, facts, options } from './fixtures.js';

const plan = planUpgrade(facts(), options());
const backupOf = (p: UpgradePlan) => p.actions.find((a): a is BackupAction => a.op === 'backup')!;
const json = (p: UpgradePlan) => JSON.parse(planText(p)) as Record<string, any>;

/** The same value with the keys of every object in reverse order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]));
  return value;
}

describe('parsePlanText', () => {
  it('accepts what planText wrote, and gives back the same plan', () => {
    const r = parsePlanText(planText(plan), 'cluster');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan).toEqual(json(plan));
    expect(planSha256(r.plan)).toBe(planSha256(plan));
  });

  const refusals: Array<{ name: string; text: () => string; expected?: 'cluster' | 'backup' | 'management-components'; problem: RegExp }> = [
    { name: 'not JSON', text: () => '{"schemaVersion": 1,', problem: /^it is not JSON \(/ },
    { name: 'YAML is not JSON', text: () => 'schemaVersion: 1\n', problem: /^it is not JSON/ },
    { name: 'another schemaVersion', text: () => JSON.stringify({ ...json(plan), schemaVersion: 2 }), problem: /^schemaVersion: / },
    { name: 'no schemaVersion', text: () => JSON.stringify({ ...json(plan), schemaVersion: undefined }), problem: /^schemaVersion: / },
    { name: 'a plan for another command', text: () => planText(plan), expected: 'backup', problem: /^it is a plan for `cluster`, not `backup`$/ },
    {
      name: 'a backup plan given to cluster',
      text: () => planText(planUpgrade(facts({ command: 'backup' }), options())),
      expected: 'cluster',
      problem: /^it is a plan for `backup`, not `cluster`$/,
    },
    { name: 'no fingerprint', text: () => JSON.stringify({ ...json(plan), fingerprint: undefined }), problem: /^fingerprint: / },
    {
      name: 'a fingerprint whose spec sha256 is not one',
      text: () => JSON.stringify({ ...json(plan), fingerprint: { ...json(plan).fingerprint, specSha256: 'abc' } }),
      problem: /^fingerprint\.specSha256: /,
    },
    {
      name: 'an action nobody knows',
      text: () => JSON.stringify({ ...json(plan), actions: [...json(plan).actions, { op: 'rm-rf' }] }),
      problem: /^actions\.6\.op: /,
    },
    { name: 'an array, not an object', text: () => '[]', problem: /^\(top\): / },
  ];
  it.each(refusals)('refuses $name', ({ text, expected, problem }) => {
    const r = parsePlanText(text(), expected ?? 'cluster');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problem).toMatch(problem);
  });
});

describe('planSha256', () => {
  it('is the same whatever the key order, and after a write and read', () => {
    expect(planSha256(reordered(json(plan)) as UpgradePlan)).toBe(planSha256(plan));
    expect(JSON.stringify(reordered(json(plan)))).not.toBe(JSON.stringify(json(plan)));
  });

  it('differs when an action changes', () => {
    const changed = json(plan);
    changed.actions.find((a: { op: string }) => a.op === 'handoff').command.argv.push('-v', '9');
    expect(planSha256(changed as UpgradePlan)).not.toBe(planSha256(plan));
  });

  it('differs when the actions are in another order', () => {
    const changed = json(plan);
    changed.actions.reverse();
    expect(planSha256(changed as UpgradePlan)).not.toBe(planSha256(plan));
  });

  it('fingerprintSha256 ignores key order, sees a changed value', () => {
    expect(fingerprintSha256(reordered(plan.fingerprint) as UpgradePlan['fingerprint'])).toBe(fingerprintSha256(plan.fingerprint));
    expect(fingerprintSha256({ ...plan.fingerprint, flags: { concurrency: 3 } })).not.toBe(fingerprintSha256(plan.fingerprint));
  });
});

/** Every leaf of `after` against `before`: each string with the old set folder replaced, everything else equal. */
function walk(before: unknown, after: unknown, at: string, leaf: (before: unknown, after: unknown, at: string) => void): void {
  if (Array.isArray(before)) {
    expect(Array.isArray(after), at).toBe(true);
    expect((after as unknown[]).length, at).toBe(before.length);
    before.forEach((b, i) => walk(b, (after as unknown[])[i], `${at}[${i}]`, leaf));
    return;
  }
  if (before && typeof before === 'object') {
    expect(after && typeof after === 'object', at).toBeTruthy();
    expect(Object.keys(after as object).sort(), at).toEqual(Object.keys(before).sort());
    for (const [k, v] of Object.entries(before)) walk(v, (after as Record<string, unknown>)[k], `${at}.${k}`, leaf);
    return;
  }
  leaf(before, after, at);
}

describe('redatePlan', () => {
  const later = new Date(2026, 7, 2, 6, 7, 8);
  const LATER = '2026-08-02T06_07_08';
  const oldDir = `${ADMIN}/m01-backup-${NOW_STAMP}`;
  const newDir = `${ADMIN}/m01-backup-${LATER}`;

  it('moves the set folder and its .partial and .failed names to the new timestamp', () => {
    const b = backupOf(redatePlan(plan, later));
    expect(b.set).toEqual({ parent: ADMIN, name: `m01-backup-${LATER}`, folderTimestamp: LATER, dir: newDir, partialDir: `${newDir}.partial`, failedDir: `${newDir}.failed` });
  });

  it('moves every path under the set: the move argv, the file actions, the etcd known_hosts file', () => {
    const b = backupOf(redatePlan(plan, later));
    const to = (argv: readonly string[]) => argv[argv.indexOf('--to-directory') + 1];
    expect(to(b.move.argv)).toBe(`${newDir}.partial/capi`);
    expect(to(b.fallback!.move.argv)).toBe(`${newDir}.partial/capi`);
    expect([...b.prepare, ...b.fallback!.prepare, b.specCopy, ...b.finish, ...b.onFailure].map((a) => a.path).filter((p) => p !== ADMIN).every((p) => p.startsWith(`${newDir}.partial`))).toBe(true);
    expect(b.finish.at(-1)!.other).toBe(newDir);
    expect(b.onFailure.at(-1)!.other).toBe(`${newDir}.failed`);
    expect(b.export.dir).toBe(`${newDir}.partial/eksa`);
    if (b.etcd.kind !== 'snapshot') throw new Error('expected snapshots');
    for (const c of b.etcd.clusters) {
      expect(c.request.ssh.recordKnownHostsFile).toBe(`${newDir}.partial/etcd/known_hosts`);
      for (const m of c.members) expect(m.command.argv).toContain(`UserKnownHostsFile=${newDir}.partial/etcd/known_hosts`);
    }
    expect(JSON.stringify(redatePlan(plan, later))).not.toContain(NOW_STAMP);
  });

  it('changes nothing else (a deep walk over the whole plan)', () => {
    const redated = redatePlan(plan, later);
    let moved = 0;
    walk(plan, redated, 'plan', (before, after, at) => {
      if (typeof before === 'string') {
        const expected = at.endsWith('.set.name') || at.endsWith('.set.folderTimestamp') ? before.replace(NOW_STAMP, LATER) : before.split(oldDir).join(newDir);
        if (expected !== before) moved += 1;
        expect(after, at).toBe(expected);
      } else {
        expect(after, at).toBe(before);
      }
    });
    expect(moved).toBeGreaterThan(20);
    expect(redated.fingerprint).toEqual(plan.fingerprint);
    expect(redated.release).toEqual(plan.release);
  });

  it('leaves the plan it was given untouched', () => {
    const before = planText(plan);
    redatePlan(plan, later);
    expect(planText(plan)).toBe(before);
  });

  it('works on a plan read back from its file', () => {
    const r = parsePlanText(planText(plan), 'cluster');
    if (!r.ok) throw new Error(r.problem);
    expect(planText(redatePlan(r.plan, later))).toBe(planText(redatePlan(plan, later)));
  });

  it('the same second: the same plan', () => {
    expect(redatePlan(plan, facts().now)).toBe(plan);
  });

  it('a plan without a backup (reused set) is unchanged', () => {
    const reuse = planUpgrade(facts({ reuse: { dir: `${ADMIN}/m01-backup-2026-07-31T09_00_00`, ageMs: 1000 } }), options());
    expect(redatePlan(reuse, later)).toBe(reuse);
  });

  it('a management-only plan: no fallback to move, the rest moved', () => {
    const p = planUpgrade(facts({ scope: MANAGEMENT_ONLY }), options());
    const b = backupOf(redatePlan(p, later));
    expect(b.fallback).toBeUndefined();
    expect(b.set.dir).toBe(newDir);
  });
});
