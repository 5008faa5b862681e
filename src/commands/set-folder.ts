import { stat } from 'node:fs/promises';
import path from 'node:path';
import { formatCommand } from '../command.js';
import { UsageError, printable } from '../errors.js';

/**
 * The backup folder a command was given (`verify`, `drill`, `restore-plan`), resolved; a path that does not
 * exist or is not a folder is a usage error naming it (exit 2), not a failed verification of a set.
 */
export async function backupFolder(given: string, cwd: string): Promise<string> {
  const dir = path.resolve(cwd, given);
  const info = await stat(dir).catch(() => undefined);
  const list = `list the sets with: ${printable(formatCommand(['eksa-safe-upgrade', 'backups', 'list', '--dir', path.dirname(dir)]))}`;
  if (!info) throw new UsageError(`${printable(given)} does not exist`, { hint: list });
  if (!info.isDirectory()) throw new UsageError(`${printable(given)} is not a folder: pass a backup set's folder`, { hint: list });
  return dir;
}
