// Tests of one file run side by side (`describe.concurrent`), a few at a time, each closing the simulated
// worlds it started when it ends: for files whose tests are runs of the CLI, mostly waiting on child processes.
import { AsyncLocalStorage } from 'node:async_hooks';
import { startSim, type Sim, type StartSimOptions } from './sim.js';
import { slots } from './slots.js';

export interface ConcurrentSims {
  /** The test body run in its slot; the sims it started are closed when it ends, whatever the tests beside it do. */
  isolated(test: () => Promise<void>): () => Promise<void>;
  /** A sim owned by the test it is started in (only inside `isolated`). */
  sim(options: StartSimOptions): Promise<Sim>;
}

export function concurrentSims(size: number): ConcurrentSims {
  const slot = slots(size);
  const worlds = new AsyncLocalStorage<Sim[]>();
  return {
    isolated: (test) => () =>
      slot(() =>
        worlds.run([], async () => {
          try {
            await test();
          } finally {
            await Promise.all((worlds.getStore() ?? []).map((s) => s.close()));
          }
        }),
      ),
    async sim(options) {
      const mine = worlds.getStore();
      if (!mine) throw new Error('sim() outside isolated(): nothing would close it');
      const s = await startSim(options);
      mine.push(s);
      return s;
    },
  };
}
