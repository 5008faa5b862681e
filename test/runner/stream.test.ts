import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Transform, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvironmentError, ToolError } from '../../src/errors.js';
import { read, write } from '../../src/command.js';
import { MAX_STDERR_BYTES, Runner, STDERR_TAIL_BYTES } from '../../src/runner/runner.js';
import { formatStreamCommand, streamCommand } from '../../src/runner/stream.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function runner(dryRun: boolean, verbose = false) {
  const lines: string[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'stream-'));
  made.push(dir);
  const journalFile = path.join(dir, 'journal.ndjson');
  const r = new Runner({ dryRun, verbose, log: (l) => lines.push(l), journalFile });
  return { r, lines, dir, journalFile };
}

// 8 MiB of deterministic bytes from a real child process, in many pipe chunks.
const EMIT = ['node', '-e', 'for(let i=0;i<8;i++)process.stdout.write(Buffer.alloc(1<<20,i))'];
const expectedSha = (() => {
  const h = createHash('sha256');
  for (let i = 0; i < 8; i++) h.update(Buffer.alloc(1 << 20, i));
  return h.digest('hex');
})();

describe('streamCommand', () => {
  it('writes stdout straight to a 0600 file, through the given stages, reporting progress', async () => {
    const { r, dir } = runner(false);
    const file = path.join(dir, 'out.bin');
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const progress: number[] = [];
    const result = await streamCommand(r, write(EMIT, 'emit bytes'), file, { through: [hashing], onProgress: (b) => progress.push(b) });
    expect(result).toMatchObject({ exitCode: 0, bytes: 8 << 20, skipped: false });
    expect(statSync(file).size).toBe(8 << 20);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(hash.digest('hex')).toBe(expectedSha);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(expectedSha);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(8 << 20);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(r.entries()).toMatchObject([{ argv: EMIT, kind: 'write', skipped: false, exitCode: 0, stdoutBytes: 8 << 20 }]);
  });

  it('feeds input on stdin and writes into a stream destination', async () => {
    const { r } = runner(false);
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const script = 'printf "%s" "from the script"\n';
    const result = await streamCommand(r, read(['sh', '-s'], 'run a script', { input: script }), sink);
    expect(Buffer.concat(chunks).toString()).toBe('from the script');
    expect(result.bytes).toBe(15);
    expect(r.entries()[0]).toMatchObject({ stdinBytes: Buffer.byteLength(script) });
  });

  it('dry-run: a write is printed with its stdin script, journaled as skipped, and the destination is not created', async () => {
    const { r, lines, dir, journalFile } = runner(true);
    const file = path.join(dir, 'never.bin');
    const script = "echo 'hi'\n";
    const result = await streamCommand(r, write(['ssh', '--', 'host', 'sudo -n sh -s'], 'snapshot', { input: script }), file);
    expect(result).toEqual({ exitCode: 0, stderr: '', durationMs: 0, bytes: 0, skipped: true });
    expect(lines).toEqual([`! ssh -- host 'sudo -n sh -s' <<'EKSA_SAFE_UPGRADE_INPUT'\necho 'hi'\nEKSA_SAFE_UPGRADE_INPUT`]);
    expect(existsSync(file)).toBe(false);
    const entries = readFileSync(journalFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(entries).toMatchObject([{ kind: 'write', dryRun: true, skipped: true, exitCode: null, stdinBytes: 10 }]);
  });

  it('dry-run still runs reads; -v prints them as $', async () => {
    const { r, lines } = runner(true, true);
    const sink = new PassThrough();
    sink.resume();
    const result = await streamCommand(r, read(['node', '-e', 'process.stdout.write("x")'], 'read'), sink);
    expect(result).toMatchObject({ skipped: false, bytes: 1 });
    expect(lines[0]).toMatch(/^\$ node -e /);
  });

  it('a failing command throws a ToolError with the stderr line; reject: false returns it instead', async () => {
    const { r, dir } = runner(false);
    const failing = write(['sh', '-c', 'printf partial; echo "Error: it broke" >&2; exit 5'], 'break');
    await expect(streamCommand(r, failing, path.join(dir, 'a'))).rejects.toThrow(ToolError);
    await expect(streamCommand(r, failing, path.join(dir, 'b'), { failAs: 'EtcdSnapshotFailed' })).rejects.toMatchObject({
      exit: 'EtcdSnapshotFailed',
      message: 'break: Error: it broke',
    });
    const result = await streamCommand(r, failing, path.join(dir, 'c'), { reject: false });
    expect(result).toMatchObject({ exitCode: 5, bytes: 7, stderr: 'Error: it broke\n' });
    expect(readFileSync(path.join(dir, 'c'), 'utf8')).toBe('partial');
    expect(r.entries().map((e) => [e.exitCode, e.error])).toEqual([
      [5, 'Error: it broke'],
      [5, 'Error: it broke'],
      [5, 'Error: it broke'],
    ]);
  });

  it('a missing program is an EnvironmentError', async () => {
    const { r, dir } = runner(false);
    await expect(streamCommand(r, write(['esu-no-such-program'], 'nothing'), path.join(dir, 'x'))).rejects.toThrow(EnvironmentError);
    expect(r.entries()[0]).toMatchObject({ exitCode: 127 });
  });

  it('kills the command at timeoutMs', async () => {
    const { r, dir } = runner(false);
    const started = Date.now();
    const result = await streamCommand(r, write(['sleep', '30'], 'sleep', { timeoutMs: 300 }), path.join(dir, 'x'), { reject: false });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.exitCode).not.toBe(0);
    expect(r.entries()[0]?.error).toBe('timed out');
  });

  it('a local write failure stops the command and is reported as such', async () => {
    const { r } = runner(false);
    const broken = new Writable({
      write(_c, _e, cb) {
        cb(new Error('disk full'));
      },
    });
    const started = Date.now();
    const endless = write(['sh', '-c', 'while :; do printf xxxxxxxxxxxxxxxx; done'], 'endless');
    await expect(streamCommand(r, endless, broken)).rejects.toThrow(/writing the output failed: disk full/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.entries()[0]?.error).toBe('writing the output: disk full');
  });

  it('formats a command without input as the plain command line', () => {
    expect(formatStreamCommand(write(['ssh', 'h', 'a b'], 'x'))).toBe(`ssh h 'a b'`);
    expect(formatStreamCommand(write(['sh'], 'x', { input: 'no newline' }))).toBe(`sh <<'EKSA_SAFE_UPGRADE_INPUT'\nno newline\nEKSA_SAFE_UPGRADE_INPUT`);
  });
});

/** A script writing 64 KiB blocks to `fd` for ever, as fast as they are read (it waits for the pipe to drain). */
const ENDLESS = (fd: 'stdout' | 'stderr') =>
  `const b = Buffer.alloc(1 << 16, 101); const w = () => { while (process.${fd}.write(b)); process.${fd}.once("drain", w); }; w()`;

describe('streamCommand bounds', () => {
  it('stops a command whose stdout passes maxBytes, and names the bound', async () => {
    const { r, dir } = runner(false);
    const file = path.join(dir, 'out.bin');
    const endless = write(['node', '-e', ENDLESS('stdout')], 'endless snapshot', { timeoutMs: 60_000 });
    const started = Date.now();
    const error = await streamCommand(r, endless, file, { reject: false, maxBytes: 1 << 20, hint: 'check the node' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error).toMatchObject({ message: 'endless snapshot: the output passed 1 MiB, more than the bound set for it; stopped', hint: 'check the node' });
    expect(statSync(file).size).toBeLessThanOrEqual(1 << 20);
    const entry = r.entries()[0]!;
    expect(entry).toMatchObject({ mode: 'stream', error: 'output passed 1 MiB; stopped', signal: 'SIGTERM', exitCode: 143 });
    expect(entry.stdoutBytes).toBeLessThanOrEqual(1 << 20);
  });

  it('stdout up to maxBytes is delivered in full', async () => {
    const { r } = runner(false);
    const sink = new PassThrough();
    sink.resume();
    const result = await streamCommand(r, read(EMIT, 'emit 8 MiB'), sink, { maxBytes: 8 << 20 });
    expect(result).toMatchObject({ exitCode: 0, bytes: 8 << 20 });
  });

  it('reads 24 MB of stderr without stalling the command, and keeps its tail for the reason', async () => {
    const { r, dir } = runner(false);
    const flood = write(
      // Node queues what the pipe does not take yet and writes it as it is read; it exits once all is written.
      ['node', '-e', 'const b = Buffer.alloc(1 << 20, 101); for (let i = 0; i < 24; i++) process.stderr.write(b); process.stderr.write("\\nError: the last line\\n"); process.stdout.write("data"); process.exitCode = 3'],
      'flood stderr',
      { timeoutMs: 60_000 },
    );
    const started = Date.now();
    await expect(streamCommand(r, flood, path.join(dir, 'a'))).rejects.toThrow('flood stderr: Error: the last line');
    const result = await streamCommand(r, flood, path.join(dir, 'b'), { reject: false });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result).toMatchObject({ exitCode: 3, bytes: 4 });
    expect(result.stderr.length).toBeLessThanOrEqual(STDERR_TAIL_BYTES);
    expect(result.stderr.length).toBeGreaterThan(STDERR_TAIL_BYTES / 2);
    expect(result.stderr.endsWith('eee\nError: the last line\n')).toBe(true);
    expect(r.entries().map((e) => [e.exitCode, e.error])).toEqual([
      [3, 'Error: the last line'],
      [3, 'Error: the last line'],
    ]);
  });

  it('stops a command whose stderr passes the bound, and says so', async () => {
    const { r, dir } = runner(false);
    const endless = write(['node', '-e', ENDLESS('stderr')], 'noisy node', { timeoutMs: 60_000 });
    const started = Date.now();
    const error = await streamCommand(r, endless, path.join(dir, 'x'), { reject: false }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error).toMatchObject({ message: `noisy node: stderr passed ${MAX_STDERR_BYTES / (1 << 20)} MiB; stopped` });
    expect(r.entries()).toMatchObject([{ mode: 'stream', error: `stderr passed ${MAX_STDERR_BYTES / (1 << 20)} MiB; stopped`, exitCode: 143 }]);
  });
});
