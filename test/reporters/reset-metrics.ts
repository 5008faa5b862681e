import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// The metrics file (vitest.config.ts) holds the counts of this run only: emptied before the first test.
// `vitest list` runs this setup too but runs no test; emptying then would lose the lines of a run in progress
// (the suite lists itself: test/reliability/guarantees.test.ts).
export default function setup(): void {
  if (process.argv.slice(2).includes('list')) return;
  const file = process.env.EKSA_GUARANTEES_METRICS ?? path.resolve('.vitest', 'metrics.ndjson');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '');
}
