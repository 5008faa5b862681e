import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkBackupGraph } from './check-graph.js';
import { digestInside, listFiles } from './digest.js';
import { MANIFEST_FILE, parseManifest, type BackupManifest } from './manifest.js';

export type FileCheck = { path: string; status: 'ok' | 'changed' | 'missing' | 'unexpected' | 'refused'; detail?: string };

export interface VerifyResult {
  readonly dir: string;
  readonly manifest: BackupManifest | undefined;
  readonly files: FileCheck[];
  readonly problems: string[];
  readonly ok: boolean;
}

/**
 * Recompute every sha256 of a backup set and re-run the object-graph check against its manifest. `known`: the
 * digests of files the caller has just read whole (a push hashes what it sends), not read a second time.
 */
export async function verifyBackupSet(dir: string, options: { known?: ReadonlyMap<string, { sha256: string; size: number }> } = {}): Promise<VerifyResult> {
  let manifest: BackupManifest;
  try {
    manifest = parseManifest(await readFile(path.join(dir, MANIFEST_FILE), 'utf8'));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'has no manifest.json' : `has a manifest.json that does not parse (${(error as Error).message.split('\n')[0]})`;
    return { dir, manifest: undefined, files: [], problems: [`${dir} ${why}`], ok: false };
  }
  const problems: string[] = [];
  if (manifest.state !== 'complete') problems.push(`the manifest says the set is ${manifest.state}${manifest.error ? `: ${manifest.error}` : ''}`);

  const listed = new Map(manifest.files.map((f) => [f.path, f]));
  const present = new Set(await listFiles(dir, new Set([MANIFEST_FILE])));
  const files: FileCheck[] = [];
  const digests = new Map<string, Awaited<ReturnType<typeof digestInside>>>();
  const digest = async (rel: string) => {
    if (!digests.has(rel)) digests.set(rel, options.known?.get(rel) ?? (await digestInside(dir, rel)));
    return digests.get(rel)!;
  };
  for (const entry of manifest.files) {
    // Only a regular file inside the set counts: a symlink, a FIFO or a device is refused, never read.
    const d = await digest(entry.path);
    if ('missing' in d) files.push({ path: entry.path, status: 'missing' });
    // A manifest entry naming a path outside the set: never read; the set lacks that file.
    else if ('outside' in d) files.push({ path: entry.path, status: 'missing', detail: d.outside });
    else if ('refused' in d) files.push({ path: entry.path, status: 'refused', detail: d.refused });
    else {
      files.push(
        d.sha256 === entry.sha256 && d.size === entry.size
          ? { path: entry.path, status: 'ok' }
          : { path: entry.path, status: 'changed', detail: `sha256 ${d.sha256.slice(0, 12)}… size ${d.size}, manifest ${entry.sha256.slice(0, 12)}… size ${entry.size}` },
      );
    }
  }
  for (const p of present) if (!listed.has(p)) files.push({ path: p, status: 'unexpected', detail: 'not in the manifest' });
  const bad = files.filter((f) => f.status !== 'ok');
  if (bad.length > 0) problems.push(`${bad.length} file(s) do not match the manifest`);
  // Each etcd entry against its own file: two entries naming one file (a name collision) cannot both match.
  const claimed = new Map<string, string>();
  for (const e of manifest.etcd) {
    const other = claimed.get(e.file);
    if (other !== undefined) problems.push(`etcd snapshots of ${other} and ${e.cluster} name the same file ${e.file}`);
    claimed.set(e.file, e.cluster);
    const inList = listed.get(e.file);
    if (inList && inList.sha256 === e.sha256 && inList.size === e.size) continue; // the file check above said it
    const d = await digest(e.file);
    if ('missing' in d) problems.push(`etcd snapshot of ${e.cluster}: ${e.file} is missing`);
    else if ('outside' in d) problems.push(`etcd snapshot of ${e.cluster} names ${e.file}, which ${d.outside}`);
    else if ('refused' in d) problems.push(`etcd snapshot of ${e.cluster} names ${e.file}, which ${d.refused}`);
    else if (d.sha256 !== e.sha256 || d.size !== e.size) {
      problems.push(`etcd snapshot of ${e.cluster} (${e.file}) does not match its entry: sha256 ${d.sha256.slice(0, 12)}… size ${d.size}, entry ${e.sha256.slice(0, 12)}… size ${e.size}`);
    }
  }
  problems.push(...(await checkBackupGraph(dir, manifest.expected)));
  return { dir, manifest, files, problems, ok: problems.length === 0 };
}
