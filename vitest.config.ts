import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));
/**
 * Every run writes vitest's JSON report and the reliability suite's metrics here (gitignored), so `.ci/run`
 * can recompute the README Guarantees figures from the run it just made (scripts/guarantees.mjs --check).
 */
export const RESULTS = path.join(root, '.vitest', 'results.json');
const METRICS = process.env.EKSA_GUARANTEES_METRICS ?? path.join(root, '.vitest', 'metrics.ndjson');

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e tests start servers and real etcd/sshd; two workers match the 2-core machines.
    pool: 'forks',
    maxWorkers: 2,
    env: { EKSA_GUARANTEES_METRICS: METRICS },
    globalSetup: ['./test/reporters/reset-metrics.ts'],
    reporters: ['default', ['json', { outputFile: RESULTS }], './test/reporters/summary-line.ts'],
  },
});
