import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { readTextInside, refusalOf, type FileDigest } from '../backup/digest.js';
import { formatCommand } from '../command.js';
import { SafeUpgradeError, printable } from '../errors.js';
import type { BackupManifest } from '../backup/manifest.js';
import { privateFile } from '../backup/private-files.js';
import { renderRestoreRunbook } from '../runbook/restore-runbook.js';
import { factsFromObjects, type RunbookFacts } from '../runbook/runbook-facts.js';
import type { KubeObject } from '../kube/types.js';

export const RESTORE_FILE = 'RESTORE.md';

/** The runbook of a set as it is on disk now: its manifest, the Machines in its capi/, its real location. */
export async function runbookFor(setDir: string, manifest: BackupManifest): Promise<string> {
  return renderRestoreRunbook(manifest, path.resolve(setDir), await readRunbookFacts(setDir));
}

/**
 * Writes RESTORE.md into a set being built (`writeDir`, the `.partial` folder), naming `finalDir`, where the
 * set will be once renamed. Returns its digest for the manifest's file list, so verify covers it too.
 */
export async function writeRestoreRunbook(writeDir: string, finalDir: string, manifest: BackupManifest): Promise<FileDigest> {
  const text = renderRestoreRunbook(manifest, path.resolve(finalDir), await readRunbookFacts(writeDir));
  const file = path.join(writeDir, RESTORE_FILE);
  await privateFile(file, text);
  const bytes = Buffer.from(text, 'utf8');
  return { path: RESTORE_FILE, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The RESTORE.md stored in a set, or undefined when it has none; anything but a regular file in its place is refused. */
export async function readStoredRunbook(setDir: string): Promise<string | undefined> {
  const read = await readTextInside(setDir, RESTORE_FILE);
  if ('missing' in read) return undefined;
  if ('text' in read) return read.text;
  throw refused(setDir, RESTORE_FILE, refusalOf(read));
}

/**
 * Reads the Machine and MachineDeployment files clusterctl wrote into `capi/`. A file that does not parse is
 * skipped (verify reports it; the runbook only loses that machine); one that is not a regular file inside the
 * set (a FIFO, a device, a symlink) is refused, never read: it would hang the read or bring in another file.
 */
export async function readRunbookFacts(setDir: string): Promise<RunbookFacts> {
  const dir = path.join(setDir, 'capi');
  const names = await readdir(dir).catch(() => [] as string[]);
  const objects: KubeObject[] = [];
  for (const name of names.filter((n) => /^(Machine|MachineDeployment)_[^_]*_[^_/]+\.yaml$/.test(n)).sort()) {
    const read = await readTextInside(setDir, `capi/${name}`);
    if (!('text' in read)) throw refused(setDir, `capi/${name}`, refusalOf(read));
    try {
      const object = parse(read.text) as KubeObject;
      if (object && typeof object === 'object' && object.metadata) objects.push(object);
    } catch {
      // verify reports a file that does not parse; the runbook only loses that machine
    }
  }
  return factsFromObjects(objects);
}

function refused(setDir: string, rel: string, why: string): SafeUpgradeError {
  return new SafeUpgradeError('VerifyFailed', `${printable(path.join(setDir, rel))} ${printable(why)}: the set was changed after the backup`, {
    hint: `check the set with: ${formatCommand(['eksa-safe-upgrade', 'verify', setDir])}`,
  });
}
