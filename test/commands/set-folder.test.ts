// The commands that take a backup folder say what is wrong with the path itself (exit 2, naming it, with the
// command that lists the sets) instead of reporting a failed verification; `verify` prints a summary, every
// file at -v.
import { writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TREE, buildSet, tempFolder } from '../backup-sets/fixtures.js';
import { runBin } from '../helpers/run-bin.js';

describe('a backup folder that is not one', () => {
  it.each([['verify'], ['drill'], ['restore-plan']])('%s of a path that does not exist: exit 2, named, with the list command', async (command) => {
    const root = await tempFolder('set-folder-');
    const r = await runBin([command, 'mgmt/nope'], { env: process.env, cwd: root });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^Error: mgmt\/nope does not exist$/m);
    expect(r.stderr).toContain(`hint: list the sets with: eksa-safe-upgrade backups list --dir ${path.join(root, 'mgmt')}`);
    expect(r.stdout).toBe('');
  });

  it('a file where the folder should be: exit 2, not a folder', async () => {
    const root = await tempFolder('set-folder-');
    writeFileSync(path.join(root, 'file'), 'x');
    const r = await runBin(['verify', 'file'], { env: process.env, cwd: root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^Error: file is not a folder: pass a backup set's folder$/m);
  });

  it('a hostile path is shown with its control characters visible', async () => {
    const root = await tempFolder('set-folder-');
    const r = await runBin(['verify', 'x\u001b[2Jy'], { env: process.env, cwd: root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).not.toContain('\u001b');
  });
});

describe('verify prints a summary', () => {
  it('the counts and only what failed; -v lists every file', async () => {
    const root = await tempFolder('set-folder-');
    const { dir, manifest } = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: new Date(2026, 0, 5, 10), clusters: TREE });
    const total = manifest!.files.length;
    const good = await runBin(['verify', dir], { env: process.env, cwd: root });
    expect(good.exitCode, good.stderr).toBe(0);
    expect(good.stdout.split('\n').filter((l) => l.startsWith('ok '))).toEqual([]);
    expect(good.stdout).toContain(`${total} of ${total} files match their sha256`);
    const verbose = await runBin(['verify', dir, '-v', '1'], { env: process.env, cwd: root });
    expect(verbose.stdout.split('\n').filter((l) => /^ok\s/.test(l))).toHaveLength(total);

    await appendFile(path.join(dir, manifest!.files[0]!.path), 'changed');
    const bad = await runBin(['verify', dir], { env: process.env, cwd: root });
    expect(bad.exitCode).toBe(9);
    const shown = bad.stdout.split('\n').filter((l) => /^\S+\s+\S/.test(l) && !l.startsWith('problem:') && !/files match|Verification failed/.test(l));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toContain(manifest!.files[0]!.path);
    expect(bad.stdout).toContain(`${total - 1} of ${total} files match their sha256 (-v lists every file)`);
  });
});
