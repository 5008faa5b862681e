import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// The metrics file (vitest.config.ts) holds the counts of this run only: emptied before the first test.
export default function setup(): void {
  const file = process.env.EKSA_GUARANTEES_METRICS ?? path.resolve('.vitest', 'metrics.ndjson');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '');
}
