import { execFileSync } from 'node:child_process';
import { copyFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyBackupSet } from '../../src/backup/verify-set.js';
import { listBackups } from '../../src/backup-sets/list.js';
import { TREE, buildSet, tempFolder } from '../backup-sets/fixtures.js';

const WHEN = new Date(2026, 10, 29, 10, 0, 0);

/** A complete set whose first etcd snapshot is replaced by `replace(file)`. */
async function setWith(replace: (file: string, root: string) => Promise<void>) {
  const root = await tempFolder();
  const { dir, manifest } = await buildSet(path.join(root, 'mgmt'), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE });
  const file = path.join(dir, manifest!.etcd[0]!.file);
  await replace(file, root);
  return { root, dir, rel: manifest!.etcd[0]!.file };
}

describe('verify counts only regular files inside the set (issue 15, finding 11)', () => {
  it.each([
    ['a FIFO', async (file: string) => {
      await rm(file);
      execFileSync('mkfifo', [file]);
    }, /FIFO/],
    ['a symlink to /dev/zero', async (file: string) => {
      await rm(file);
      await symlink('/dev/zero', file);
    }, /symlink/],
    ['a symlink to an identical file outside the set', async (file: string, root: string) => {
      const outside = path.join(root, 'outside.db');
      await copyFile(file, outside);
      await rm(file);
      await symlink(outside, file);
    }, /symlink/],
  ])('%s is refused, and nothing hangs (verify and backups list --verify)', async (_label, replace, why) => {
    const { root, dir, rel } = await setWith(replace);
    const result = await verifyBackupSet(dir);
    expect(result.ok).toBe(false);
    expect(result.files.find((f) => f.path === rel)).toMatchObject({ status: 'refused', detail: expect.stringMatching(why) });
    const list = await listBackups({ dir: path.join(root, 'mgmt'), verify: true, now: () => new Date() });
    expect(list.sets[0]!.lastVerified).toMatchObject({ ok: false });
  }, 10_000);

  it('a folder of the set that is a symlink to a copy outside is refused', async () => {
    const { root, dir } = await setWith(async () => undefined);
    const outside = path.join(root, 'capi-copy');
    execFileSync('cp', ['-a', path.join(dir, 'spec'), outside]);
    await rm(path.join(dir, 'spec'), { recursive: true });
    await symlink(outside, path.join(dir, 'spec'));
    const result = await verifyBackupSet(dir);
    expect(result.ok).toBe(false);
    expect(result.files.filter((f) => f.path.startsWith('spec/')).map((f) => f.status)).not.toContain('ok');
  });
});
