// SIGHUP (a dropped SSH session to the admin machine) at every step of the fault matrix (issue 15, finding 5):
// the same cells as SIGINT and SIGTERM in test/reliability/faults-signals.test.ts, the same promises (the
// documented exit, pause state put back, the lock released, no complete-looking set, no orphan). Kept out of
// test/reliability so that suite's figures (GUARANTEES.json) stay what they were measured as.
// The hand-off differs by design: SIGHUP is not forwarded to eksctl, which runs to its end in its own session;
// the run then ends interrupted, with the lock released and its report written.
import { describe, it } from 'vitest';
import { CELL_TIMEOUT_MS, cellTitle, runCell, type Cell } from '../reliability/cell.js';
import { afterOutput, signalCells } from '../reliability/signal-cells.js';

const handoff: Cell = {
  step: 'handoff', fault: 'SIGHUP', scenario: { eksctl: { upgrade: { outcome: 'succeed', durationMs: 4000 } } },
  strike: afterOutput(/Upgrading management cluster/, 800, 'SIGHUP'),
  expect: { exit: 'Interrupted', message: /interrupted during the upgrade; eksctl exited 0 \(SIGHUP was not passed on: eksctl ran to its end\)/, completeBackup: true },
};

describe.concurrent('fault matrix: SIGHUP at every step', () => {
  it.each(signalCells('SIGHUP', handoff).map((c) => [cellTitle(c), c] as const))('%s', { timeout: CELL_TIMEOUT_MS }, async (_title, cell) => {
    await runCell(cell);
  });
});
