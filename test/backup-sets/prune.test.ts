import { existsSync } from 'node:fs';
import { appendFile, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBackups } from '../../src/backup-sets/list.js';
import { pruneBackups } from '../../src/backup-sets/prune.js';
import { verificationRecordPath } from '../../src/backup-sets/verification-record.js';
import { TREE, buildSet, tempFolder } from './fixtures.js';

const NOW = new Date(2026, 5, 1, 12, 0, 0);
const DAY = 24 * 3600_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

/** mgmt: complete 60d, failed 50d, complete 40d, partial 35d (after the last complete: kept), EKS-A's own 90d; w01: complete 70d. */
async function folder() {
  const root = await tempFolder();
  const mgmt = TREE.slice(0, 1);
  const sets = {
    c60: await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(60), clusters: mgmt }),
    f50: await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(50), clusters: mgmt, kind: 'failed' }),
    c40: await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(40), clusters: mgmt }),
    p35: await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(35), clusters: mgmt, kind: 'partial' }),
    eksa90: await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(90), clusters: mgmt, kind: 'no-manifest' }),
    w70: await buildSet(root, { cluster: 'w01', management: 'mgmt', when: ago(70), clusters: TREE.slice(1, 2) }),
  };
  return { root, sets };
}

describe('pruneBackups', () => {
  it('dry-run says what it would remove and removes nothing', async () => {
    const { root, sets } = await folder();
    const before = (await readdir(root)).sort();
    const seen: string[] = [];
    const report = await pruneBackups({ dir: root, keep: 1, olderThanMs: 30 * DAY, now: NOW, dryRun: true, onRemoved: (o) => seen.push(o.dir) });
    expect(seen).toEqual([sets.f50.dir, sets.c60.dir]);
    expect(report.outcomes.filter((o) => o.result === 'planned').map((o) => o.dir)).toEqual(seen);
    expect((await readdir(root)).sort()).toEqual(before);
  });

  it('removes failed sets first, then old complete ones, never the newest complete set, nor what followed it', async () => {
    const { root, sets } = await folder();
    await listBackups({ dir: root, verify: true, now: () => NOW }); // leaves a verification record beside each complete set
    expect(existsSync(verificationRecordPath(sets.c60.dir))).toBe(true);
    const report = await pruneBackups({ dir: root, keep: 1, olderThanMs: 30 * DAY, now: NOW, dryRun: false });
    expect(report.outcomes.filter((o) => o.result === 'removed').map((o) => o.dir)).toEqual([sets.f50.dir, sets.c60.dir]);
    for (const gone of [sets.f50.dir, sets.c60.dir, verificationRecordPath(sets.c60.dir)]) expect(existsSync(gone), gone).toBe(false);
    for (const kept of [sets.c40.dir, sets.p35.dir, sets.eksa90.dir, sets.w70.dir]) expect(existsSync(kept), kept).toBe(true);
    const reasons = Object.fromEntries(report.outcomes.map((o) => [o.dir, o.reasons.join('; ')]));
    expect(reasons[sets.c40.dir]).toContain('newest complete set of mgmt');
    expect(reasons[sets.p35.dir]).toContain('not older than the last upgrade of mgmt');
    expect(reasons[sets.w70.dir]).toContain('newest complete set of w01');
    expect(reasons[sets.eksa90.dir]).toMatch(/^unverifiable/);
  });

  it('leaves a symlink that looks like a set alone, and what it points at', async () => {
    const { root, sets } = await folder();
    const elsewhere = await tempFolder();
    const target = await buildSet(elsewhere, { cluster: 'mgmt', management: 'mgmt', when: ago(300), clusters: TREE.slice(0, 1) });
    await symlink(target.dir, path.join(root, path.basename(target.dir)));
    const report = await pruneBackups({ dir: root, keep: 0, olderThanMs: DAY, now: NOW, dryRun: false });
    expect(report.outcomes.map((o) => o.dir)).not.toContain(path.join(root, path.basename(target.dir)));
    expect(existsSync(target.dir)).toBe(true);
    expect(existsSync(sets.c40.dir)).toBe(true);
  });
});

describe('pruneBackups never removes the last good set (issue 15, finding 2)', () => {
  it('keeps the newest set that passed verification when a newer set failed `backups list --verify`', async () => {
    const root = await tempFolder();
    const mgmt = TREE.slice(0, 1);
    const good1 = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(30), clusters: mgmt });
    const good2 = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(20), clusters: mgmt });
    const bad = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(10), clusters: mgmt });
    const snapshot = bad.manifest!.etcd[0]!.file;
    await appendFile(path.join(bad.dir, snapshot), 'tampered');
    await listBackups({ dir: root, verify: true, now: () => NOW });
    const report = await pruneBackups({ dir: root, keep: 1, olderThanMs: 1000, now: NOW, dryRun: false });
    expect(existsSync(good2.dir), 'the newest set whose verification passed').toBe(true);
    expect(existsSync(good1.dir)).toBe(false);
    const kept = report.outcomes.find((o) => o.dir === good2.dir)!;
    expect(kept.reasons.join('; ')).toContain('newest complete set of mgmt whose latest verification passed');
    expect(report.outcomes.find((o) => o.dir === bad.dir)!.reasons.join('; ')).toContain('verification failed');
  });

  it('a set dated a year ahead is never the newest: the real sets stay, and it is reported', async () => {
    const root = await tempFolder();
    const mgmt = TREE.slice(0, 1);
    const old = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(30), clusters: mgmt });
    const real = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(10), clusters: mgmt });
    const future = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(-365), clusters: mgmt });
    const report = await pruneBackups({ dir: root, keep: 1, olderThanMs: 1000, now: NOW, dryRun: false });
    expect(existsSync(real.dir), 'the newest real set').toBe(true);
    expect(existsSync(future.dir), 'never removed automatically').toBe(true);
    expect(existsSync(old.dir)).toBe(false);
    expect(report.outcomes.find((o) => o.dir === future.dir)!.reasons.join('; ')).toMatch(/dated in the future/);
    expect(report.outcomes.find((o) => o.dir === real.dir)!.reasons.join('; ')).toContain('newest complete set of mgmt');
  });
});
