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
    try {
      await handle.writeFile(data);
      await handle.chmod(0o600);
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    // A write cut short (a full disk) leaves no stray temporary file in the set.
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

/**
 * Writes a new private file holding `data` padded with spaces to at least `reserveBytes` (JSON ignores
 * trailing whitespace): the blocks a later in-place rewrite needs are allocated now, while there is room,
 * so the file can still be rewritten when the disk is full. Created with O_EXCL | O_NOFOLLOW, synced.
 */
export async function writeReservedFile(file: string, data: string, reserveBytes: number): Promise<void> {
  const bytes = Buffer.from(data);
  const padded = Buffer.alloc(Math.max(bytes.length + 1, reserveBytes), ' ');
  bytes.copy(padded);
  padded[padded.length - 1] = 0x0a;
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(padded);
    await handle.chmod(0o600);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Rewrites a file made by writeReservedFile: atomically (a new file renamed over it) when the disk has room;
 * else, when `data` fits in the blocks already reserved, in place (no new block is needed, so a full disk
 * cannot stop it). Throws the first error when neither works.
 */
export async function rewriteReservedFile(file: string, data: string): Promise<void> {
  try {
    await replacePrivateFile(file, data);
    return;
  } catch (error) {
    const info = await lstat(file).catch(() => undefined);
    const bytes = Buffer.from(data);
    if (!info?.isFile() || bytes.length + 1 > info.size) throw error;
    const padded = Buffer.alloc(info.size, ' ');
    bytes.copy(padded);
    padded[padded.length - 1] = 0x0a;
    const handle = await open(file, constants.O_WRONLY | constants.O_NOFOLLOW);
    try {
      await handle.write(padded, 0, padded.length, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
