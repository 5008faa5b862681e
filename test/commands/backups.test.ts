import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupsList, backupsPrune } from '../../src/commands/backups.js';
import { UsageError } from '../../src/errors.js';
import { TREE, buildSet, mixedFolder, tempFolder } from '../backup-sets/fixtures.js';
import { recordingIo } from './io.js';

describe('backups list', () => {
  it('prints one row per set with its state, and passes without --verify', async () => {
    const f = await mixedFolder();
    const io = recordingIo(f.root);
    expect(await backupsList({ dir: undefined, output: 'table', verify: false }, io)).toBe('Success');
    const [table] = io.out;
    const lines = table!.split('\n');
    expect(lines[0]).toMatch(/^NAME +CLUSTER +SCOPE +CREATED +SIZE +ETCD +STATE +LAST VERIFIED +LAST DRILLED$/);
    const row = (dir: string) => lines.find((l) => l.startsWith(path.basename(dir)))!;
    expect(row(f.complete.dir)).toMatch(/ mgmt +whole-tree +\S+ \S+Z +[\d.]+ KiB +3 +complete +ok \S+ \S+Z \(at creation\) +-$/);
    expect(row(f.failed.dir)).toContain('failed: clusterctl move failed');
    expect(row(f.partial.dir)).toContain('partial: being written');
    expect(row(f.eksa.dir)).toContain('unverifiable: no manifest.json');
    expect(table).toContain('pass --verify to hash every file');
  });

  it('with --verify names the tampered set and exits VerifyFailed', async () => {
    const f = await mixedFolder();
    const io = recordingIo('/');
    expect(await backupsList({ dir: f.root, output: 'table', verify: true }, io)).toBe('VerifyFailed');
    const tampered = io.out[0]!.split('\n').find((l) => l.startsWith(path.basename(f.tampered.dir)))!;
    expect(tampered).toMatch(/FAILED \S+ \S+Z: 1 file\(s\) do not match the manifest +-$/);
    expect(io.out[0]).toContain('1 set(s) do not match their manifest.');
  });

  it('prints JSON with -o json', async () => {
    const f = await mixedFolder();
    const io = recordingIo('/');
    await backupsList({ dir: f.root, output: 'json', verify: false }, io);
    const doc = JSON.parse(io.out[0]!);
    expect(doc.command).toBe('backups list');
    expect(doc.sets.map((s: { state: string }) => s.state)).toEqual(['complete', 'complete', 'failed', 'partial', 'unverifiable']);
  });

  it('says when the folder does not exist', async () => {
    await expect(backupsList({ dir: '/nonexistent/mgmt', output: 'table', verify: false }, recordingIo('/'))).rejects.toThrow(UsageError);
  });
});

describe('backups prune', () => {
  async function oldSets() {
    const root = await tempFolder();
    const day = 24 * 3600_000;
    const old = (d: number) => new Date(Date.now() - d * day);
    const mgmt = TREE.slice(0, 1);
    const sets = [
      await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: old(90), clusters: mgmt }),
      await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: old(80), clusters: mgmt, kind: 'failed' }),
      await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: old(70), clusters: mgmt }),
    ];
    return { root, sets };
  }

  it('--dry-run prints what it would remove and removes nothing', async () => {
    const { root, sets } = await oldSets();
    const io = recordingIo(root);
    expect(await backupsPrune({ dir: undefined, keep: 1, olderThan: '30d', dryRun: true, output: 'table' }, io)).toBe('Success');
    expect(io.out[0]).toBe(`would remove ${sets[1]!.dir}: failed, 80d old, beyond the 1 set(s) kept for mgmt`);
    expect(io.out[1]).toMatch(new RegExp(`^would remove ${sets[0]!.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: complete, 90d old`));
    expect(io.out.at(-1)).toBe('Dry run: 2 set(s) would be removed, nothing was (keep 1 per cluster, remove only older than 30d).');
    expect((await readdir(root)).length).toBe(3);
  });

  it('removes them and says so', async () => {
    const { root, sets } = await oldSets();
    const io = recordingIo('/');
    await backupsPrune({ dir: root, keep: 1, olderThan: '30d', dryRun: false, output: 'table' }, io);
    expect(io.out.filter((l) => l.startsWith('removed ')).map((l) => l.split(':')[0])).toEqual([`removed ${sets[1]!.dir}`, `removed ${sets[0]!.dir}`]);
    expect(io.out.at(-1)).toBe('2 set(s) removed (keep 1 per cluster, remove only older than 30d).');
    expect(existsSync(sets[2]!.dir)).toBe(true);
  });

  it('prints its decisions as JSON with -o json', async () => {
    const { root } = await oldSets();
    const io = recordingIo('/');
    await backupsPrune({ dir: root, keep: 5, olderThan: '2w', dryRun: true, output: 'json' }, io);
    const doc = JSON.parse(io.out[0]!);
    expect(doc).toMatchObject({ command: 'backups prune', dryRun: true, keep: 5, olderThanMs: 14 * 24 * 3600_000 });
    expect(doc.outcomes.every((o: { result: string }) => o.result === 'kept')).toBe(true);
  });

  it.each([
    [{ keep: -1, olderThan: '30d' }, /--keep/],
    [{ keep: 1.5, olderThan: '30d' }, /--keep/],
    [{ keep: 1, olderThan: '30 days' }, /--older-than/],
  ])('refuses %j', async (flags, message) => {
    await expect(backupsPrune({ dir: '/', dryRun: true, output: 'table', ...flags }, recordingIo('/'))).rejects.toThrow(message);
  });
});
