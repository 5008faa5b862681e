import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupDirName } from '../../src/backup/naming.js';
import { findFreshBackup } from '../../src/backup-sets/freshness.js';
import { TREE, buildSet, tempFolder } from './fixtures.js';

const NOW = new Date(2026, 5, 1, 12, 0, 0);
const HOUR = 3600_000;
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR);

async function find(dir: string, maxAgeHours: number, extra: { requireClusters?: string[]; requireEtcdSnapshots?: boolean; cluster?: string } = {}) {
  const rejected: Array<[string, string]> = [];
  const found = await findFreshBackup({
    managementFolder: dir,
    cluster: extra.cluster ?? 'mgmt',
    maxAgeMs: maxAgeHours * HOUR,
    now: NOW,
    requireClusters: extra.requireClusters,
    requireEtcdSnapshots: extra.requireEtcdSnapshots,
    onRejected: (d, why) => rejected.push([path.basename(d), why]),
  });
  return { found, rejected };
}

describe('findFreshBackup', () => {
  it('reuses the newest complete set younger than the limit that verifies', async () => {
    const root = await tempFolder();
    await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(10), clusters: TREE });
    const young = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(2), clusters: TREE });
    await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(1), clusters: TREE, kind: 'failed' });
    await buildSet(root, { cluster: 'w01', management: 'mgmt', when: ago(0.5), clusters: TREE.slice(1, 2) });
    const { found, rejected } = await find(root, 24);
    expect(found?.dir).toBe(young.dir);
    expect(found?.manifest).toEqual(young.manifest);
    expect(found?.ageMs).toBe(2 * HOUR);
    expect(rejected).toEqual([]);
  });

  it('refuses a set older than the limit: a new one must be taken', async () => {
    const root = await tempFolder();
    await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(30), clusters: TREE });
    const { found, rejected } = await find(root, 24);
    expect(found).toBeUndefined();
    expect(rejected).toEqual([[backupDirName('mgmt', ago(30)), '1d 6h old, older than 1d']]);
  });

  it('skips a set that no longer verifies, and takes the next young one', async () => {
    const root = await tempFolder();
    const older = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(5), clusters: TREE });
    const newest = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(1), clusters: TREE });
    await appendFile(path.join(newest.dir, 'capi', 'Cluster_eksa-system_w01.yaml'), ' ');
    const { found, rejected } = await find(root, 24);
    expect(found?.dir).toBe(older.dir);
    expect(rejected).toEqual([[path.basename(newest.dir), 'does not verify: 1 file(s) do not match the manifest']]);
  });

  it('refuses when the only young set was tampered with', async () => {
    const root = await tempFolder();
    const only = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(1), clusters: TREE });
    const manifest = JSON.parse(await readFile(path.join(only.dir, 'manifest.json'), 'utf8'));
    await appendFile(path.join(only.dir, manifest.etcd[0].file), 'x');
    expect((await find(root, 24)).found).toBeUndefined();
  });

  it('refuses a set that does not cover the clusters the run needs, or lacks their etcd snapshots', async () => {
    const root = await tempFolder();
    await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(1), clusters: TREE, scope: 'management-only', leftOut: ['w01', 'w02'] });
    const scope = await find(root, 24, { requireClusters: ['mgmt', 'w01', 'w02'] });
    expect(scope.found).toBeUndefined();
    expect(scope.rejected[0]![1]).toBe('does not cover w01, w02 (scope management-only: mgmt)');

    const root2 = await tempFolder();
    await buildSet(root2, { cluster: 'mgmt', management: 'mgmt', when: ago(1), clusters: TREE.map((c) => ({ ...c, snapshot: c.name !== 'w02' })) });
    const etcd = await find(root2, 24, { requireClusters: ['mgmt', 'w01', 'w02'], requireEtcdSnapshots: true });
    expect(etcd.found).toBeUndefined();
    expect(etcd.rejected[0]![1]).toBe('has no etcd snapshot of w02');
    expect((await find(root2, 24, { requireClusters: ['mgmt', 'w01', 'w02'] })).found).toBeDefined();
  });

  it('never reuses a failed, partial or unverifiable set, nor one dated in the future', async () => {
    const root = await tempFolder();
    await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(1), clusters: TREE, kind: 'failed' });
    await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(2), clusters: TREE, kind: 'partial' });
    await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(3), clusters: TREE, kind: 'no-manifest' });
    await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: ago(-2), clusters: TREE });
    const { found, rejected } = await find(root, 24);
    expect(found).toBeUndefined();
    expect(rejected.map(([, why]) => why)).toEqual(['created 2h in the future (clock skew?)']);
  });
});
