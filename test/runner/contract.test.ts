// One contract for the runner's three modes (buffer, stream, inherit), run against small real commands: exit
// codes, failures, a missing program, timeouts, the journal entry, secret redaction, dry-run and interruption.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError, SafeUpgradeError, ToolError } from '../../src/errors.js';
import { read, write, type Command } from '../../src/command.js';
import type { RunMode } from '../../src/runner/journal.js';
import { Runner, type RunOptions } from '../../src/runner/runner.js';
import { fakeEksctlEnv, fixturesDir as handoffFixtures, repoRoot, requireBuiltDist, waitForFile } from '../handoff/fixtures.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'contract-'));
  made.push(dir);
  return dir;
}

function runner(dryRun: boolean, verbose = false) {
  const lines: string[] = [];
  const journalFile = path.join(tempDir(), 'journal.ndjson');
  const r = new Runner({ dryRun, verbose, log: (l) => lines.push(l), journalFile });
  const journal = () => readFileSync(journalFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { r, lines, journalFile, journal };
}

/** The same call in each mode; stream mode writes stdout to a file it returns. */
async function runIn(mode: RunMode, r: Runner, command: Command, options: RunOptions = {}) {
  switch (mode) {
    case 'buffer':
      return { result: await r.run(command, options) };
    case 'stream': {
      const destination = path.join(tempDir(), 'out');
      return { result: await r.run(command, { ...options, mode: 'stream', destination }), destination };
    }
    case 'inherit':
      return { result: await r.run(command, { ...options, mode: 'inherit' }) };
  }
}

const node = (script: string, ...rest: string[]) => ['node', '-e', script, ...rest];
const MODES: readonly RunMode[] = ['buffer', 'stream', 'inherit'];

describe.each(MODES)('runner contract, %s mode', (mode) => {
  it('runs the command and journals one entry with the fields of its mode', async () => {
    const { r, journal } = runner(false);
    const { result } = await runIn(mode, r, write(node('process.exit(0)'), 'exit 0'));
    expect(result).toMatchObject({ exitCode: 0, skipped: false });
    const [entry] = journal();
    expect(entry).toMatchObject({ source: 'eksa-safe-upgrade', argv: node('process.exit(0)'), kind: 'write', why: 'exit 0', mode, dryRun: false, skipped: false, exitCode: 0 });
    expect(new Date(String(entry?.time)).toISOString()).toBe(entry?.time);
    expect(entry?.durationMs).toBeGreaterThanOrEqual(0);
    const keys = ['source', 'time', 'argv', 'kind', 'why', 'mode', 'dryRun', 'skipped', 'exitCode', 'durationMs', ...(mode === 'stream' ? ['stdoutBytes'] : [])];
    expect(Object.keys(entry ?? {}).sort()).toEqual(keys.sort());
    expect(r.entries()).toEqual([Object.fromEntries(Object.entries(entry ?? {}).filter(([k]) => k !== 'source'))]);
  });

  it('keeps the exit code; a non-zero exit throws a ToolError (failAs, hint), or comes back with reject: false', async () => {
    const { r, journal } = runner(false);
    const failing = write(node('process.exit(3)'), 'exit 3');
    await expect(runIn(mode, r, failing)).rejects.toThrow(ToolError);
    await expect(runIn(mode, r, failing, { failAs: 'EtcdSnapshotFailed', hint: 'look here' })).rejects.toMatchObject({
      exit: 'EtcdSnapshotFailed',
      message: 'exit 3: exit code 3',
      hint: 'look here',
      exitCodeOfTool: 3,
    });
    const { result } = await runIn(mode, r, failing, { reject: false });
    expect(result).toMatchObject({ exitCode: 3, skipped: false });
    expect(journal().map((e) => [e.mode, e.exitCode, e.error])).toEqual([
      [mode, 3, 'exit code 3'],
      [mode, 3, 'exit code 3'],
      [mode, 3, 'exit code 3'],
    ]);
  });

  it('a missing program is exit 127 and an EnvironmentError naming it, even with reject: false', async () => {
    const { r, journal } = runner(false);
    const missing = write(['esu-no-such-program', '--token', 'tok-s3cr3t'], 'nothing');
    await expect(runIn(mode, r, missing)).rejects.toThrow(EnvironmentError);
    await expect(runIn(mode, r, missing, { reject: false })).rejects.toMatchObject({
      exit: 'Environment',
      message: 'esu-no-such-program not found on PATH',
      hint: 'install esu-no-such-program or put it on PATH',
    });
    expect(journal()).toMatchObject([
      { mode, exitCode: 127, error: 'esu-no-such-program not found on PATH' },
      { mode, exitCode: 127, error: 'esu-no-such-program not found on PATH' },
    ]);
  });

  it('stops a command at its timeout: SIGTERM, exit 143, "timed out"', async () => {
    const { r, journal } = runner(false);
    const started = Date.now();
    const hang = write(node('setTimeout(() => {}, 20000)'), 'hang', { timeoutMs: 300 });
    await expect(runIn(mode, r, hang)).rejects.toThrow('hang: timed out after 300 ms');
    const { result } = await runIn(mode, r, hang, { reject: false });
    expect(result.exitCode).toBe(143);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(journal()).toMatchObject([
      { mode, exitCode: 143, signal: 'SIGTERM', error: 'timed out' },
      { mode, exitCode: 143, signal: 'SIGTERM', error: 'timed out' },
    ]);
  });

  it('redacts secret flag values in the $ line and the journal, failed or not', async () => {
    const { r, lines, journalFile } = runner(false, true);
    await runIn(mode, r, write(node('process.exit(0)', '--', '--token', 'tok-s3cr3t', '--password=hunter2'), 'secret'));
    await runIn(mode, r, write(node('process.exit(2)', '--', '--token', 'tok-s3cr3t', '--password=hunter2'), 'secret'), { reject: false });
    await expect(runIn(mode, r, write(['esu-no-such-program', '--token', 'tok-s3cr3t'], 'secret'))).rejects.toThrow(EnvironmentError);
    const text = readFileSync(journalFile, 'utf8');
    expect(text).not.toContain('tok-s3cr3t');
    expect(text).not.toContain('hunter2');
    expect(r.entries()[0]?.argv.slice(-3)).toEqual(['--token', '***', '--password=***']);
    expect(lines.join('\n')).not.toContain('tok-s3cr3t');
    expect(lines[0]).toBe(`$ node -e 'process.exit(0)' -- --token '***' '--password=***'`);
  });

  it('dry-run: a write is printed as "! cmd", journaled as skipped, and not run', async () => {
    const { r, lines, journal } = runner(true);
    const marker = path.join(tempDir(), 'marker');
    const { result, destination } = await runIn(mode, r, write(node(`require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`, '--token', 'tok-s3cr3t'), 'write a marker'));
    expect(result).toMatchObject({ exitCode: 0, durationMs: 0, skipped: true });
    expect(existsSync(marker)).toBe(false);
    if (destination) expect(existsSync(destination)).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^! node -e .* --token '\*\*\*'$/);
    expect(journal()).toEqual([
      expect.objectContaining({ mode, kind: 'write', dryRun: true, skipped: true, exitCode: null, durationMs: 0, argv: expect.arrayContaining(['***']) }),
    ]);
    expect(Object.keys(journal()[0] ?? {})).not.toContain('stdoutBytes');
  });

  it('dry-run: a read still runs', async () => {
    const { r, journal } = runner(true);
    const marker = path.join(tempDir(), 'marker');
    const { result } = await runIn(mode, r, read(node(`require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`), 'read-only'));
    expect(result).toMatchObject({ exitCode: 0, skipped: false });
    expect(readFileSync(marker, 'utf8')).toBe('x');
    expect(journal()).toMatchObject([{ mode, kind: 'read', dryRun: true, skipped: false, exitCode: 0 }]);
  });

  if (mode === 'inherit') {
    it('interrupt() does not stop an inherited command: it gets the signals we receive instead', async () => {
      const { r } = runner(false);
      const pending = runIn(mode, r, write(node('setTimeout(() => process.exit(0), 800)'), 'outlive the interruption'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      r.interrupt('SIGINT');
      const { result } = await pending;
      expect(result).toMatchObject({ exitCode: 0, forwardedSignals: [] });
      expect(r.interruptedBy).toBe('SIGINT');
      expect(() => r.throwIfInterrupted()).toThrow(/interrupted by SIGINT/);
    });

    it('a stdin script cannot be given to an inherited command', async () => {
      const { r } = runner(false);
      await expect(runIn(mode, r, write(node('0'), 'x', { input: 'echo' }))).rejects.toThrow(/cannot take input/);
    });
  } else {
    it('interrupt() stops the child in flight: the interruption is thrown, even with reject: false; cleanup still runs', async () => {
      const { r, journal } = runner(false);
      const started = Date.now();
      const pending = runIn(mode, r, write(node('setTimeout(() => {}, 20000)'), 'sleep'), { reject: false });
      await new Promise((resolve) => setTimeout(resolve, 300));
      r.interrupt('SIGTERM');
      await expect(pending).rejects.toSatisfy((e: unknown) => e instanceof SafeUpgradeError && e.exit === 'Interrupted' && /interrupted by SIGTERM while running: sleep/.test(e.message));
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(journal()).toMatchObject([{ mode, exitCode: 143, signal: 'SIGTERM' }]);
      const cleanup = await runIn(mode, r, write(node('process.exit(0)'), 'cleanup'));
      expect(cleanup.result.exitCode).toBe(0);
    });

    it('feeds input on stdin and journals only its size', async () => {
      const { r, journalFile } = runner(false);
      const { result, destination } = await runIn(mode, r, read(node('process.stdin.pipe(process.stdout)'), 'echo', { input: 'secret-script' }));
      expect(mode === 'buffer' ? (result as { stdout: string }).stdout : readFileSync(destination!, 'utf8')).toBe('secret-script');
      expect(readFileSync(journalFile, 'utf8')).not.toContain('secret-script');
      expect(r.entries()).toMatchObject([{ mode, stdinBytes: 13 }]);
    });

    it('a failure names the meaningful stderr line, in the error and the journal', async () => {
      const { r } = runner(false);
      const failing = write(node('console.error("W1 noise"); console.error("Error: it broke"); process.exit(5)'), 'break');
      await expect(runIn(mode, r, failing)).rejects.toThrow('break: Error: it broke');
      const { result } = await runIn(mode, r, failing, { reject: false });
      expect(result).toMatchObject({ exitCode: 5, stderr: 'W1 noise\nError: it broke\n' });
      expect(r.entries().map((e) => e.error)).toEqual(['Error: it broke', 'Error: it broke']);
    });
  }
});

describe.runIf(process.platform === 'linux')('runner contract, inherit mode with signals sent to our process', () => {
  beforeAll(requireBuiltDist);

  it.each(['SIGINT', 'SIGTERM'] as const)('forwards %s to the command, waits for it, and journals what was forwarded', async (signal) => {
    const dir = tempDir();
    const files = { result: path.join(dir, 'result.json'), marker: path.join(dir, 'marker'), out: path.join(dir, 'out') };
    const out = openSync(files.out, 'w');
    // The fake eksctl of the hand-off tests in trap mode: on SIGINT/SIGTERM it writes the signal to the marker and exits 130.
    const child = spawn(process.execPath, [path.join(repoRoot, 'test', 'fixtures', 'runner', 'inherit-parent.mjs'), path.join(handoffFixtures, 'eksctl'), '--token', 'tok-s3cr3t'], {
      env: fakeEksctlEnv({ RUN_RESULT: files.result, HANDOFF_MODE: 'trap', HANDOFF_MARKER: files.marker }),
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    const watchdog = setTimeout(() => child.kill('SIGKILL'), 40_000);
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, sig) => {
        clearTimeout(watchdog);
        resolve({ code, signal: sig });
      }),
    );
    await waitForFile(`${files.marker}.ready`);
    process.kill(child.pid!, signal);
    // Our process did not die of the signal: it stayed to report.
    expect(await ended).toEqual({ code: 0, signal: null });
    expect(readFileSync(files.marker, 'utf8')).toBe(signal);
    const report = JSON.parse(readFileSync(files.result, 'utf8')) as { result: unknown; entries: unknown[]; sigintListeners: number };
    expect(report.result).toEqual({ exitCode: 130, durationMs: expect.any(Number), forwardedSignals: [signal], skipped: false });
    expect(report.entries).toEqual([
      expect.objectContaining({ mode: 'inherit', kind: 'write', exitCode: 130, forwardedSignals: [signal], error: 'exit code 130', argv: [expect.stringMatching(/eksctl$/), '--token', '***'] }),
    ]);
    expect(report.sigintListeners).toBe(0);
    expect(readFileSync(files.out, 'utf8')).toMatch(/^\$ \S+eksctl --token '\*\*\*'\n$/);
  });
});

describe('runner accessors', () => {
  it('exposes dry-run, verbosity, the log and a read-only copy of the journal', async () => {
    const { r, lines } = runner(true, true);
    expect([r.dryRun, r.verbose]).toEqual([true, true]);
    r.log('a line');
    expect(lines).toEqual(['a line']);
    await r.run(write(['x'], 'skipped'));
    const copy = r.entries() as unknown[];
    copy.length = 0;
    expect(r.entries()).toHaveLength(1);
    expect('journal' in r || 'options' in r).toBe(false);
  });

  it('reads an environment variable as the commands see it', () => {
    const withEnv = new Runner({ dryRun: false, verbose: false, log: () => undefined, env: { PATH: '/only/here' } });
    expect(withEnv.envValue('PATH')).toBe('/only/here');
    expect(runner(false).r.envValue('PATH')).toBe(process.env.PATH);
  });

  it('the stream destination is written only by stream mode', async () => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const { r } = runner(false);
    const result = await r.run(read(node('process.stdout.write("to the sink")'), 'stream'), { mode: 'stream', destination: sink });
    expect(result).toMatchObject({ bytes: 11, stderr: '' });
    expect(Buffer.concat(chunks).toString()).toBe('to the sink');
  });
});
