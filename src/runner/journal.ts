import { appendFileSync } from 'node:fs';
import type { CommandKind } from '../command.js';

/** One line of the journal: what ran (or would have), how it ended. Secrets are already redacted. */
export interface JournalEntry {
  readonly time: string;
  readonly argv: readonly string[];
  readonly kind: CommandKind;
  readonly why: string;
  readonly dryRun: boolean;
  /** true when dry-run skipped a write: nothing ran. */
  readonly skipped: boolean;
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly stdinBytes?: number;
  readonly error?: string;
}

/** The journal in memory, mirrored as NDJSON to a file when one is named (tests read it). */
export class Journal {
  readonly entries: JournalEntry[] = [];
  constructor(private readonly file?: string) {}

  add(entry: JournalEntry): void {
    this.entries.push(entry);
    if (this.file) appendFileSync(this.file, `${JSON.stringify({ source: 'eksa-safe-upgrade', ...entry })}\n`);
  }
}
