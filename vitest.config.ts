import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = path.dirname(fileURLToPath(import.meta.url));
/**
 * Every run writes vitest's JSON report and the reliability suite's metrics here (gitignored), so `.ci/run`
 * can recompute the README Guarantees figures from the run it just made (scripts/guarantees.mjs --check).
 */
export const RESULTS = path.join(root, '.vitest', 'results.json');
const METRICS = process.env.EKSA_GUARANTEES_METRICS ?? path.join(root, '.vitest', 'metrics.ndjson');

/**
 * The files that take minutes start first, whatever vitest's own order (a fresh clone has no duration cache,
 * and by size a long file can start last): two workers then finish together instead of one running the tail alone.
 */
const LONG_FIRST = [
  'test/e2e/plan-is-the-audit.test.ts',
  'test/e2e/cluster.test.ts',
  'test/reliability/faults-etcd.test.ts',
  'test/reliability/faults-api.test.ts',
  'test/e2e/workloads.test.ts',
  'test/reliability/faults-signals.test.ts',
];

class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONG_FIRST.indexOf(path.relative(root, f.moduleId).split(path.sep).join('/'));
      return i < 0 ? LONG_FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

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
    sequence: { sequencer: LongFirstSequencer },
    reporters: ['default', ['json', { outputFile: RESULTS }], './test/reporters/summary-line.ts'],
  },
});
