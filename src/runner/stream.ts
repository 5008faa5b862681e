import { createWriteStream } from 'node:fs';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa, type ExecaError } from 'execa';
import { EnvironmentError, SafeUpgradeError, ToolError, firstMeaningfulLine } from '../errors.js';
import { formatStreamCommand, redactArgv, type Command } from '../command.js';
import type { JournalEntry } from './journal.js';
import type { RunOptions, Runner } from './runner.js';

export interface StreamOptions extends RunOptions {
  /** Called with the running byte count as stdout arrives. */
  readonly onProgress?: (bytes: number) => void;
  /** Pass-through stages between stdout and the destination (hashing, verification). */
  readonly through?: readonly Transform[];
}

export interface StreamResult {
  readonly exitCode: number;
  readonly stderr: string;
  readonly durationMs: number;
  /** Bytes of stdout delivered to the destination. */
  readonly bytes: number;
  /** true when dry-run skipped a write: nothing ran and the destination was not touched. */
  readonly skipped: boolean;
}

export { formatStreamCommand } from '../command.js';

/**
 * Runs a command whose stdout is data, not text: stdout goes straight to `destination` (a file path, opened
 * 0600, or a stream) with constant memory, through `options.through`. Same contract as `Runner.run`: in
 * dry-run a write is printed as `! cmd` (with its stdin script) and journaled as skipped, without touching
 * the destination; every call is journaled; a failure throws a ToolError unless `reject: false`.
 */
export async function streamCommand(
  runner: Runner,
  command: Command,
  destination: string | Writable,
  options: StreamOptions = {},
): Promise<StreamResult> {
  const base = {
    argv: redactArgv(command.argv),
    kind: command.kind,
    why: command.why,
    dryRun: runner.dryRun,
    ...(command.input === undefined ? {} : { stdinBytes: Buffer.byteLength(command.input) }),
  };
  if (runner.dryRun && command.kind !== 'read') {
    runner.options.log(`! ${formatStreamCommand(command)}`);
    runner.journal.add({ ...base, time: new Date().toISOString(), skipped: true, exitCode: null, durationMs: 0 });
    return { exitCode: 0, stderr: '', durationMs: 0, bytes: 0, skipped: true };
  }
  if (runner.options.verbose) runner.options.log(`$ ${formatStreamCommand(command)}`);

  const [file, ...args] = command.argv;
  if (!file) throw new Error('streamCommand: empty argv');
  const time = new Date().toISOString();
  const startedInterrupted = runner.interruptedBy !== undefined;
  const started = performance.now();
  const subprocess = execa(file, args, {
    reject: false,
    input: command.input,
    stdin: command.input === undefined ? 'ignore' : undefined,
    stdout: 'pipe',
    buffer: { stdout: false, stderr: true },
    timeout: command.timeoutMs,
    env: { ...runner.options.env, ...command.env },
    extendEnv: runner.options.env === undefined,
    stripFinalNewline: false,
  });
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      options.onProgress?.(bytes);
      callback(null, chunk);
    },
  });
  // A 1 MiB buffer lets reads run ahead of the disk and batches writes (writev); memory stays bounded.
  const sink = typeof destination === 'string' ? createWriteStream(destination, { mode: 0o600, highWaterMark: 1 << 20 }) : destination;
  // A local write failure (disk full) must not leave the command streaming into nothing.
  const flowing = pipeline([subprocess.stdout, counter, ...(options.through ?? []), sink]).then(
    () => undefined,
    (error: unknown) => {
      subprocess.kill();
      return error instanceof Error ? error : new Error(String(error));
    },
  );
  // Registered with the runner, so an interruption (SIGTERM from CI, not only a terminal's Ctrl-C) stops ssh too.
  const result = await runner.track(subprocess, subprocess);
  const writeError = await flowing;
  const durationMs = Math.round(performance.now() - started);

  const failure = result.failed ? (result as unknown as ExecaError) : undefined;
  const notFound = failure?.code === 'ENOENT';
  const exitCode = result.exitCode ?? (notFound ? 127 : -1);
  const stderr = String(result.stderr ?? '');
  const error = writeError
    ? `writing the output: ${writeError.message}`
    : failure
      ? failure.timedOut ? 'timed out' : firstMeaningfulLine(stderr) || failure.shortMessage
      : undefined;
  const entry: JournalEntry & { stdoutBytes: number } = {
    ...base,
    time,
    skipped: false,
    exitCode,
    durationMs,
    stdoutBytes: bytes,
    ...(error === undefined ? {} : { error }),
  };
  runner.journal.add(entry);
  if (notFound) throw new EnvironmentError(`${file} not found on PATH`, { hint: `install ${file} or put it on PATH` });
  if ((failure || writeError) && !startedInterrupted && runner.interruptedBy) {
    throw new SafeUpgradeError('Interrupted', `interrupted by ${runner.interruptedBy} while running: ${command.why}`, {
      hint: 'nothing more was started; see above for what was cleaned up',
    });
  }
  if (writeError) {
    throw new EnvironmentError(`${command.why}: writing the output failed: ${writeError.message}`, {
      hint: 'check free space and permissions where the output goes',
      cause: writeError,
    });
  }
  if (failure && options.reject !== false) {
    const reason = failure.timedOut ? `timed out after ${command.timeoutMs} ms` : firstMeaningfulLine(stderr) || `exit code ${exitCode}`;
    throw new ToolError(options.failAs ?? 'Environment', `${command.why}: ${reason}`, {
      argv: command.argv,
      exitCode,
      stderr,
      hint: options.hint,
    });
  }
  return { exitCode, stderr, durationMs, bytes, skipped: false };
}
