import type { Command } from '../command.js';
import type { InheritResult, Runner } from '../runner/runner.js';

export interface HandoffOptions {
  /** Its dry-run switch, log, journal and environment apply to the hand-off as to any command. */
  readonly runner: Runner;
}

export interface HandoffResult extends InheritResult {
  /** A forwarded signal reached us while eksctl ran: the operator or the CI asked to stop. */
  readonly interrupted: boolean;
}

/**
 * Runs the hand-off command (eksctl) in the foreground through the runner's inherit mode: stdin and stderr
 * inherited and its stdout on our stderr, so eksctl keeps the terminal and prints its own progress while our
 * stdout holds the result alone; not killed if we die; in a session of its own, so a hang-up of our terminal
 * does not reach it (a SIGHUP we get is recorded, not forwarded); SIGINT/SIGTERM sent to us forwarded to
 * eksctl and its plugin while we wait for it to end (the result says `interrupted`); no
 * SIGKILL ever follows. A non-zero exit is returned, not thrown. In dry-run the runner prints `! cmd` and
 * nothing runs.
 */
export async function runHandoff(command: Command, options: HandoffOptions): Promise<HandoffResult> {
  if (command.kind !== 'handoff') throw new Error(`internal: runHandoff was given a ${command.kind} command`);
  const result = await options.runner.run(command, { mode: 'inherit', reject: false, stdoutToStderr: true });
  return { ...result, interrupted: result.forwardedSignals.length > 0 };
}
