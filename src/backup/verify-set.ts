import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkBackupGraph } from './check-graph.js';
import { listFiles, sha256File } from './digest.js';
import { MANIFEST_FILE, parseManifest, type BackupManifest } from './manifest.js';

export type FileCheck = { path: string; status: 'ok' | 'changed' | 'missing' | 'unexpected'; detail?: string };

export interface VerifyResult {
  readonly dir: string;
  readonly manifest: BackupManifest | undefined;
  readonly files: FileCheck[];
  readonly problems: string[];
  readonly ok: boolean;
}

/** Recompute every sha256 of a backup set and re-run the object-graph check against its manifest. */
export async function verifyBackupSet(dir: string): Promise<VerifyResult> {
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
  for (const entry of manifest.files) {
    if (!present.has(entry.path)) {
      files.push({ path: entry.path, status: 'missing' });
      continue;
    }
    const { sha256, size } = await sha256File(path.join(dir, entry.path));
    files.push(
      sha256 === entry.sha256 && size === entry.size
        ? { path: entry.path, status: 'ok' }
        : { path: entry.path, status: 'changed', detail: `sha256 ${sha256.slice(0, 12)}… size ${size}, manifest ${entry.sha256.slice(0, 12)}… size ${entry.size}` },
    );
  }
  for (const p of present) if (!listed.has(p)) files.push({ path: p, status: 'unexpected', detail: 'not in the manifest' });
  const bad = files.filter((f) => f.status !== 'ok');
  if (bad.length > 0) problems.push(`${bad.length} file(s) do not match the manifest`);
  problems.push(...(await checkBackupGraph(dir, manifest.expected)));
  return { dir, manifest, files, problems, ok: problems.length === 0 };
}
