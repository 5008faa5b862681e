import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { FAILED_SUFFIX } from '../backup/naming.js';

const SET_NAME = /-backup-(\d{4}-\d\d-\d\dT[0-9_]+)(\.failed)?$/;

/**
 * The `etcd/known_hosts` of the newest set of a management folder that has one (complete or failed; never
 * one still being written): the host keys the last backup saw, which the next one checks against. A
 * symlink or anything but a regular file is not trusted.
 */
export async function newestEarlierKnownHosts(managementFolder: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(managementFolder);
  } catch {
    return undefined;
  }
  const sets = names
    .map((name) => ({ name, stamp: SET_NAME.exec(name)?.[1] }))
    .filter((s): s is { name: string; stamp: string } => s.stamp !== undefined)
    // Newest first; at the same instant a complete set before a failed one.
    .sort((a, b) => (a.stamp === b.stamp ? Number(a.name.endsWith(FAILED_SUFFIX)) - Number(b.name.endsWith(FAILED_SUFFIX)) : a.stamp < b.stamp ? 1 : -1));
  for (const s of sets) {
    const file = path.join(managementFolder, s.name, 'etcd', 'known_hosts');
    const info = await lstat(file).catch(() => undefined);
    if (info?.isFile() && info.size > 0) return file;
  }
  return undefined;
}
