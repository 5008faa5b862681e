import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { constants } from 'node:os';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { EnvironmentError, SafeUpgradeError, ToolError, firstMeaningfulLine } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { formatCommand, formatStreamCommand, redactArgv, type Command } from '../command.js';
import { Journal, type JournalEntry, type RunMode } from './journal.js';
import { signalProcessTree } from './process-tree.js';

/**
 * The runner's own hint after Ctrl-C. It knows no more than that it started nothing new: a command that
 * changes things (backup, cluster) replaces it with what it put back (commands/backup.ts `withCleanupHint`).
 */
export const INTERRUPTED_HINT = 'nothing more was started';

/**
 * Output kept in memory per command. The largest read, the inventory, is about 24 MB for 500 workload
 * clusters; past this bound the command is stopped with a clear error instead of exhausting memory.
 */
export const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Stream mode keeps only the end of stderr, where ssh, sudo, etcdctl and our scripts put the error. */
export const STDERR_TAIL_BYTES = 64 * 1024;

/**
 * Stream mode stops a command whose stderr passes this: no error message is this long, and a node that floods
 * stderr must not hold the run until the timeout. Read continuously, so the child never stalls on a full pipe.
 */
export const MAX_STDERR_BYTES = 32 * 1024 * 1024;

/** Signals forwarded to an inherit-mode command while it runs. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Signals an inherit-mode command is shielded from: trapped (we do not die of them, and stay to report), recorded,
 * never forwarded. SIGHUP is a hang-up of our terminal (a dropped SSH session), not an operator asking eksctl to
 * stop: forwarding it would kill eksctl mid-rollout, which is what its own session keeps away from it.
 */
const SHIELDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGHUP'];

export interface RunOptions {
  /** Return a non-zero exit as a result instead of throwing. */
  readonly reject?: boolean;
  /** Which exit code a failure maps to when it is thrown. */
  readonly failAs?: ExitCodeName;
  /** The hint attached to a thrown failure. */
  readonly hint?: string;
}

/** stdout and stderr kept in memory, each bounded by MAX_OUTPUT_BYTES. The default mode. */
export interface BufferMode extends RunOptions {
  readonly mode?: 'buffer';
}

/**
 * stdout is data, not text: it goes straight to `destination` (a file path, opened 0600, or a stream) with
 * constant memory, through `through`. stderr is kept as a bounded tail.
 */
export interface StreamMode extends RunOptions {
  readonly mode: 'stream';
  readonly destination: string | Writable;
  /** Pass-through stages between stdout and the destination (hashing, verification). */
  readonly through?: readonly Transform[];
  /** Called with the running byte count as stdout arrives. */
  readonly onProgress?: (bytes: number) => void;
  /** Stop the command (SIGTERM) and throw an EnvironmentError once stdout passes this many bytes. */
  readonly maxBytes?: number;
}

/**
 * stdio inherited: the command takes the terminal (the eksctl hand-off). Process lifetime is deliberate:
 * - `cleanup: false`: if our process dies, the command is not killed with it;
 * - a session of its own (`detached`, setsid): a hang-up of our terminal (SIGHUP to its process group, a
 *   dropped SSH session) does not reach it, nor does a terminal Ctrl-C directly;
 * - SIGINT/SIGTERM we receive (a terminal Ctrl-C included) are forwarded to its process tree and we wait for it
 *   to end rather than exit; the result lists them. SIGHUP is recorded and not forwarded: eksctl runs on.
 *   interrupt() does not stop it, and no SIGKILL ever follows.
 */
export interface InheritMode extends RunOptions {
  readonly mode: 'inherit';
  /**
   * The command's stdout goes to our stderr (its fd 1 is our fd 2): its output is progress, not our result,
   * and stdout stays for the result alone (`-o json`). stdin and stderr are still inherited.
   */
  readonly stdoutToStderr?: boolean;
}

export type RunModeOptions = BufferMode | StreamMode | InheritMode;

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** true when dry-run skipped a write. */
  readonly skipped: boolean;
  /** Set when the command was stopped at its `timeoutMs` (with `reject: false`). */
  readonly timedOut?: boolean;
}

export interface StreamResult {
  readonly exitCode: number;
  /** The last STDERR_TAIL_BYTES of stderr. */
  readonly stderr: string;
  readonly durationMs: number;
  /** Bytes of stdout delivered to the destination. */
  readonly bytes: number;
  /** true when dry-run skipped a write: nothing ran and the destination was not touched. */
  readonly skipped: boolean;
}

export interface InheritResult {
  /** The exit code; 128 + the signal number when a signal ended it (the shell's convention). */
  readonly exitCode: number;
  /** The signal that ended the command, if one did. */
  readonly signal?: NodeJS.Signals;
  readonly durationMs: number;
  /** The signals received and forwarded while it ran, in order. */
  readonly forwardedSignals: readonly NodeJS.Signals[];
  /** The signals received and not forwarded while it ran (SIGHUP), in order. */
  readonly shieldedSignals?: readonly NodeJS.Signals[];
  /** Dry-run: printed as `! cmd`, nothing ran. */
  readonly skipped: boolean;
}

/**
 * A long-running command started in the background (the drill's throwaway etcd): its stderr kept as a
 * bounded tail, stopped by its pid. It dies with us (execa's cleanup), and interrupt() stops it like any
 * command in flight.
 */
export interface BackgroundProcess {
  readonly pid: number;
  /** Whether it has ended. */
  exited(): boolean;
  /** The last STDERR_TAIL_BYTES of its stderr: why it ended early. */
  stderrTail(): string;
  /** SIGTERM to its pid, SIGKILL after `graceMs`; resolves once it has ended (at once if it has). Journaled. */
  stop(graceMs?: number): Promise<void>;
}

export interface RunnerOptions {
  readonly dryRun: boolean;
  readonly verbose: boolean;
  /** Where `$ cmd` / `! cmd` lines go. */
  readonly log: (line: string) => void;
  readonly journalFile?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** What execa reports of an ended command (run with `reject: false`), failed or not. */
interface Ended {
  readonly failed: boolean;
  readonly exitCode?: number;
  readonly signal?: NodeJS.Signals;
  readonly timedOut: boolean;
  readonly isMaxBuffer: boolean;
  readonly code?: string;
  readonly message?: string;
  readonly originalMessage?: string;
}

/** A stop the runner decided (an output bound, a local write failure): journaled, then always thrown. */
interface Stopped {
  readonly journal: string;
  readonly error: SafeUpgradeError;
}

/** One spawned command as the modes hand it back to the shared ending. */
interface Spawned {
  readonly ended: Ended;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes?: number;
  readonly forwardedSignals?: readonly NodeJS.Signals[];
  readonly shieldedSignals?: readonly NodeJS.Signals[];
  readonly stopped?: Stopped;
}

interface Killable {
  kill(signal?: NodeJS.Signals): boolean;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** A byte count as the operator reads it: `32 GiB`, `8 MiB`, `512 KiB`, `100 bytes`. */
export function formatBytes(bytes: number): string {
  const round = (n: number) => String(Math.round(n * 10) / 10);
  if (bytes >= GiB) return `${round(bytes / GiB)} GiB`;
  if (bytes >= MiB) return `${round(bytes / MiB)} MiB`;
  if (bytes >= KiB) return `${round(bytes / KiB)} KiB`;
  return `${bytes} bytes`;
}

/** The last `limit` bytes of a stream, kept in constant memory whatever passes through. */
class Tail {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  total = 0;
  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
    while (this.#chunks.length > 1 && this.#kept - (this.#chunks[0]?.length ?? 0) >= this.limit) {
      this.#kept -= this.#chunks.shift()?.length ?? 0;
    }
  }

  text(): string {
    return Buffer.concat(this.#chunks).subarray(-this.limit).toString('utf8');
  }
}

/**
 * The one way the tool runs an external command, in one of three modes (buffer, stream, inherit). Reads always
 * run (`$ cmd` at -v); in dry-run a write or a hand-off is printed as `! cmd` and not run. Every call is
 * journaled with one entry shape; a missing program is exit 127 and an EnvironmentError in every mode.
 */
export class Runner {
  readonly #options: RunnerOptions;
  readonly #journal: Journal;
  #interruptedBy: NodeJS.Signals | undefined;
  readonly #inFlight = new Set<Killable>();

  constructor(options: RunnerOptions) {
    this.#options = options;
    this.#journal = new Journal(options.journalFile);
  }

  get dryRun(): boolean {
    return this.#options.dryRun;
  }

  get verbose(): boolean {
    return this.#options.verbose;
  }

  /** The signal that interrupted the run, once one has. */
  get interruptedBy(): NodeJS.Signals | undefined {
    return this.#interruptedBy;
  }

  /** A line for the operator, where the runner's `$ cmd` / `! cmd` lines go. */
  log(line: string): void {
    this.#options.log(line);
  }

  /** An environment variable as the commands see it: the runner's environment first, then ours. */
  envValue(name: string): string | undefined {
    return this.#options.env?.[name] ?? process.env[name];
  }

  /** Every journal entry so far, in order (a copy). */
  entries(): readonly JournalEntry[] {
    return this.#journal.entries();
  }

  /**
   * Stop what is running now (SIGTERM to every buffer or stream child in flight) and remember why. Commands
   * started afterwards still run: cleanup — pause restore, lock release — needs them. An inherit-mode command
   * is not stopped: it gets the signals we receive instead.
   */
  interrupt(signal: NodeJS.Signals): void {
    this.#interruptedBy ??= signal;
    for (const child of this.#inFlight) child.kill('SIGTERM');
  }

  /** Throw the interruption at a step boundary, so no new work starts after Ctrl-C. */
  throwIfInterrupted(): void {
    if (this.#interruptedBy) {
      throw new SafeUpgradeError('Interrupted', `interrupted by ${this.#interruptedBy}`, { hint: INTERRUPTED_HINT });
    }
  }

  /** A write the dry run rendered from the plan: journaled as skipped; nothing runs. */
  recordSkipped(command: Command): void {
    const mode: RunMode = command.kind === 'handoff' ? 'inherit' : command.input !== undefined && command.argv[0] === 'ssh' ? 'stream' : 'buffer';
    this.#journal.add({
      time: new Date().toISOString(),
      argv: redactArgv(command.argv),
      kind: command.kind,
      why: command.why,
      mode,
      dryRun: true,
      skipped: true,
      exitCode: null,
      durationMs: 0,
      ...(command.input === undefined ? {} : { stdinBytes: Buffer.byteLength(command.input) }),
    });
  }

  run(command: Command, options?: BufferMode): Promise<RunResult>;
  run(command: Command, options: StreamMode): Promise<StreamResult>;
  run(command: Command, options: InheritMode): Promise<InheritResult>;
  async run(command: Command, options: RunModeOptions = {}): Promise<RunResult | StreamResult | InheritResult> {
    const mode: RunMode = options.mode ?? 'buffer';
    const shown = mode === 'stream' ? formatStreamCommand(command) : formatCommand(command.argv);
    const base = { argv: redactArgv(command.argv), kind: command.kind, why: command.why, mode, dryRun: this.dryRun };
    const stdin = command.input === undefined ? {} : { stdinBytes: Buffer.byteLength(command.input) };
    if (this.dryRun && command.kind !== 'read') {
      this.log(`! ${shown}`);
      this.#journal.add({ time: new Date().toISOString(), ...base, skipped: true, exitCode: null, durationMs: 0, ...stdin });
      return skippedResult(mode);
    }
    // An inherited command takes the terminal from here: its line is always shown, the one to rerun by hand.
    if (this.verbose || mode === 'inherit') this.log(`$ ${shown}`);

    const [file, ...args] = command.argv;
    if (!file) throw new Error('runner: empty argv');
    if (mode === 'inherit' && command.input !== undefined) throw new Error('runner: an inherit-mode command cannot take input');
    // A command that fails because interrupt() stopped it is an interruption, not a tool failure; one
    // started afterwards (cleanup) keeps its own failure.
    const startedInterrupted = this.#interruptedBy !== undefined;
    const time = new Date().toISOString();
    const started = performance.now();
    // No await before the spawn: inherit mode's signal forwarding is in place when run() returns its promise.
    const spawned = await (options.mode === 'stream'
      ? this.#stream(command, file, args, options)
      : options.mode === 'inherit'
        ? this.#inherit(command, file, args, options)
        : this.#buffer(command, file, args));
    const durationMs = Math.round(performance.now() - started);

    const { ended, stderr } = spawned;
    const notFound = ended.failed && (ended.code === 'ENOENT' || (ended.exitCode === undefined && /ENOENT/.test(ended.message ?? '')));
    const signal = notFound ? undefined : ended.signal;
    const exitCode = ended.exitCode ?? (notFound ? 127 : signal ? 128 + (constants.signals[signal] ?? 0) : -1);
    const error =
      spawned.stopped?.journal ??
      (ended.failed
        ? ended.timedOut
          ? 'timed out'
          : firstMeaningfulLine(stderr) ||
            (notFound ? `${file} not found on PATH` : signal ? `ended by ${signal}` : ended.exitCode !== undefined ? `exit code ${exitCode}` : ended.originalMessage || 'could not be started')
        : undefined);
    const forwardedSignals = spawned.forwardedSignals ?? [];
    const shieldedSignals = spawned.shieldedSignals ?? [];
    this.#journal.add({
      time,
      ...base,
      skipped: false,
      exitCode,
      durationMs,
      ...stdin,
      ...(spawned.stdoutBytes === undefined ? {} : { stdoutBytes: spawned.stdoutBytes }),
      ...(signal ? { signal } : {}),
      ...(forwardedSignals.length > 0 ? { forwardedSignals } : {}),
      ...(shieldedSignals.length > 0 ? { shieldedSignals } : {}),
      ...(error === undefined ? {} : { error }),
    });

    if (notFound) throw new EnvironmentError(`${file} not found on PATH`, { hint: `install ${file} or put it on PATH` });
    if ((ended.failed || spawned.stopped) && mode !== 'inherit' && !startedInterrupted && this.#interruptedBy) {
      throw new SafeUpgradeError('Interrupted', `interrupted by ${this.#interruptedBy} while running: ${command.why}`, {
        hint: INTERRUPTED_HINT,
      });
    }
    if (spawned.stopped) throw spawned.stopped.error;
    if (ended.failed && options.reject !== false) {
      const reason = ended.timedOut
        ? `timed out after ${command.timeoutMs} ms`
        : firstMeaningfulLine(stderr) || (signal ? `ended by ${signal}` : `exit code ${exitCode}`);
      throw new ToolError(options.failAs ?? 'Environment', `${command.why}: ${reason}`, {
        argv: command.argv,
        exitCode,
        stderr,
        hint: options.hint,
      });
    }
    switch (mode) {
      case 'buffer':
        return { exitCode, stdout: spawned.stdout, stderr, durationMs, skipped: false, ...(ended.timedOut ? { timedOut: true } : {}) } satisfies RunResult;
      case 'stream':
        return { exitCode, stderr, durationMs, bytes: spawned.stdoutBytes ?? 0, skipped: false } satisfies StreamResult;
      case 'inherit':
        return {
          exitCode,
          ...(signal ? { signal } : {}),
          durationMs,
          forwardedSignals,
          ...(shieldedSignals.length > 0 ? { shieldedSignals } : {}),
          skipped: false,
        } satisfies InheritResult;
    }
  }

  /**
   * Start `command` in the background and return at once: the caller waits for it to be ready its own way
   * and stops it by pid. Only a read (it changes nothing outside our own scratch folder): a dry run starts it too.
   */
  spawnBackground(command: Command): BackgroundProcess {
    if (command.kind !== 'read') throw new Error('runner: only a read runs in the background');
    const [file, ...args] = command.argv;
    if (!file) throw new Error('runner: empty argv');
    if (this.verbose) this.log(`$ ${formatCommand(command.argv)} &`);
    const time = new Date().toISOString();
    const started = performance.now();
    const child = execa(file, args, {
      ...this.#spawnOptions(command),
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
      buffer: false,
      // Should we die anyway, execa's exit hook still kills it: a throwaway server never outlives the run.
      cleanup: true,
      forceKillAfterDelay: false,
    });
    const tail = new Tail(STDERR_TAIL_BYTES);
    child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
    let ended = false;
    const done = child.then((result) => {
      ended = true;
      const r = result as unknown as Ended;
      const notFound = r.failed && (r.code === 'ENOENT' || /ENOENT/.test(r.message ?? ''));
      const exitCode = r.exitCode ?? (notFound ? 127 : r.signal ? 128 + (constants.signals[r.signal] ?? 0) : -1);
      this.#journal.add({
        time,
        argv: redactArgv(command.argv),
        kind: command.kind,
        why: command.why,
        mode: 'buffer',
        dryRun: this.dryRun,
        skipped: false,
        exitCode,
        durationMs: Math.round(performance.now() - started),
        ...(r.signal ? { signal: r.signal } : {}),
      });
      return r;
    });
    this.#track(child, done);
    if (child.pid === undefined) {
      // Not started at all (no such program): the ending above says why.
      void done.catch(() => undefined);
    }
    return {
      pid: child.pid ?? -1,
      exited: () => ended,
      stderrTail: () => tail.text(),
      stop: async (graceMs = 5_000) => {
        if (ended) return;
        const pid = child.pid;
        const signal = (s: NodeJS.Signals) => {
          try {
            if (pid !== undefined) process.kill(pid, s);
          } catch {
            // ESRCH: it ended in between
          }
        };
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), graceMs);
        try {
          await done;
        } finally {
          clearTimeout(timer);
        }
      },
    };
  }

  /** The options every mode spawns with: failures come back as results, our environment unless the runner has one. */
  #spawnOptions(command: Command) {
    return {
      reject: false,
      timeout: command.timeoutMs,
      env: { ...this.#options.env, ...command.env },
      extendEnv: this.#options.env === undefined,
    } as const;
  }

  /** Register a child, so interrupt() reaches it until it ends. */
  #track<T extends Killable>(child: T, done: Promise<unknown>): T {
    this.#inFlight.add(child);
    void done.finally(() => this.#inFlight.delete(child)).catch(() => undefined);
    return child;
  }

  async #buffer(command: Command, file: string, args: readonly string[]): Promise<Spawned> {
    const subprocess = execa(file, args, {
      ...this.#spawnOptions(command),
      input: command.input,
      stdin: command.input === undefined ? 'ignore' : undefined,
      stripFinalNewline: false,
      maxBuffer: MAX_OUTPUT_BYTES,
    });
    const result = await this.#track(subprocess, subprocess);
    const ended = result as unknown as Ended;
    return {
      ended,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      ...(ended.isMaxBuffer
        ? {
            stopped: {
              journal: `output passed ${formatBytes(MAX_OUTPUT_BYTES)}; stopped`,
              error: new EnvironmentError(`${command.why}: the output passed ${formatBytes(MAX_OUTPUT_BYTES)}; stopped rather than exhaust memory`, {
                hint: 'the API returned far more objects than a management tree holds: check what --kubeconfig points at',
              }),
            },
          }
        : {}),
    };
  }

  async #stream(command: Command, file: string, args: readonly string[], options: StreamMode): Promise<Spawned> {
    // A file destination gets its folder (private) when the command really runs: a dry run touches nothing.
    if (typeof options.destination === 'string') await mkdir(dirname(options.destination), { recursive: true, mode: 0o700 });
    const subprocess = execa(file, args, {
      ...this.#spawnOptions(command),
      input: command.input,
      stdin: command.input === undefined ? 'ignore' : undefined,
      stdout: 'pipe',
      stderr: 'pipe',
      // Both read here as they arrive: stdout into the pipeline, stderr into a bounded tail.
      buffer: false,
      stripFinalNewline: false,
    });
    let stopped: Stopped | undefined;
    const stop = (reason: Stopped) => {
      stopped ??= reason;
      subprocess.kill('SIGTERM');
    };
    const hint = options.hint ?? 'the command wrote far more than it should; check what it runs against';

    const tail = new Tail(STDERR_TAIL_BYTES);
    subprocess.stderr.on('data', (chunk: Buffer) => {
      tail.push(chunk);
      if (tail.total > MAX_STDERR_BYTES) {
        const what = `stderr passed ${formatBytes(MAX_STDERR_BYTES)}; stopped`;
        stop({ journal: what, error: new EnvironmentError(`${command.why}: ${what}`, { hint }) });
      }
    });

    let bytes = 0;
    const { maxBytes, onProgress } = options;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if (maxBytes !== undefined && bytes + chunk.length > maxBytes) {
          const what = `output passed ${formatBytes(maxBytes)}`;
          stop({ journal: `${what}; stopped`, error: new EnvironmentError(`${command.why}: the ${what}, more than the bound set for it; stopped`, { hint }) });
          callback(new Error(`${what}; stopped`));
          return;
        }
        bytes += chunk.length;
        onProgress?.(bytes);
        callback(null, chunk);
      },
    });
    // A 1 MiB buffer lets reads run ahead of the disk and batches writes (writev); memory stays bounded.
    const { destination } = options;
    const sink = typeof destination === 'string' ? createWriteStream(destination, { mode: 0o600, highWaterMark: 1 << 20 }) : destination;
    // A local write failure (disk full) must not leave the command streaming into nothing.
    const flowing = pipeline([subprocess.stdout, counter, ...(options.through ?? []), sink]).then(
      () => undefined,
      (error: unknown) => {
        subprocess.kill();
        return error instanceof Error ? error : new Error(String(error));
      },
    );
    // Registered, so an interruption (SIGTERM from CI, not only a terminal's Ctrl-C) stops ssh too.
    const result = await this.#track(subprocess, subprocess);
    const writeError = await flowing;
    if (writeError && !stopped) {
      stopped = {
        journal: `writing the output: ${writeError.message}`,
        error: new EnvironmentError(`${command.why}: writing the output failed: ${writeError.message}`, {
          hint: 'check free space and permissions where the output goes',
          cause: writeError,
        }),
      };
    }
    return {
      ended: result as unknown as Ended,
      stdout: '',
      stderr: tail.text(),
      stdoutBytes: bytes,
      ...(stopped ? { stopped } : {}),
    };
  }

  async #inherit(command: Command, file: string, args: readonly string[], options: InheritMode): Promise<Spawned> {
    const child = execa(file, args, {
      ...this.#spawnOptions(command),
      stdio: options.stdoutToStderr ? ['inherit', 2, 'inherit'] : 'inherit',
      cleanup: false,
      // Its own session: our terminal's hang-up stays ours. Not unref'd: we wait for it.
      detached: true,
      forceKillAfterDelay: false,
    });
    const forwardedSignals: NodeJS.Signals[] = [];
    const shieldedSignals: NodeJS.Signals[] = [];
    const listeners = [
      ...FORWARDED_SIGNALS.map((signal) => {
        // While a listener is installed Node does not exit on the signal: we stay to report the command's outcome.
        const listener = () => {
          forwardedSignals.push(signal);
          if (child.pid !== undefined) signalProcessTree(child.pid, signal);
        };
        return { signal, listener };
      }),
      ...SHIELDED_SIGNALS.map((signal) => ({ signal, listener: () => void shieldedSignals.push(signal) })),
    ];
    for (const { signal, listener } of listeners) process.on(signal, listener);
    let result;
    try {
      result = await child;
    } finally {
      for (const { signal, listener } of listeners) process.off(signal, listener);
    }
    return { ended: result as unknown as Ended, stdout: '', stderr: '', forwardedSignals, shieldedSignals };
  }
}

function skippedResult(mode: RunMode): RunResult | StreamResult | InheritResult {
  switch (mode) {
    case 'buffer':
      return { exitCode: 0, stdout: '', stderr: '', durationMs: 0, skipped: true };
    case 'stream':
      return { exitCode: 0, stderr: '', durationMs: 0, bytes: 0, skipped: true };
    case 'inherit':
      return { exitCode: 0, durationMs: 0, forwardedSignals: [], skipped: true };
  }
}
