import type { CommandIo } from '../../src/commands/io.js';

/** A CommandIo that keeps what a command printed. */
export function recordingIo(cwd: string): CommandIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { env: { NO_COLOR: '1' }, cwd, isTTY: false, out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) };
}
