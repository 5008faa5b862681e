import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Applied } from '../apply/execute-plan.js';
import type { ExitCodeName } from '../exit-codes.js';

/** After a failed or interrupted hand-off: where the backup is, and its restore runbook. Nothing otherwise. */
export async function restoreHint(exit: ExitCodeName, applied: Applied): Promise<string | undefined> {
  if (!(exit === 'UpgradeFailed' || exit === 'NotConfirmed' || (exit === 'Interrupted' && applied.handoff))) return undefined;
  const dir = applied.backup?.dir;
  if (!dir) return 'No complete backup set was written in this run.';
  const runbook = await readFile(path.join(dir, 'RESTORE.md'), 'utf8').catch(() => undefined);
  return [`Backup of this run: ${dir}`, runbook ?? `Restore steps: eksa-safe-upgrade restore-plan ${dir}`].join('\n');
}
