// Every flag `--help` shows is in the README's flags table (issue 17, item 7): the docs cannot fall behind the parser.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../helpers/run-bin.js';

const COMMANDS = [['preflight'], ['backup'], ['verify'], ['drill'], ['cluster'], ['management-components'], ['workloads'], ['backups', 'list'], ['backups', 'prune'], ['backups', 'push'], ['backups', 'pull'], ['restore-plan'], ['version']];

/** The long flags in the first column of the README's flags tables. */
function readmeFlags(): Set<string> {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const flags = new Set<string>();
  for (const line of readme.split('\n')) {
    const first = /^\| ([^|]*(?:\\\|[^|]*)*) \|/.exec(line)?.[1];
    if (first === undefined) continue;
    for (const m of first.matchAll(/--[a-z][a-z0-9-]*/g)) flags.add(m[0]);
  }
  return flags;
}

/** The long flags a command's --help lists: ours and eksctl's. */
async function helpFlags(command: string[]): Promise<string[]> {
  const r = await execa(process.execPath, [binPath, ...command, '--help'], { env: { ...process.env, NO_COLOR: '1' }, reject: false });
  expect(r.exitCode).toBe(0);
  return [...new Set([...r.stdout.matchAll(/^\s+(?:-[a-z], )?(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1]!))];
}

describe('the README flags table', () => {
  it.each(COMMANDS.map((c) => [c.join(' '), c] as const))('lists every flag of %s --help', async (_name, command) => {
    const documented = readmeFlags();
    const missing = (await helpFlags(command)).filter((f) => !documented.has(f));
    expect(missing).toEqual([]);
  });
});
