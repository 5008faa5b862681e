import { execa } from 'execa';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binPath = path.join(repoRoot, 'bin', 'eksa-safe-upgrade.js');

export interface BinResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run the built CLI as an operator would: a real process, its own env and working directory. */
export async function runBin(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<BinResult> {
  if (!existsSync(path.join(repoRoot, 'dist', 'cli.js'))) throw new Error('dist/ is missing: run npm run build first');
  const result = await execa(process.execPath, [binPath, ...args], {
    env: { ...options.env, NO_COLOR: '1', CI: '1' },
    extendEnv: false,
    cwd: options.cwd,
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
    stdin: 'ignore',
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Lines of an NDJSON journal file (ours and the fakes'), parsed. */
export function readJournal(file: string): Array<Record<string, any>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Record<string, any>);
}
