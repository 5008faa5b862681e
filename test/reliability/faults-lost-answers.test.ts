// Lost answers: the simulator applies the Lease create and then delays or drops its answer (`when: after`),
// so the run cannot tell whether it holds the lock. Whatever ends the run (a signal while it waits, kubectl's
// --request-timeout, a dropped connection, a 5xx written after the create), no Lease of the run's own is left
// behind: the next run would otherwise be refused for --lock-ttl. Reliability cells of the lock × api-lost-answer
// pair (and lock × SIGINT with a lost answer): every promise of a cell is checked.
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../sim/index.js';
import { CELL_TIMEOUT_MS, cellTitle, runCell, type Cell, type StrikeContext } from './cell.js';
import { sleep } from './helpers.js';

const createLease = (effect: Partial<Fault>): Fault => ({ resource: 'leases', method: 'POST', when: 'after', times: 1, ...effect });

/** Records every holder that created our Lease, so a cell proves the create landed before its answer was lost. */
function watchCreates(ctx: StrikeContext, created: string[]): () => void {
  const listener = (e: { type: string; info: { resource: string }; object: any }) => {
    if (e.info.resource === 'leases' && e.type === 'ADDED') created.push(String(e.object.spec?.holderIdentity ?? ''));
  };
  ctx.sim.server.store.on('change', listener);
  return () => ctx.sim.server.store.off('change', listener);
}

interface LostAnswerCell extends Cell {
  readonly created: string[];
}

function cell(fault: string, faults: Fault[], expectation: Cell['expect'], extra: Partial<Cell> = {}): LostAnswerCell {
  const created: string[] = [];
  return {
    step: 'lock',
    fault,
    faults,
    created,
    expect: expectation,
    ...extra,
    strike: (ctx) => {
      const stop = watchCreates(ctx, created);
      const more = extra.strike?.(ctx);
      return () => {
        stop();
        more?.();
      };
    },
  };
}

const CELLS: LostAnswerCell[] = [
  // The create lands at once; its answer would come 8 s later. SIGINT 600 ms into the step, and not before
  // the create landed (kubectl takes longer than that to start on a loaded machine).
  cell('SIGINT: the create landed, its answer not yet', [createLease({ latencyMs: 8000 })], { exit: 'Interrupted', message: /interrupted by SIGINT/ }, {
    requestTimeout: '20s',
    strike: (ctx) => {
      const step = new Promise<void>((resolve) => ctx.run.onOutput(/✔ Plan the run/, () => void sleep(600).then(resolve)));
      const landed = new Promise<void>((resolve) => {
        const listener = (e: { type: string; info: { resource: string } }) => {
          if (e.info.resource === 'leases' && e.type === 'ADDED') {
            ctx.sim.server.store.off('change', listener);
            resolve();
          }
        };
        ctx.sim.server.store.on('change', listener);
      });
      void Promise.all([step, landed]).then(() => ctx.run.kill('SIGINT'));
    },
  }),
  // The answer comes after kubectl's --request-timeout: the run fails, as an unreachable API does.
  cell('api-lost-answer: create answer after the request timeout', [createLease({ latencyMs: 8000 })], { exit: 'Environment', message: /the Kubernetes API did not answer: .*(Timeout|deadline exceeded|request canceled)/ }, { requestTimeout: '2s' }),
  cell('api-lost-answer: create answer dropped', [createLease({ drop: true })], { exit: 'Environment', message: /take the upgrade lock: .*(EOF|connection reset)/ }),
  cell('api-lost-answer: 503 after the create', [createLease({ status: 503 })], { exit: 'Environment', message: /the Kubernetes API failed the request: .*ServiceUnavailable/ }),
];

describe.concurrent('lost answers: a Lease create that lands while its answer is lost leaves no Lease of ours', () => {
  it.each(CELLS.map((c) => [cellTitle(c), c] as const))('%s', { timeout: CELL_TIMEOUT_MS }, async (_title, c) => {
    await runCell(c, ({ result }) => {
      // The strike landed where it is named: the create was applied, by this run, before it ended.
      expect(c.created, result.stderr).toHaveLength(1);
      expect(c.created[0]).toMatch(/^.+@.+ pid \d+$/);
    });
  });
});
