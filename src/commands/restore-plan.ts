import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseBackupDirName } from '../backup/naming.js';
import { SafeUpgradeError, UsageError, printable } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { classifySet, readManifest } from '../backup-sets/backup-sets.js';
import { RESTORE_FILE, readStoredRunbook, runbookFor } from '../backup-sets/restore-file.js';
import type { CommandIo } from './io.js';
import { backupFolder } from './set-folder.js';
import { quoteForDisplay, redactUrls } from '../command.js';
import { pullCommand } from '../offsite/artifact.js';

/**
 * `restore-plan <backup dir>`: prints the set's restore runbook. It is rendered for where the set is now and
 * compared with the RESTORE.md written at creation; any difference is said on stderr. Runs nothing.
 */
export async function restorePlan(options: { dir: string }, io: CommandIo): Promise<ExitCodeName> {
  const dir = await backupFolder(options.dir, io.cwd);
  const read = await readManifest(dir);
  if (read.kind === 'missing') {
    throw new UsageError(`${dir} has no manifest.json: not a backup set made by eksa-safe-upgrade`, { hint: 'list the sets with: eksa-safe-upgrade backups list' });
  }
  if (read.kind === 'invalid') throw new UsageError(`${dir}/manifest.json does not parse: ${read.error}`, { hint: 'pick another set: eksa-safe-upgrade backups list' });
  // What describeSet would say, from the manifest already read; a folder not named like a set keeps the manifest's state.
  const name = parseBackupDirName(path.basename(dir));
  const { state, note } = name ? classifySet(name, read) : { state: read.manifest.state, note: undefined };
  if (state !== 'complete') {
    throw new SafeUpgradeError('VerifyFailed', `${dir} is ${state}${note ? ` (${note})` : ''}: it cannot be restored from`, {
      hint: 'pick a complete set: eksa-safe-upgrade backups list',
    });
  }
  const text = await runbookFor(dir, read.manifest);
  const stored = await readStoredRunbook(dir);
  const listed = read.manifest.files.find((f) => f.path === RESTORE_FILE);
  if (stored === undefined) {
    io.stderr(`note: ${printable(dir)} has no ${RESTORE_FILE} (it was made before sets carried one); this runbook comes from its manifest.`);
  } else {
    if (listed && createHash('sha256').update(stored, 'utf8').digest('hex') !== listed.sha256) {
      io.stderr(`warning: ${RESTORE_FILE} in the set was changed after the backup was taken; this runbook comes from the manifest instead.`);
    } else if (stored !== text) {
      io.stderr(`note: ${RESTORE_FILE} in the set was written for another location or tool version; this runbook is for ${printable(dir)}.`);
    }
  }
  io.stdout(text);
  // Pushes come after the set (and its RESTORE.md) were sealed: named here, from the manifest's push records.
  const pushes = read.manifest.pushes ?? [];
  if (pushes.length > 0) {
    const lines = ['', '## Off-site copies', '', 'If this folder is lost, bring the set back (downloaded, decrypted, verified, then put in place):', '', '```bash'];
    for (const p of pushes) lines.push(printable(pullCommand(quoteForDisplay(`${redactUrls(p.url)}:${path.basename(dir)}`), p.encrypted)));
    lines.push('```');
    io.stdout(lines.join('\n'));
  }
  return 'Success';
}
