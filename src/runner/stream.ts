import type { Transform, Writable } from 'node:stream';
import type { Command } from '../command.js';
import type { RunOptions, Runner, StreamResult } from './runner.js';

export { formatStreamCommand } from '../command.js';
export type { StreamResult } from './runner.js';

export interface StreamOptions extends RunOptions {
  /** Called with the running byte count as stdout arrives. */
  readonly onProgress?: (bytes: number) => void;
  /** Pass-through stages between stdout and the destination (hashing, verification). */
  readonly through?: readonly Transform[];
  /** Stop the command and throw an EnvironmentError once stdout passes this many bytes. */
  readonly maxBytes?: number;
}

/**
 * Runs a command whose stdout is data, not text: `runner.run(command, { mode: 'stream', destination, ... })`.
 * stdout goes straight to `destination` (a file path, opened 0600, or a stream) with constant memory; the
 * runner's contract otherwise (dry-run, journal, failures) as for any mode.
 */
export function streamCommand(runner: Runner, command: Command, destination: string | Writable, options: StreamOptions = {}): Promise<StreamResult> {
  return runner.run(command, { ...options, mode: 'stream', destination });
}
