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
  const out = { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  assertNoSimSecret({ stdout: out.stdout, stderr: out.stderr }, args);
  return out;
}

/**
 * Every simulated Secret value is `sim-secret-<cluster>-<purpose>-<noise>`, stored base64-encoded
 * (sim/generate/secrets.js), so either form in an output is a leak. Every run of the CLI in the e2e tests
 * goes through this check: no test can print a simulated secret and pass.
 */
const SIM_SECRET = /sim-secret-|c2ltLXNlY3JldC/;

/** Where a simulated secret appears in these outputs, e.g. `stderr: "…sim-secret-mgmt-…"`; undefined when none does. */
export function findSimSecret(outputs: Record<string, string>): string | undefined {
  for (const [where, text] of Object.entries(outputs)) {
    const hit = SIM_SECRET.exec(text);
    if (hit) return `${where}: ${JSON.stringify(text.slice(Math.max(0, hit.index - 20), hit.index + 40))}`;
  }
  return undefined;
}

export function assertNoSimSecret(outputs: Record<string, string>, args: readonly string[]): void {
  const leak = findSimSecret(outputs);
  if (leak) throw new Error(`eksa-safe-upgrade ${args.join(' ')} printed a simulated secret in ${leak}`);
}

/** Lines of an NDJSON journal file (ours and the fakes'), parsed. */
export function readJournal(file: string): Array<Record<string, any>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Record<string, any>);
}
