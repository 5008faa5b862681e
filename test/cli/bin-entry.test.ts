// Which build the bin runs: the bundle `npm run build` writes, unless tsc rebuilt dist/ after it (a `tsc`-only
// build), so a run never uses a bundle older than the modules it was built from. npm's tarballs give every
// file the same time: the bundle then.
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath } from '../helpers/run-bin.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A copy of the bin beside a dist/ whose two entries only say which one was loaded. */
function install(times: { bundle?: number; modules?: number }): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bin-entry-'));
  roots.push(root);
  mkdirSync(path.join(root, 'bin'));
  mkdirSync(path.join(root, 'dist'));
  copyFileSync(binPath, path.join(root, 'bin', 'eksa-safe-upgrade.js'));
  const stub = (name: string) =>
    [
      'export const ExitCode = { Success: 0 };',
      `export async function main(args, io) { io.stdout(${JSON.stringify(name)}); return 'Success'; }`,
      'export const describeFailure = () => ({ text: "", exit: "Success" });',
      'export const isVerbose = () => false;',
      'export const printable = (t) => t;',
      'export const redactUrls = (t) => t;',
      'export const processIo = () => ({ stdout: (t) => process.stdout.write(`${t}\\n`) });',
    ].join('\n');
  for (const [file, at] of [['cli.bundle.mjs', times.bundle], ['entry.js', times.modules]] as const) {
    if (at === undefined) continue;
    const full = path.join(root, 'dist', file);
    writeFileSync(full, stub(file));
    utimesSync(full, at, at);
  }
  return path.join(root, 'bin', 'eksa-safe-upgrade.js');
}

async function loaded(bin: string): Promise<string> {
  const r = await execa(process.execPath, [bin, '--version'], { reject: false, stdin: 'ignore' });
  expect(r.exitCode).toBe(0);
  return r.stdout.trim();
}

describe('bin/eksa-safe-upgrade.js', () => {
  const t = 1_700_000_000;
  it('runs the bundle when it is newer than the modules (npm run build)', async () => {
    expect(await loaded(install({ bundle: t + 10, modules: t }))).toBe('cli.bundle.mjs');
  });

  it('runs the modules when tsc rebuilt them after the bundle', async () => {
    expect(await loaded(install({ bundle: t, modules: t + 10 }))).toBe('entry.js');
  });

  it('runs the bundle when both have the same time (npm pack) or only the bundle is there', async () => {
    expect(await loaded(install({ bundle: t, modules: t }))).toBe('cli.bundle.mjs');
    expect(await loaded(install({ bundle: t }))).toBe('cli.bundle.mjs');
  });
});
