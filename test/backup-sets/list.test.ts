import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBackups } from '../../src/backup-sets/list.js';
import { verificationRecordPath } from '../../src/backup-sets/verification-record.js';
import { TREE, buildSet, mixedFolder, tempFolder } from './fixtures.js';

describe('listBackups', () => {
  it('gives every set its state from the manifests alone', async () => {
    const f = await mixedFolder();
    const list = await listBackups({ dir: f.root, verify: false, now: () => new Date() });
    expect(list.sets.map((s) => [s.name, s.state])).toEqual([
      [path.basename(f.complete.dir), 'complete'],
      [path.basename(f.tampered.dir), 'complete'], // not hashed: nothing shows yet
      [path.basename(f.failed.dir), 'failed'],
      [path.basename(f.partial.dir), 'partial'],
      [path.basename(f.eksa.dir), 'unverifiable'],
    ]);
    const complete = list.sets[0]!;
    expect(complete).toMatchObject({ cluster: 'mgmt', scope: 'whole-tree', scopeClusters: ['mgmt', 'w01', 'w02'], etcdSnapshots: 3, note: null });
    expect(complete.createdAt).toBe(f.complete.manifest!.createdAt);
    expect(complete.size).toBe(f.complete.manifest!.files.reduce((n, x) => n + x.size, 0));
    expect(complete.lastVerified).toEqual({ at: f.complete.manifest!.createdAt, ok: true, source: 'creation', problems: [] });
    expect(list.sets[2]!.note).toMatch(/clusterctl move failed/);
    expect(list.sets[2]!.lastVerified).toBeNull();
  });

  it('with --verify hashes every complete set, finds the tampered one, and records the outcome beside each set', async () => {
    const f = await mixedFolder();
    const now = new Date('2026-02-01T00:00:00Z');
    const list = await listBackups({ dir: f.root, verify: true, now: () => now });
    const byName = new Map(list.sets.map((s) => [s.dir, s]));
    expect(byName.get(f.complete.dir)!.lastVerified).toEqual({ at: now.toISOString(), ok: true, source: 'verify', problems: [] });
    const tampered = byName.get(f.tampered.dir)!.lastVerified!;
    expect(tampered.ok).toBe(false);
    expect(tampered.problems).toEqual(['1 file(s) do not match the manifest']);
    expect(byName.get(f.failed.dir)!.lastVerified).toBeNull();

    const record = JSON.parse(await readFile(verificationRecordPath(f.tampered.dir), 'utf8'));
    expect(record).toEqual({ verifiedAt: now.toISOString(), ok: false, problems: ['1 file(s) do not match the manifest'] });
    // A later list without --verify shows the recorded outcome.
    const again = await listBackups({ dir: f.root, verify: false, now: () => new Date() });
    expect(again.sets.find((s) => s.dir === f.tampered.dir)!.lastVerified).toMatchObject({ ok: false, source: 'verify', at: now.toISOString() });
  });

  it('reads hundreds of sets quickly, since it reads manifests only', async () => {
    const root = await tempFolder();
    const template = await buildSet(path.join(root, 'template'), { cluster: 'mgmt', management: 'mgmt', when: new Date(2026, 0, 1), clusters: TREE });
    const manifest = template.manifest!;
    const count = 300;
    const folder = path.join(root, 'mgmt');
    for (let i = 0; i < count; i++) {
      const when = new Date(2025, 0, 1, 0, 0, i * 60);
      const name = `mgmt-backup-${when.getFullYear()}-01-01T${String(when.getHours()).padStart(2, '0')}_${String(when.getMinutes()).padStart(2, '0')}_00`;
      await mkdir(path.join(folder, name), { recursive: true });
      await writeFile(path.join(folder, name, 'manifest.json'), JSON.stringify({ ...manifest, createdAt: when.toISOString(), folderTimestamp: name.slice('mgmt-backup-'.length) }));
    }
    const started = performance.now();
    const list = await listBackups({ dir: folder, verify: false, now: () => new Date() });
    const ms = performance.now() - started;
    expect(list.sets).toHaveLength(count);
    expect(list.sets.every((s) => s.state === 'complete')).toBe(true); // manifests list files that are absent: not looked at
    expect(ms).toBeLessThan(5000);
  });
});
