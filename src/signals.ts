import type { Runner } from './runner/runner.js';

/**
 * While a command runs, SIGINT/SIGTERM do not kill us outright: they stop the child in flight and let
 * the flow clean up (pause state, lock, partial backup) before it exits with the interrupted code.
 * Returns the function that removes the handlers.
 */
export function trapInterrupts(runner: Runner, onSignal: (signal: NodeJS.Signals) => void = () => undefined): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const handlers = signals.map((signal) => {
    const handler = () => {
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
