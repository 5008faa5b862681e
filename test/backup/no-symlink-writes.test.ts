import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSetDir } from '../../src/backup/private-files.js';
import { SafeUpgradeError } from '../../src/errors.js';
import { listBackups } from '../../src/backup-sets/list.js';
import { verificationRecordPath, writeVerificationRecord } from '../../src/backup-sets/verification-record.js';
import { TREE, buildSet, tempFolder } from '../backup-sets/fixtures.js';

const WHEN = new Date(2026, 10, 29, 10, 0, 0);

describe('nothing is written through a symlink (issue 15, finding 10)', () => {
  it('a pre-created `<set>.partial` symlink is refused: the set is never written into its target', async () => {
    const root = await tempFolder();
    const target = path.join(root, 'elsewhere');
    await mkdir(target);
    const partial = path.join(root, 'mgmt-backup-2026-11-29T10_00_00.partial');
    await symlink(target, partial);
    await expect(createSetDir(partial)).rejects.toThrow(/already exists as a symlink/);
    await expect(createSetDir(partial)).rejects.toBeInstanceOf(SafeUpgradeError);
    expect(await readdir(target)).toEqual([]);
    const fresh = path.join(root, 'mgmt-backup-2026-11-29T10_00_01.partial');
    await createSetDir(fresh);
    expect((await stat(fresh)).mode & 0o777).toBe(0o700);
  });

  it('a `<set>.verified.json` symlink is refused, neither followed nor chmodded (backups list --verify)', async () => {
    const root = await tempFolder();
    const { dir } = await buildSet(path.join(root, 'mgmt'), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE });
    const victim = path.join(root, 'victim.txt');
    await writeFile(victim, 'precious\n', { mode: 0o644 });
    await symlink(victim, verificationRecordPath(dir));
    await expect(writeVerificationRecord(dir, { dir, manifest: undefined, files: [], problems: [], ok: true }, new Date())).rejects.toThrow(/symlink/);
    const list = await listBackups({ dir: path.join(root, 'mgmt'), verify: true, now: () => new Date() });
    expect(list.sets[0]!.lastVerified).toMatchObject({ ok: false, problems: [expect.stringMatching(/not recorded: .*symlink/)] });
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
    expect((await stat(victim)).mode & 0o777).toBe(0o644);
  });

  it('a record is still written, 0600, where none or a regular one exists', async () => {
    const root = await tempFolder();
    const { dir } = await buildSet(path.join(root, 'mgmt'), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE });
    for (let i = 0; i < 2; i++) await writeVerificationRecord(dir, { dir, manifest: undefined, files: [], problems: [], ok: true }, new Date());
    expect((await stat(verificationRecordPath(dir))).mode & 0o777).toBe(0o600);
    expect(existsSync(verificationRecordPath(dir))).toBe(true);
    expect((await readdir(path.join(root, 'mgmt'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
