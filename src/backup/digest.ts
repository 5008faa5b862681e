import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
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
