import { execa, type ExecaError } from 'execa';
import { EnvironmentError, SafeUpgradeError, ToolError, firstMeaningfulLine } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { formatCommand, redactArgv, type Command } from '../command.js';
import { Journal } from './journal.js';

/**
 * Output kept in memory per command. The largest read, the inventory, is about 24 MB for 500 workload
 * clusters; past this bound the command is stopped with a clear error instead of exhausting memory.
 */
export const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** true when dry-run skipped a write. */
  readonly skipped: boolean;
}

export interface RunOptions {
  /** Return a non-zero exit as a result instead of throwing. */
  readonly reject?: boolean;
  /** Which exit code a failure maps to when it is thrown. */
  readonly failAs?: ExitCodeName;
  /** The hint attached to a thrown failure. */
  readonly hint?: string;
}

export interface RunnerOptions {
  readonly dryRun: boolean;
  readonly verbose: boolean;
  /** Where `$ cmd` / `! cmd` lines go. */
  readonly log: (line: string) => void;
  readonly journalFile?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The one way the tool runs an external command. Reads always run (`$ cmd` at -v); in dry-run a write
 * is printed as `! cmd` and not run. Every call is journaled.
 */
export class Runner {
  readonly journal: Journal;
  /** The signal that interrupted the run, once one has. */
  interruptedBy: NodeJS.Signals | undefined;
  private readonly inFlight = new Set<{ kill(signal?: NodeJS.Signals): boolean }>();
  constructor(readonly options: RunnerOptions) {
    this.journal = new Journal(options.journalFile);
  }

  /**
   * Stop what is running now (SIGTERM to every child in flight) and remember why. Commands started
   * afterwards still run: cleanup — pause restore, lock release — needs them.
   */
  interrupt(signal: NodeJS.Signals): void {
    this.interruptedBy ??= signal;
    for (const child of this.inFlight) child.kill('SIGTERM');
  }

  /** Throw the interruption at a step boundary, so no new work starts after Ctrl-C. */
  throwIfInterrupted(): void {
    if (this.interruptedBy) {
      throw new SafeUpgradeError('Interrupted', `interrupted by ${this.interruptedBy}`, { hint: 'nothing more was started; see above for what was cleaned up' });
    }
  }

  /** Register a child started outside run() (streams), so interrupt() reaches it too. */
  track<T extends { kill(signal?: NodeJS.Signals): boolean }>(child: T, done: Promise<unknown>): T {
    this.inFlight.add(child);
    void done.finally(() => this.inFlight.delete(child)).catch(() => undefined);
    return child;
  }

  get dryRun(): boolean {
    return this.options.dryRun;
  }

  /** A write the dry run rendered from the plan: journaled as skipped, nothing runs. */
  recordSkipped(command: Command): void {
    this.journal.add({
      argv: redactArgv(command.argv),
      kind: command.kind,
      why: command.why,
      dryRun: true,
      ...(command.input === undefined ? {} : { stdinBytes: Buffer.byteLength(command.input) }),
      time: new Date().toISOString(),
      skipped: true,
      exitCode: null,
      durationMs: 0,
    });
  }

  async run(command: Command, runOptions: RunOptions = {}): Promise<RunResult> {
    const shown = formatCommand(command.argv);
    const base = {
      argv: redactArgv(command.argv),
      kind: command.kind,
      why: command.why,
      dryRun: this.options.dryRun,
      ...(command.input === undefined ? {} : { stdinBytes: Buffer.byteLength(command.input) }),
    };
    if (this.options.dryRun && command.kind !== 'read') {
      this.options.log(`! ${shown}`);
      this.journal.add({ ...base, time: new Date().toISOString(), skipped: true, exitCode: null, durationMs: 0 });
      return { exitCode: 0, stdout: '', stderr: '', durationMs: 0, skipped: true };
    }
    if (this.options.verbose) this.options.log(`$ ${shown}`);

    const [file, ...args] = command.argv;
    if (!file) throw new Error('runner: empty argv');
    // A command that fails because interrupt() stopped it is an interruption, not a tool failure; one
    // started afterwards (cleanup) keeps its own failure.
    const startedInterrupted = this.interruptedBy !== undefined;
    const started = performance.now();
    const time = new Date().toISOString();
    const subprocess = execa(file, args, {
      reject: false,
      input: command.input,
      stdin: command.input === undefined ? 'ignore' : undefined,
      timeout: command.timeoutMs,
      env: { ...this.options.env, ...command.env },
      extendEnv: this.options.env === undefined,
      stripFinalNewline: false,
      maxBuffer: MAX_OUTPUT_BYTES,
    });
    const result = await this.track(subprocess, subprocess);
    const durationMs = Math.round(performance.now() - started);
    const failure = result.failed ? (result as unknown as ExecaError) : undefined;
    const notFound = failure && (failure.code === 'ENOENT' || /ENOENT/.test(failure.message) && result.exitCode === undefined);
    const exitCode = result.exitCode ?? (notFound ? 127 : -1);
    this.journal.add({
      ...base,
      time,
      skipped: false,
      exitCode,
      durationMs,
      ...(failure ? { error: failure.timedOut ? 'timed out' : firstMeaningfulLine(String(result.stderr)) || failure.shortMessage } : {}),
    });
    if (notFound) {
      throw new EnvironmentError(`${file} not found on PATH`, { hint: `install ${file} or put it on PATH` });
    }
    if (failure?.isMaxBuffer) {
      throw new EnvironmentError(`${command.why}: the output passed ${MAX_OUTPUT_BYTES / 1048576} MiB; stopped rather than exhaust memory`, {
        hint: 'the API returned far more objects than a management tree holds: check what --kubeconfig points at',
      });
    }
    const out: RunResult = {
      exitCode,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      durationMs,
      skipped: false,
    };
    if (failure && !startedInterrupted && this.interruptedBy) {
      throw new SafeUpgradeError('Interrupted', `interrupted by ${this.interruptedBy} while running: ${command.why}`, {
        hint: 'nothing more was started; see above for what was cleaned up',
      });
    }
    if (failure && runOptions.reject !== false) {
      const reason = failure.timedOut
        ? `timed out after ${command.timeoutMs} ms`
        : firstMeaningfulLine(out.stderr) || `exit code ${exitCode}`;
      throw new ToolError(runOptions.failAs ?? 'Environment', `${command.why}: ${reason}`, {
        argv: command.argv,
        exitCode,
        stderr: out.stderr,
        hint: runOptions.hint,
      });
    }
    return out;
  }
}
