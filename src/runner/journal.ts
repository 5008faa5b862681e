import { appendFileSync } from 'node:fs';
import type { CommandKind } from '../command.js';

/** How a command's output is handled: kept in memory, streamed to a destination, or left to the terminal. */
export type RunMode = 'buffer' | 'stream' | 'inherit';

/**
 * One line of the journal: what ran (or would have), how it ended. Secrets are already redacted. Every field
 * any mode writes is declared here; the optional ones are present only when they apply.
 */
export interface JournalEntry {
  readonly time: string;
  readonly argv: readonly string[];
  readonly kind: CommandKind;
  readonly why: string;
  readonly mode: RunMode;
  readonly dryRun: boolean;
  /** true when dry-run skipped a write: nothing ran. */
  readonly skipped: boolean;
  /** null when nothing ran; 127 when the program was not found; 128 + the signal number when a signal ended it. */
  readonly exitCode: number | null;
  readonly durationMs: number;
  /** Size of the text fed on stdin (never the text). */
  readonly stdinBytes?: number;
  /** Stream mode: bytes of stdout delivered to the destination. */
  readonly stdoutBytes?: number;
  /** The signal that ended the command, if one did. */
  readonly signal?: NodeJS.Signals;
  /** Inherit mode: the signals we received and forwarded to the command, in order. */
  readonly forwardedSignals?: readonly NodeJS.Signals[];
  /** Inherit mode: the signals we received and kept from the command (SIGHUP), in order. */
  readonly shieldedSignals?: readonly NodeJS.Signals[];
  readonly error?: string;
}

/** The journal in memory, mirrored as NDJSON to a file when one is named (tests read it). */
export class Journal {
  readonly #entries: JournalEntry[] = [];
  readonly #file: string | undefined;
  constructor(file?: string) {
    this.#file = file;
  }

  add(entry: JournalEntry): void {
    this.#entries.push(entry);
    if (this.#file) appendFileSync(this.#file, `${JSON.stringify({ source: 'eksa-safe-upgrade', ...entry })}\n`);
  }

  /** A copy: the journal is written only by the runner. */
  entries(): readonly JournalEntry[] {
    return [...this.#entries];
  }
}
