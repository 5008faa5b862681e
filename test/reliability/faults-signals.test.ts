// The fault matrix, signal columns: SIGINT and SIGTERM while each step of `cluster` (and the clusterctl
// move of `backup`) is in flight. A step is held open with API latency, so the signal lands inside it.
import { describe, it } from 'vitest';
import { CELL_TIMEOUT_MS, cellTitle, runCell, type Cell } from './cell.js';
import { signalCells } from './signal-cells.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export const SIGNAL_CELLS: Cell[] = SIGNALS.flatMap((signal) => signalCells(signal));

describe.concurrent('fault matrix: SIGINT and SIGTERM at every step', () => {
  it.each(SIGNAL_CELLS.map((c) => [cellTitle(c), c] as const))('%s', { timeout: CELL_TIMEOUT_MS }, async (_title, cell) => {
    await runCell(cell);
  });
});
