import path from 'node:path';
import type { BackupManifest } from './manifest.js';
import { describeMissing, findMissing, parseRefKey } from './object-graph.js';
import { readObjectFiles } from './read-object-files.js';

/** Every file of capi/ and eksa/ parses and says what it holds, and every expected object is there. */
export async function checkBackupGraph(setDir: string, expected: BackupManifest['expected']): Promise<string[]> {
  const capi = await readObjectFiles(path.join(setDir, 'capi'));
  const eksa = await readObjectFiles(path.join(setDir, 'eksa'));
  const problems = [...capi.problems.map((p) => `capi/${p}`), ...eksa.problems.map((p) => `eksa/${p}`)];
  const missingCapi = findMissing(Object.fromEntries(Object.entries(expected).map(([c, e]) => [c, e.capi.map(parseRefKey)])), capi.objects);
  const missingEksa = findMissing(Object.fromEntries(Object.entries(expected).map(([c, e]) => [c, e.eksa.map(parseRefKey)])), eksa.objects);
  if (missingCapi.length > 0) problems.push(`missing from capi/: ${describeMissing(missingCapi)}`);
  if (missingEksa.length > 0) problems.push(`missing from eksa/: ${describeMissing(missingEksa)}`);
  return problems;
}

