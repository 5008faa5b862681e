// checkWritable touches the file system: each case gets its own temp folder.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { checkWritable } from '../../src/steps/check-paths.js';

const root = process.getuid?.() === 0;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'check-paths-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function problem(file: string): Promise<UsageError | undefined> {
  try {
    await checkWritable('--report', file);
    return undefined;
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
}

describe('checkWritable', () => {
  it('a new file in a writable folder is fine', async () => {
    expect(await problem(path.join(dir, 'report.json'))).toBeUndefined();
  });

  it('an existing writable file is fine', async () => {
    const file = path.join(dir, 'existing.json');
    writeFileSync(file, '{}');
    expect(await problem(file)).toBeUndefined();
  });

  it('a folder is refused as a folder', async () => {
    const folder = path.join(dir, 'a-folder');
    mkdirSync(folder);
    const e = await problem(folder);
    expect(e?.message).toBe(`--report ${folder} is a folder`);
    expect(e?.hint).toMatch(/name a file for --report/);
  });

  it('a missing parent folder is refused, naming it', async () => {
    const parent = path.join(dir, 'missing', 'deeper');
    const e = await problem(path.join(parent, 'report.json'));
    expect(e?.message).toBe(`--report ${path.join(parent, 'report.json')} cannot be written (its folder ${parent} does not exist or is not writable)`);
  });

  it('a parent that is a file, not a folder, is refused', async () => {
    const file = path.join(dir, 'plain-file');
    writeFileSync(file, '');
    const e = await problem(path.join(file, 'report.json'));
    expect(e?.message).toMatch(new RegExp(`its folder ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist`));
  });

  it.skipIf(root)('an existing file that is not writable is refused (skipped as root: root writes it anyway)', async () => {
    const file = path.join(dir, 'read-only.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0o400);
    const e = await problem(file);
    expect(e?.message).toBe(`--report ${file} cannot be written (the file is not writable)`);
  });

  it.skipIf(root)('a folder that is not writable is refused (skipped as root: root writes it anyway)', async () => {
    const folder = path.join(dir, 'read-only-folder');
    mkdirSync(folder, { mode: 0o500 });
    const e = await problem(path.join(folder, 'report.json'));
    expect(e?.message).toBe(`--report ${path.join(folder, 'report.json')} cannot be written (its folder ${folder} does not exist or is not writable)`);
    chmodSync(folder, 0o700);
  });
});
