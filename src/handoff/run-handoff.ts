import { constants } from 'node:os';
import { execa, type ExecaError } from 'execa';
import { EnvironmentError } from '../errors.js';
import { formatCommand, redactArgv, type Command } from '../command.js';
import type { JournalEntry } from '../runner/journal.js';
import type { Runner } from '../runner/runner.js';
import { signalProcessTree } from './process-tree.js';

export interface HandoffOptions {
  /** Its dry-run switch, log, journal and environment apply to the hand-off as to any command. */
  readonly runner: Runner;
}

export interface HandoffResult {
  /** eksctl's exit code; 128 + the signal number when a signal ended it (the shell's convention). */
  readonly exitCode: number;
  /** The signal that ended eksctl, if one did. */
  readonly signal?: NodeJS.Signals;
  readonly durationMs: number;
  /** A forwarded signal reached us while eksctl ran: the operator or the CI asked to stop. */
  readonly interrupted: boolean;
  /** The signals received and forwarded, in order. */
  readonly forwardedSignals: readonly NodeJS.Signals[];
  /** Dry-run: printed as `! cmd`, nothing ran. */
  readonly skipped: boolean;
}

/** Signals forwarded to eksctl while it runs. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Runs the hand-off command (eksctl) in the foreground: stdio inherited, so eksctl keeps the terminal and
 * prints its own progress. Process lifetime is deliberate:
 * - `cleanup: false`: if our process dies, eksctl is not killed mid-upgrade (execa would kill it);
 * - same process group (not detached): a terminal Ctrl-C reaches eksctl directly;
 * - SIGINT/SIGTERM sent to us alone are forwarded to eksctl and its plugin, and we wait for it to end
 *   rather than exit; the result says `interrupted`. No SIGKILL ever follows.
 * A non-zero exit is returned, not thrown. Journaled like any runner call; in dry-run the runner prints
 * `! cmd` and nothing runs.
 */
export async function runHandoff(command: Command, options: HandoffOptions): Promise<HandoffResult> {
  const { runner } = options;
  if (command.kind !== 'handoff') throw new Error(`internal: runHandoff was given a ${command.kind} command`);
  if (runner.dryRun) {
    await runner.run(command);
    return { exitCode: 0, durationMs: 0, interrupted: false, forwardedSignals: [], skipped: true };
  }
  const [file, ...args] = command.argv;
  if (!file) throw new Error('internal: runHandoff: empty argv');
  // Always shown: eksctl takes the terminal from here, and this is the line to rerun by hand.
  runner.options.log(`$ ${formatCommand(command.argv)}`);

  const env = runner.options.env;
  const time = new Date().toISOString();
  const started = performance.now();
  const child = execa(file, args, {
    stdio: 'inherit',
    cleanup: false,
    detached: false,
    forceKillAfterDelay: false,
    reject: false,
    timeout: command.timeoutMs,
    env: { ...env, ...command.env },
    extendEnv: env === undefined,
  });

  const forwardedSignals: NodeJS.Signals[] = [];
  const listeners = FORWARDED_SIGNALS.map((signal) => {
    // While a listener is installed Node does not exit on the signal: we stay to report eksctl's outcome.
    const listener = () => {
      forwardedSignals.push(signal);
      if (child.pid !== undefined) signalProcessTree(child.pid, signal);
    };
    process.on(signal, listener);
    return { signal, listener };
  });
  let result;
  try {
    result = await child;
  } finally {
    for (const { signal, listener } of listeners) process.off(signal, listener);
  }
  const durationMs = Math.round(performance.now() - started);

  const failure = result.failed ? (result as unknown as ExecaError) : undefined;
  const notFound = failure?.code === 'ENOENT';
  const signal = result.signal;
  const exitCode = result.exitCode ?? (signal ? 128 + (constants.signals[signal] ?? 0) : notFound ? 127 : -1);
  const entry: JournalEntry & { signal?: string; forwardedSignals?: NodeJS.Signals[] } = {
    time,
    argv: redactArgv(command.argv),
    kind: command.kind,
    why: command.why,
    dryRun: false,
    skipped: false,
    exitCode,
    durationMs,
    ...(signal ? { signal, error: `ended by ${signal}` } : failure && !failure.exitCode ? { error: failure.shortMessage } : {}),
    ...(forwardedSignals.length > 0 ? { forwardedSignals } : {}),
  };
  runner.journal.add(entry);
  if (notFound) throw new EnvironmentError(`${file} not found on PATH`, { hint: `install ${file} or put it on PATH` });
  return {
    exitCode,
    ...(signal ? { signal } : {}),
    durationMs,
    interrupted: forwardedSignals.length > 0,
    forwardedSignals,
    skipped: false,
  };
}
