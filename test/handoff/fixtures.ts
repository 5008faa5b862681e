import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runner } from '../../src/runner/runner.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixturesDir = path.join(repoRoot, 'test', 'fixtures', 'handoff');
export const parentScript = path.join(fixturesDir, 'parent.mjs');

/** An environment with the fake eksctl first on PATH. */
export function fakeEksctlEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${fixturesDir}${path.delimiter}${process.env.PATH ?? ''}`, ...extra };
}

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'handoff-'));
}

export function testRunner(dryRun: boolean, env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const runner = new Runner({ dryRun, verbose: false, log: (l) => lines.push(l), env });
  return { runner, lines };
}

/** Wait until `file` exists (a fixture writes it), or fail after `timeoutMs`. */
export async function waitForFile(file: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return readFileSync(file, 'utf8');
}

/** Process group of a live process, from /proc (Linux). */
export function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

export function requireBuiltDist(): void {
  if (!existsSync(path.join(repoRoot, 'dist', 'handoff', 'run-handoff.js'))) {
    throw new Error('dist/handoff/run-handoff.js is missing: run npx tsc -p tsconfig.json first');
  }
}
