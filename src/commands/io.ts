/** What a command needs from the process, injected so tests and bin/ decide where output goes. */
export interface CommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Whether stderr, where progress goes, is a terminal. */
  readonly isTTY: boolean;
  /** A whole line (or block) for stdout: results. */
  stdout(text: string): void;
  /** A whole line for stderr: progress, `$`/`!` command lines, warnings. */
  stderr(text: string): void;
}

export function processIo(): CommandIo {
  return {
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stderr.isTTY),
    stdout: (text) => void process.stdout.write(`${text}\n`),
    stderr: (text) => void process.stderr.write(`${text}\n`),
  };
}
