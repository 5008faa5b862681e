import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { restorePlan } from '../../src/commands/restore-plan.js';
import { SafeUpgradeError, UsageError } from '../../src/errors.js';
import { RESTORE_FILE } from '../../src/backup-sets/restore-file.js';
import { TREE, buildSet, tempFolder } from '../backup-sets/fixtures.js';
import { flag, invocations } from '../runbook/shell-parse.js';
import { recordingIo } from './io.js';

const WHEN = new Date(2026, 3, 1, 9, 30, 0);

describe('restore-plan', () => {
  it('prints the RESTORE.md written at creation, exactly, relative paths resolved from the working directory', async () => {
    const root = await tempFolder();
    const { dir } = await buildSet(path.join(root, 'mgmt'), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE, runbook: true });
    const io = recordingIo(root);
    expect(await restorePlan({ dir: path.relative(root, dir) }, io)).toBe('Success');
    expect(io.out).toEqual([await readFile(path.join(dir, RESTORE_FILE), 'utf8')]);
    expect(io.err).toEqual([]);
  });

  it('prints the plan for where a moved set is now, and says it differs from the stored one', async () => {
    const root = await tempFolder();
    const { dir } = await buildSet(path.join(root, 'mgmt'), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE, runbook: true });
    const moved = path.join(root, 'archive', path.basename(dir));
    await mkdir(path.dirname(moved));
    await rename(dir, moved);
    const io = recordingIo('/');
    await restorePlan({ dir: moved }, io);
    const moves = invocations(io.out[0]!, 'docker', { NEW_MGMT_KUBECONFIG: '/k/new', MGMT_KUBECONFIG: '/k/old' }).filter((a) => a.includes('move'));
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.every((a) => flag(a, '--from-directory') === path.join(moved, 'capi'))).toBe(true);
    expect(io.out[0]).not.toContain(dir);
    expect(io.err[0]).toMatch(/written for another location/);
  });

  it('warns when RESTORE.md was changed after the backup, and prints the plan from the manifest', async () => {
    const root = await tempFolder();
    const { dir } = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE, runbook: true });
    const original = await readFile(path.join(dir, RESTORE_FILE), 'utf8');
    await writeFile(path.join(dir, RESTORE_FILE), original.replace('--filter-cluster w01', '--filter-cluster evil'));
    const io = recordingIo('/');
    await restorePlan({ dir }, io);
    expect(io.err[0]).toMatch(/changed after the backup was taken/);
    expect(io.out[0]).toBe(original);
  });

  it('renders a plan for a set made before sets carried RESTORE.md', async () => {
    const root = await tempFolder();
    const { dir } = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE });
    const io = recordingIo('/');
    await restorePlan({ dir }, io);
    expect(io.err[0]).toMatch(/has no RESTORE.md/);
    expect(io.out[0]).toContain('# Restore runbook: `mgmt-backup-2026-04-01T09_30_00`');
  });

  it('refuses a failed set, and a folder without a manifest', async () => {
    const root = await tempFolder();
    const failed = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE, kind: 'failed' });
    const error = await restorePlan({ dir: failed.dir }, recordingIo('/')).catch((e) => e);
    expect(error).toBeInstanceOf(SafeUpgradeError);
    expect(error.exit).toBe('VerifyFailed');
    expect(error.message).toMatch(/is failed \(clusterctl move failed/);
    const eksa = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: new Date(2026, 3, 2), clusters: TREE, kind: 'no-manifest' });
    await expect(restorePlan({ dir: eksa.dir }, recordingIo('/'))).rejects.toThrow(UsageError);
    await rm(eksa.dir, { recursive: true });
  });
});

// Issue 15: restore-plan reads the set's capi/ Machine files (the runbook's member addresses), its RESTORE.md and
// its manifest.json; only regular files inside the set are read, as verify counts them (test/backup/verify-regular-files.test.ts).
describe('restore-plan reads only regular files inside the set', () => {
  const machineFile = async (dir: string) => {
    const names = (await readdir(path.join(dir, 'capi'))).filter((n) => n.startsWith('Machine_')).sort();
    expect(names.length).toBeGreaterThan(0);
    return path.join(dir, 'capi', names[0]!);
  };
  it.each([
    ['a FIFO in place of a capi/ Machine file', async (dir: string) => {
      const file = await machineFile(dir);
      await rm(file);
      execFileSync('mkfifo', [file]);
    }, /capi\/Machine_\S+ is a FIFO: only regular files inside the set count/],
    ['a symlink in place of a capi/ Machine file, to a Machine outside the set', async (dir: string, root: string) => {
      const file = await machineFile(dir);
      const outside = path.join(root, 'elsewhere.yaml');
      await writeFile(outside, (await readFile(file, 'utf8')).replace(/"address":\s*"[^"]*"/g, '"address": "203.0.113.66"'));
      await rm(file);
      await symlink(outside, file);
    }, /capi\/Machine_\S+ is a symlink: only regular files inside the set count/],
    ['a symlink in place of the capi/ folder', async (dir: string, root: string) => {
      const outside = path.join(root, 'capi-copy');
      execFileSync('cp', ['-a', path.join(dir, 'capi'), outside]);
      await rm(path.join(dir, 'capi'), { recursive: true });
      await symlink(outside, path.join(dir, 'capi'));
    }, /capi\/Machine\w*_\S+ is reached through a symlinked folder, outside the set/],
    ['a FIFO in place of RESTORE.md', async (dir: string) => {
      await rm(path.join(dir, RESTORE_FILE));
      execFileSync('mkfifo', [path.join(dir, RESTORE_FILE)]);
    }, /RESTORE\.md is a FIFO/],
  ])('%s is refused (exit VerifyFailed, naming the file), and nothing hangs', async (_what, replace, why) => {
    const root = await tempFolder();
    const { dir } = await buildSet(path.join(root, 'mgmt'), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE, runbook: true });
    await replace(dir, root);
    const io = recordingIo('/');
    const error = await restorePlan({ dir }, io).catch((e) => e);
    expect(error).toBeInstanceOf(SafeUpgradeError);
    expect(error.exit).toBe('VerifyFailed');
    expect(error.message).toMatch(why);
    expect(error.hint).toMatch(/eksa-safe-upgrade verify /);
    expect(io.out).toEqual([]);
    expect(io.out.join('')).not.toContain('203.0.113.66');
  }, 10_000);

  it('a FIFO in place of manifest.json is refused as a set whose manifest does not parse, and nothing hangs', async () => {
    const root = await tempFolder();
    const { dir } = await buildSet(path.join(root, 'mgmt'), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE, runbook: true });
    await rm(path.join(dir, 'manifest.json'));
    execFileSync('mkfifo', [path.join(dir, 'manifest.json')]);
    await expect(restorePlan({ dir }, recordingIo('/'))).rejects.toThrow(/manifest\.json does not parse: manifest\.json is a FIFO/);
  }, 10_000);
});
