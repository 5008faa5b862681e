import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError, ToolError } from '../../src/errors.js';
import { read, write } from '../../src/command.js';
import { Runner } from '../../src/runner/runner.js';

function runner(dryRun: boolean, verbose = false) {
  const lines: string[] = [];
  const journalFile = path.join(mkdtempSync(path.join(tmpdir(), 'runner-')), 'journal.ndjson');
  const r = new Runner({ dryRun, verbose, log: (l) => lines.push(l), journalFile });
  return { r, lines, journalFile };
}

describe('Runner', () => {
  it('runs a read in dry-run and prints it as $ at -v', async () => {
    const { r, lines } = runner(true, true);
    const result = await r.run(read(['node', '-e', 'process.stdout.write("hi")'], 'say hi'));
    expect(result.stdout).toBe('hi');
    expect(result.skipped).toBe(false);
    expect(lines).toEqual([`$ node -e 'process.stdout.write("hi")'`]);
  });

  it('does not run a write in dry-run, prints it as !, journals it as skipped', async () => {
    const { r, lines, journalFile } = runner(true);
    const marker = path.join(tmpdir(), `runner-marker-${process.pid}-${Date.now()}`);
    const result = await r.run(write(['node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`], 'write a marker'));
    expect(result.skipped).toBe(true);
    expect(() => readFileSync(marker)).toThrow();
    expect(lines[0]).toMatch(/^! node -e /);
    const entries = readFileSync(journalFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(entries).toMatchObject([{ kind: 'write', dryRun: true, skipped: true, exitCode: null }]);
  });

  it('runs a write for real outside dry-run and journals exit code and duration', async () => {
    const { r } = runner(false);
    await r.run(write(['node', '-e', 'process.exit(0)'], 'exit 0'));
    expect(r.entries()[0]).toMatchObject({ kind: 'write', skipped: false, exitCode: 0 });
    expect(r.entries()[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('throws a ToolError with the meaningful stderr line on failure', async () => {
    const { r } = runner(false);
    const failing = read(['node', '-e', 'console.error("W1 noise"); console.error("error: it broke"); process.exit(3)'], 'break');
    await expect(r.run(failing)).rejects.toBeInstanceOf(ToolError);
    await expect(r.run(failing)).rejects.toThrow('break: error: it broke');
    expect(r.entries().at(-1)).toMatchObject({ exitCode: 3, error: 'error: it broke' });
  });

  it('returns the failure as a result with reject: false', async () => {
    const { r } = runner(false);
    const result = await r.run(read(['node', '-e', 'process.exit(4)'], 'exit 4'), { reject: false });
    expect(result.exitCode).toBe(4);
  });

  it('names a missing tool as an environment error', async () => {
    const { r } = runner(false);
    await expect(r.run(read(['no-such-tool-xyz', 'version'], 'version'))).rejects.toThrow(EnvironmentError);
    await expect(r.run(read(['no-such-tool-xyz', 'version'], 'version'))).rejects.toThrow('no-such-tool-xyz not found on PATH');
  });

  it('feeds input on stdin and journals only its size', async () => {
    const { r, journalFile } = runner(false);
    const result = await r.run(read(['node', '-e', 'process.stdin.pipe(process.stdout)'], 'echo', { input: 'secret-script' }));
    expect(result.stdout).toBe('secret-script');
    const text = readFileSync(journalFile, 'utf8');
    expect(text).not.toContain('secret-script');
    expect(JSON.parse(text.trim())).toMatchObject({ stdinBytes: 13 });
  });

  it('kills a command that outlives its timeout', async () => {
    const { r } = runner(false);
    await expect(r.run(read(['node', '-e', 'setTimeout(() => {}, 10000)'], 'hang', { timeoutMs: 200 }))).rejects.toThrow(/timed out after 200 ms/);
  });

  it('redacts secret flag values in printed lines and in the journal', async () => {
    const { r, lines, journalFile } = runner(true);
    await r.run(write(['eksctl', 'x', '--token', 'abc123', '--password=hunter2'], 'secret'));
    expect(lines[0]).toBe(`! eksctl x --token '***' '--password=***'`);
    const text = readFileSync(journalFile, 'utf8');
    expect(text).not.toContain('abc123');
    expect(text).not.toContain('hunter2');
  });
});

describe('Runner.interrupt', () => {
  it('stops the command in flight, lets cleanup commands run, and throws at the next step boundary', async () => {
    const { r } = runner(false);
    const long = r.run(read(['node', '-e', 'setTimeout(() => {}, 20000)'], 'sleep'), { reject: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    r.interrupt('SIGINT');
    // Even with reject: false, a command killed by the interruption is the interruption, not a tool failure.
    await expect(long).rejects.toThrow(/interrupted by SIGINT while running: sleep/);
    expect(r.entries()[0]!.durationMs).toBeLessThan(10_000);
    const cleanup = await r.run(write(['node', '-e', 'process.stdout.write("cleaned")'], 'cleanup'));
    expect(cleanup.stdout).toBe('cleaned');
    expect(() => r.throwIfInterrupted()).toThrow(/interrupted by SIGINT/);
  });

  it('does not throw when nothing interrupted the run', () => {
    expect(() => runner(false).r.throwIfInterrupted()).not.toThrow();
  });
});
