import path from 'node:path';
import { verifyBackupSet } from '../backup/verify-set.js';
import type { OutputFormat } from '../context.js';
import type { ExitCodeName } from '../exit-codes.js';
import { printable } from '../errors.js';
import { paint } from '../report/paint.js';
import type { CommandIo } from './io.js';
import { backupFolder } from './set-folder.js';

/**
 * `verify <backup dir>`: every sha256 recomputed, the object graph checked again. The table is a summary (what
 * failed, with its reason, and the counts); `-v` lists every file.
 */
export async function verify(options: { dir: string; output: OutputFormat; verbosity?: number }, io: CommandIo): Promise<ExitCodeName> {
  const dir = await backupFolder(options.dir, io.cwd);
  const result = await verifyBackupSet(dir);
  if (options.output === 'json') {
    io.stdout(JSON.stringify({ command: 'verify', dir, ok: result.ok, problems: result.problems, files: result.files }, null, 2));
  } else {
    const p = paint(io.env);
    // Paths and problems come from the set on disk and its manifest: through the terminal sink.
    const shown = (options.verbosity ?? 0) >= 1 ? result.files : result.files.filter((f) => f.status !== 'ok');
    for (const f of shown) io.stdout(`${f.status === 'ok' ? p.ok('ok       ') : p.bad(f.status.padEnd(9))} ${printable(f.path)}${f.detail ? `  (${printable(f.detail)})` : ''}`);
    const ok = result.files.filter((f) => f.status === 'ok').length;
    io.stdout(`${ok} of ${result.files.length} files match their sha256${(options.verbosity ?? 0) >= 1 || ok === result.files.length ? '' : ' (-v lists every file)'}`);
    for (const problem of result.problems) io.stdout(p.bad(`problem: ${printable(problem)}`));
    io.stdout(result.ok ? p.ok(`Verified: ${printable(dir)}`) : p.bad(`Verification failed: ${printable(dir)}`));
  }
  return result.ok ? 'Success' : 'VerifyFailed';
}
