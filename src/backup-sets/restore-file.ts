import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { FileDigest } from '../backup/digest.js';
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

/** The RESTORE.md stored in a set, or undefined when it has none. */
export async function readStoredRunbook(setDir: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(setDir, RESTORE_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads the Machine and MachineDeployment files clusterctl wrote into `capi/`; unreadable ones are skipped. */
export async function readRunbookFacts(setDir: string): Promise<RunbookFacts> {
  const dir = path.join(setDir, 'capi');
  const names = await readdir(dir).catch(() => [] as string[]);
  const objects: KubeObject[] = [];
  for (const name of names.filter((n) => /^(Machine|MachineDeployment)_[^_]*_[^_/]+\.yaml$/.test(n))) {
    try {
      const object = parse(await readFile(path.join(dir, name), 'utf8')) as KubeObject;
      if (object && typeof object === 'object' && object.metadata) objects.push(object);
    } catch {
      // verify reports a file that does not parse; the runbook only loses that machine
    }
  }
  return factsFromObjects(objects);
}
