import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/backup/manifest.js';
import { classifySet, discoverBackupSets, folderTime, scanBackupSets, type ManifestRead } from '../../src/backup-sets/backup-sets.js';
import { TREE, buildSet, tempFolder } from './fixtures.js';

describe('classifySet', async () => {
  const root = await tempFolder();
  const { manifest } = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: new Date(2026, 0, 1, 8, 0, 0), clusters: TREE.slice(0, 1) });
  const ok: ManifestRead = { kind: 'ok', manifest: manifest!, upgradedAt: undefined };
  const failed: ManifestRead = { kind: 'ok', manifest: { ...manifest!, state: 'failed', error: 'clusterctl move failed' }, upgradedAt: undefined };
  const name = (suffix = '', cluster = 'mgmt', timestamp = '2026-01-01T08_00_00') => ({ cluster, timestamp, suffix });

  it.each([
    ['complete', name(), ok, 'complete', undefined],
    ['.partial without a manifest', name('.partial'), { kind: 'missing' }, 'partial', 'being written, or the run that wrote it stopped'],
    ['.partial with a manifest (never renamed)', name('.partial'), ok, 'partial', 'manifest written but never renamed into place'],
    ['.failed', name('.failed'), failed, 'failed', 'clusterctl move failed'],
    ['.failed without a manifest', name('.failed'), { kind: 'missing' }, 'failed', 'failed, without a readable manifest'],
    ['a manifest that says failed', name(), failed, 'failed', 'clusterctl move failed'],
    ['no manifest (an EKS-A backup)', name(), { kind: 'missing' }, 'unverifiable', 'no manifest.json (an EKS-A backup, or not made by eksa-safe-upgrade)'],
    ['a manifest that does not parse', name(), { kind: 'invalid', error: 'Unexpected token' }, 'unverifiable', 'manifest.json does not parse: Unexpected token'],
    ['another set\'s manifest', name('', 'mgmt', '2026-02-02T00_00_00'), ok, 'unverifiable', 'manifest.json belongs to mgmt-backup-2026-01-01T08_00_00, not this folder'],
  ] as const)('%s', (_title, parsed, read, state, note) => {
    expect(classifySet(parsed, read as ManifestRead)).toEqual({ state, note });
  });
});

describe('folderTime', () => {
  it('reads the local time EKS-A names folders with, and refuses impossible dates', () => {
    expect(folderTime('2026-11-29T03_04_05')).toEqual(new Date(2026, 10, 29, 3, 4, 5));
    expect(folderTime('2026-02-30T00_00_00')).toBeUndefined();
    expect(folderTime('latest')).toBeUndefined();
  });
});

describe('scanBackupSets', () => {
  it('finds the sets of a folder, newest first, reading upgradedAt and skipping what is not a set', async () => {
    const root = await tempFolder();
    await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: new Date(2026, 0, 1), clusters: TREE.slice(0, 1) });
    await buildSet(root, { cluster: 'w01', management: 'mgmt', when: new Date(2026, 0, 3), clusters: TREE.slice(1, 2), upgradedAt: '2026-01-04T00:00:00Z' });
    await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: new Date(2026, 0, 2), clusters: TREE.slice(0, 1), kind: 'failed' });
    await mkdir(path.join(root, 'generated'));
    await writeFile(path.join(root, 'mgmt-eks-a-cluster.kubeconfig'), 'x');
    await symlink(path.join(root, 'generated'), path.join(root, 'mgmt-backup-2026-05-05T00_00_00'));
    const sets = await scanBackupSets(root);
    expect(sets.map((s) => [s.name, s.state])).toEqual([
      ['w01-backup-2026-01-03T00_00_00', 'complete'],
      ['mgmt-backup-2026-01-02T00_00_00.failed', 'failed'],
      ['mgmt-backup-2026-01-01T00_00_00', 'complete'],
    ]);
    expect(sets[0]!.upgradedAt).toEqual(new Date('2026-01-04T00:00:00Z'));
    const manifest = parseManifest(await readFile(path.join(sets[2]!.dir, 'manifest.json'), 'utf8'));
    expect(sets[2]!.size).toBe(manifest.files.reduce((n, f) => n + f.size, 0));
    expect(sets[1]!.size).toBeGreaterThan(0); // a failed set lists no files: its size comes from the disk
  });

  it('looks one level down when the folder holds no set, as from the folder eksctl runs in', async () => {
    const root = await tempFolder();
    await buildSet(path.join(root, 'mgmt'), { cluster: 'mgmt', management: 'mgmt', when: new Date(2026, 0, 1), clusters: TREE.slice(0, 1) });
    await buildSet(path.join(root, 'other'), { cluster: 'other', management: 'other', when: new Date(2026, 0, 2), clusters: [{ ...TREE[0]!, name: 'other' }] });
    const found = await discoverBackupSets(root);
    expect(found.folders).toEqual([path.join(root, 'mgmt'), path.join(root, 'other')]);
    expect(found.sets.map((s) => s.cluster)).toEqual(['other', 'mgmt']);
  });
});
