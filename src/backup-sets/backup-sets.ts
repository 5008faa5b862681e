import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { readTextInside, refusalOf } from '../backup/digest.js';
import { MANIFEST_FILE, manifestSchema, type BackupManifest } from '../backup/manifest.js';
import { parseBackupDirName } from '../backup/naming.js';
import { mapLimit } from '../map-limit.js';

/**
 * complete: renamed into place with a complete manifest. failed: `.failed`, or its manifest says so.
 * partial: `.partial` (being written, or the run died). unverifiable: no readable manifest of its own
 * (EKS-A's own backup folders have none), so nothing can be checked.
 */
export type SetState = 'complete' | 'failed' | 'partial' | 'unverifiable';

/** What reading `manifest.json` gave: the manifest (and the optional `upgradedAt`), nothing, or an error. */
export type ManifestRead =
  | { readonly kind: 'ok'; readonly manifest: BackupManifest; readonly upgradedAt: Date | undefined }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly error: string };

export interface BackupSetInfo {
  readonly name: string;
  readonly dir: string;
  /** From the folder name: the cluster whose spec the backup was taken for. */
  readonly cluster: string;
  readonly state: SetState;
  /** Why a set is not complete, in a few words. */
  readonly note: string | undefined;
  /** The manifest's `createdAt`, else the folder's timestamp (local time, as EKS-A names folders). */
  readonly createdAt: Date | undefined;
  /** Optional manifest field: when the cluster was last upgraded after this set was taken. */
  readonly upgradedAt: Date | undefined;
  readonly manifest: BackupManifest | undefined;
  /** Bytes: the manifest's file sizes, or what is on disk when the manifest lists none. */
  readonly size: number;
}

/** Pure: the state of a set from its folder name and what its manifest said. */
export function classifySet(name: { cluster: string; timestamp: string; suffix: string }, read: ManifestRead): { state: SetState; note: string | undefined } {
  if (name.suffix === '.partial') {
    return { state: 'partial', note: read.kind === 'ok' ? 'manifest written but never renamed into place' : 'being written, or the run that wrote it stopped' };
  }
  if (name.suffix === '.failed') return { state: 'failed', note: read.kind === 'ok' ? read.manifest.error ?? 'failed' : 'failed, without a readable manifest' };
  if (read.kind === 'missing') return { state: 'unverifiable', note: `no ${MANIFEST_FILE} (an EKS-A backup, or not made by eksa-safe-upgrade)` };
  if (read.kind === 'invalid') return { state: 'unverifiable', note: `${MANIFEST_FILE} does not parse: ${read.error}` };
  const m = read.manifest;
  if (m.spec.cluster !== name.cluster || m.folderTimestamp !== name.timestamp) {
    return { state: 'unverifiable', note: `${MANIFEST_FILE} belongs to ${m.spec.cluster}-backup-${m.folderTimestamp}, not this folder` };
  }
  if (m.state === 'failed') return { state: 'failed', note: m.error ?? 'the manifest says failed' };
  return { state: 'complete', note: undefined };
}

/** The local time a folder timestamp `2006-01-02T15_04_05` names. */
export function folderTime(timestamp: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})_(\d{2})_(\d{2})$/.exec(timestamp);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, s);
  return date.getMonth() === mo - 1 && date.getDate() === d ? date : undefined;
}

function validDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Reads and validates `manifest.json`; never throws for a missing or malformed one. */
export async function readManifest(setDir: string): Promise<ManifestRead> {
  // A FIFO, device or symlink in the manifest's place is refused, never read (it would hang or leave the set).
  const read = await readTextInside(setDir, MANIFEST_FILE);
  if ('missing' in read) return { kind: 'missing' };
  if (!('text' in read)) return { kind: 'invalid', error: `${MANIFEST_FILE} ${refusalOf(read)}` };
  const { text } = read;
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    // upgradedAt is not in the schema (zod drops unknown keys), so it is read from the raw object.
    return { kind: 'ok', manifest: manifestSchema.parse(raw), upgradedAt: validDate(raw?.upgradedAt) };
  } catch (error) {
    return { kind: 'invalid', error: (error as Error).message.split('\n')[0] ?? 'invalid' };
  }
}

/** Bytes of every regular file under a folder; symlinks are counted as links, never followed. */
async function diskSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await diskSize(child);
    else total += (await lstat(child).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

/** One set, from its folder: the manifest only, no hashing. */
export async function describeSet(dir: string): Promise<BackupSetInfo | undefined> {
  const name = path.basename(dir);
  const parsed = parseBackupDirName(name);
  if (!parsed) return undefined;
  const read = await readManifest(dir);
  const { state, note } = classifySet(parsed, read);
  const manifest = read.kind === 'ok' ? read.manifest : undefined;
  const listed = manifest?.files ?? [];
  return {
    name,
    dir,
    cluster: parsed.cluster,
    state,
    note,
    createdAt: (state !== 'unverifiable' ? validDate(manifest?.createdAt) : undefined) ?? folderTime(parsed.timestamp),
    upgradedAt: read.kind === 'ok' && state !== 'unverifiable' ? read.upgradedAt : undefined,
    manifest: state === 'unverifiable' ? undefined : manifest,
    size: listed.length > 0 ? listed.reduce((n, f) => n + f.size, 0) : await diskSize(dir),
  };
}

/** Every backup set directly under a management folder, newest first. Symlinks are not sets. */
export async function scanBackupSets(managementFolder: string): Promise<BackupSetInfo[]> {
  const entries = await readdir(managementFolder, { withFileTypes: true });
  const dirs = entries.filter((e) => e.isDirectory() && parseBackupDirName(e.name)).map((e) => path.join(managementFolder, e.name));
  const sets = (await mapLimit(dirs, 16, describeSet)).filter((s): s is BackupSetInfo => s !== undefined);
  return sets.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0) || a.name.localeCompare(b.name));
}

/**
 * The sets of a management folder; when it holds none, those of its direct subfolders, so the command
 * also works from the folder eksctl runs in (which holds `<mgmt>/`).
 */
export async function discoverBackupSets(dir: string): Promise<{ folders: string[]; sets: BackupSetInfo[] }> {
  const own = await scanBackupSets(dir);
  if (own.length > 0) return { folders: [dir], sets: own };
  const folders: string[] = [];
  const sets: BackupSetInfo[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const found = await scanBackupSets(path.join(dir, entry.name)).catch(() => []);
    if (found.length > 0) {
      folders.push(path.join(dir, entry.name));
      sets.push(...found);
    }
  }
  sets.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0) || a.name.localeCompare(b.name));
  return { folders, sets };
}
