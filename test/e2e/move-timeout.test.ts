// `--move-timeout`: a clusterctl move that never ends (the API it talks to hangs) is stopped at the bound;
// the run fails with the cause named, puts pause state back, leaves no set claiming to be complete and
// releases the lock (every promise of a reliability cell). Without the bound it would wait forever.
import { describe, expect, it } from 'vitest';
import { CELL_TIMEOUT_MS, cellTitle, runCell, type Cell } from '../reliability/cell.js';

const CELL: Cell = {
  step: 'capi',
  fault: 'api-hang (--move-timeout 4s)',
  args: ['--move-timeout', '4s'],
  // clusterctl's first call is the Cluster CRD; kubectl (the inventory, the lock) never reads CRDs.
  faults: [{ resource: 'customresourcedefinitions', hang: true }],
  expect: { exit: 'BackupFailed', message: /clusterctl move failed: stopped after 4000 ms \(--move-timeout\)/ },
};

describe('--move-timeout', () => {
  it(cellTitle(CELL), { timeout: CELL_TIMEOUT_MS }, async () => {
    await runCell(CELL, ({ result }) => {
      // Well before the cell's own 60 s deadline: the bound, not the test, ended the move (twice: the
      // whole-tree move, then the management-only fallback).
      expect(result.durationMs).toBeLessThan(45_000);
    });
  });
});
