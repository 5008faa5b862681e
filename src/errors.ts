import { ExitCode, type ExitCodeName } from './exit-codes.js';

/**
 * Every error the tool reports on purpose. `hint` names the flag or action that fixes it;
 * only bin/ turns `exit` into a process exit code.
 */
export class SafeUpgradeError extends Error {
  readonly exit: ExitCodeName;
  readonly hint: string | undefined;
  constructor(exit: ExitCodeName, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exit = exit;
    this.hint = options.hint;
  }
  get exitCode(): number {
    return ExitCode[this.exit];
  }
}

/** Bad flags, an unreadable or malformed spec, a hostile name. */
export class UsageError extends SafeUpgradeError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('Usage', message, options);
  }
}

/** A tool is missing, a kubeconfig is absent, the API server does not answer. */
export class EnvironmentError extends SafeUpgradeError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('Environment', message, options);
  }
}

/** An external command exited non-zero; keeps the short message and the tail of stderr. */
export class ToolError extends SafeUpgradeError {
  readonly argv: readonly string[];
  readonly exitCodeOfTool: number | undefined;
  readonly stderr: string;
  constructor(
    exit: ExitCodeName,
    message: string,
    details: { argv: readonly string[]; exitCode?: number; stderr?: string; hint?: string; cause?: unknown },
  ) {
    super(exit, message, { hint: details.hint, cause: details.cause });
    this.argv = details.argv;
    this.exitCodeOfTool = details.exitCode;
    this.stderr = details.stderr ?? '';
  }
}

/** A result the command already reported in full (table, JSON); bin/ only sets the exit code. */
export class ReportedOutcome extends SafeUpgradeError {
  constructor(exit: ExitCodeName, message: string) {
    super(exit, message);
  }
}

export function isSafeUpgradeError(error: unknown): error is SafeUpgradeError {
  return error instanceof SafeUpgradeError;
}

// A tool can aggregate hundreds of errors into one line; the operator needs the start of it, the journal the rest.
const MAX_LINE = 300;

// C0 and C1 controls (but tab and newline), and the Unicode marks that reorder or hide what follows:
// bidi embeddings, overrides and isolates (U+202A-E, U+2066-9), LRM/RLM/ALM, zero-width joiners and the BOM.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * The terminal sink: text from the API, a tool, a manifest or a path made safe for the operator's
 * terminal. Control characters (terminal escape sequences, NUL, carriage returns) and bidi overrides
 * become `?`, so a tool or a node cannot retitle, clear, rewrite or reorder the operator's screen.
 */
export function printable(text: string): string {
  return text.replace(INVISIBLE, '?');
}

/** The first line of a tool's stderr worth showing, without kubectl's noise. */
export function firstMeaningfulLine(text: string): string {
  const lines = printable(text)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('W1') && !l.startsWith('I1'));
  const line = lines.find((l) => /error|unable|fail|refused|denied|not found/i.test(l)) ?? lines[0] ?? '';
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}
