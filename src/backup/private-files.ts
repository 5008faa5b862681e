import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SafeUpgradeError } from '../errors.js';

// Folders 0700, files 0600 whatever the umask: backup sets and the files beside them hold kubeconfig and CA Secrets.
// The chmod after the write also narrows a file that already existed (mode applies only on create).

export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

export async function privateFile(file: string, data: string): Promise<void> {
  await writeFile(file, data, { mode: 0o600 });
  await chmod(file, 0o600);
}

/** Folders 0700 and files 0600 below `dir`, whatever wrote them. */
export async function chmodTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      await chmod(full, 0o700);
      await chmodTree(full);
    } else if (entry.isFile()) {
      await chmod(full, 0o600);
    }
  }
}

/** A path where something of ours would be written is a symlink (or another odd thing): refused, never followed. */
export class RefusedPathError extends SafeUpgradeError {
  constructor(message: string) {
    super('BackupFailed', message, { hint: 'check what it is and who made it, remove it, then run again' });
  }
}

/**
 * Writes a private file (0600) that may replace an older one, never through a symlink: a symlink (or
 * anything but a regular file) at `file` is refused; the data goes to a new file created with
 * O_CREAT | O_EXCL | O_NOFOLLOW beside it, renamed over `file` (a rename replaces a name, never follows it).
 */
export async function replacePrivateFile(file: string, data: string): Promise<void> {
  const existing = await lstat(file).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
  if (existing && !existing.isFile()) {
    throw new RefusedPathError(`${file} is ${existing.isSymbolicLink() ? 'a symlink' : 'not a regular file'}: refused, nothing is written through it`);
  }
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(data);
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Creates a backup set's folder (0700) that did not exist: mkdir without `recursive` fails on anything
 * already there, a symlink planted in advance included, so nothing is ever written through one.
 */
export async function createSetDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const info = await lstat(dir).catch(() => undefined);
    const what = info?.isSymbolicLink() ? 'a symlink' : info?.isDirectory() ? 'a folder' : 'something';
    throw new RefusedPathError(`${dir} already exists as ${what}: a backup set is only written into a folder it creates itself`);
  }
  await chmod(dir, 0o700);
}
