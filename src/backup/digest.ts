import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { lstat, open, readdir, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { mapLimit } from '../map-limit.js';

export interface FileDigest {
  /** Relative to the backup set, with '/' separators. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/** sha256 of a file, streamed: constant memory whatever the size. */
export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Every regular file under `root` (sorted, relative), except the ones named in `exclude`. */
export async function listFiles(root: string, exclude: ReadonlySet<string> = new Set()): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (!exclude.has(child)) out.push(child);
    }
  }
  await walk('');
  return out;
}

/** Digests of every file of a backup set, a few at a time (disk-bound, not CPU-bound). */
export async function digestFiles(root: string, files: readonly string[]): Promise<FileDigest[]> {
  return mapLimit(files, 4, async (rel) => {
    const info = await lstat(path.join(root, rel));
    if (!info.isFile()) throw new Error(`${rel} is not a regular file`);
    const { sha256, size } = await sha256File(path.join(root, rel));
    return { path: rel, size, sha256 };
  });
}

function kindOf(info: { isSymbolicLink(): boolean; isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (info.isSymbolicLink()) return 'a symlink';
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

export type Refusal = { refused: string } | { outside: string } | { missing: true };

/**
 * A file of a set opened for reading, only when it is a regular file inside the set: a path that leaves the set,
 * a symlink (to anything), a FIFO, a device or a file under a symlinked folder is refused, never opened for
 * reading (a FIFO or /dev/zero would hang). Opened with O_NOFOLLOW | O_NONBLOCK and checked again on the
 * open descriptor, so a swap between the check and the read is refused too.
 */
export async function openInside(root: string, rel: string): Promise<{ handle: FileHandle } | Refusal> {
  const parts = rel.split('/');
  if (path.isAbsolute(rel) || parts.some((p) => p === '' || p === '.' || p === '..') || rel.includes('\0')) return { outside: 'names a path outside the set: never read' };
  const full = path.join(root, rel);
  let info;
  try {
    info = await lstat(full);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return { missing: true };
    return { refused: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  if (!info.isFile()) return { refused: `is ${kindOf(info)}: only regular files inside the set count` };
  const [real, realRoot] = await Promise.all([realpath(full), realpath(root)]);
  if (!real.startsWith(`${realRoot}${path.sep}`)) return { refused: 'is reached through a symlinked folder, outside the set' };
  const handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => error);
  if (handle instanceof Error) return { refused: `cannot be opened (${handle.code ?? handle.message})` };
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    return { refused: 'changed into something other than a regular file while it was checked' };
  }
  return { handle };
}

/** The digest of a file of a set, only when it is a regular file inside the set (see openInside). */
export async function digestInside(root: string, rel: string): Promise<{ sha256: string; size: number } | Refusal> {
  const opened = await openInside(root, rel);
  if (!('handle' in opened)) return opened;
  const { handle } = opened;
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(1024 * 1024);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await handle.close();
  }
}

/**
 * The UTF-8 text of a file of a set, only when it is a regular file inside the set (see openInside): what
 * restore-plan and the runbook read from a set that may have been tampered with.
 */
export async function readTextInside(root: string, rel: string): Promise<{ text: string } | Refusal> {
  const opened = await openInside(root, rel);
  if (!('handle' in opened)) return opened;
  try {
    return { text: await opened.handle.readFile('utf8') };
  } finally {
    await opened.handle.close();
  }
}

/** What a refusal says, after the file's name. */
export function refusalOf(r: Refusal): string {
  return 'missing' in r ? 'is missing' : 'outside' in r ? r.outside : r.refused;
}
