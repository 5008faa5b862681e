import type { Runner } from './runner/runner.js';

/**
 * The signals a run traps. SIGHUP (the terminal or the SSH session to the admin machine went away) is an
 * interruption like SIGTERM: the flow cleans up and reports, it is not killed outright.
 */
export const TRAPPED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * While a command runs, SIGINT/SIGTERM/SIGHUP do not kill us outright: they stop the child in flight and let
 * the flow clean up (pause state, lock, partial backup) before it exits with the interrupted code.
 * Returns the function that removes the handlers.
 */
export function trapInterrupts(runner: Runner, onSignal: (signal: NodeJS.Signals) => void = () => undefined): () => void {
  const handlers = TRAPPED_SIGNALS.map((signal) => {
    const handler = () => {
      // After a hang-up the terminal is gone: a write to it fails (EIO), and an unhandled stream error would
      // end the run before it puts pause state back, releases the lock and writes its report.
      if (signal === 'SIGHUP') ignoreTerminalErrors();
      runner.interrupt(signal);
      onSignal(signal);
    };
    process.on(signal, handler);
    return { signal, handler };
  });
  return () => {
    for (const { signal, handler } of handlers) process.off(signal, handler);
  };
}

let ignoring = false;

/** Swallow write errors on our stdout/stderr from now on (idempotent). */
export function ignoreTerminalErrors(): void {
  if (ignoring) return;
  ignoring = true;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}
