import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from './run-bin.js';

/** A scenario file that extends a bundled one with extra keys (clusterctl behaviour, patches, …). */
export function scenarioExtending(base: string, extra: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'scenario-'));
  const file = path.join(dir, `${base}-variant.yaml`);
  writeFileSync(file, stringify({ extends: path.join(repoRoot, 'sim', 'scenarios', `${base}.yaml`), name: `${base}-variant`, ...extra }));
  return file;
}
