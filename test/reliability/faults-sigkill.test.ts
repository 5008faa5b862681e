// The fault matrix, SIGKILL-then-rerun column (issue 15; the etcd cell is in faults-etcd.test.ts, beside its
// real sshd and etcd; the flow in kill-cell.ts): the tool is killed with SIGKILL at a step (the OOM
// killer, `kill -9`, a lost admin machine) and the operator runs it again. A SIGKILL cannot be handled, so the
// promises are the next run's: it sees the lease of a run of this machine that is gone and says what to do
// (`recover --dir <mgmt>`, which releases it); the pause state recorded before the move comes back; no set
// claims to be complete that is not; and after a kill during the hand-off, the eksctl that outlives us (its own
// session) is not joined by a second upgrade: the lock is kept while it runs, and once it has ended the rerun
// judges the tree (nothing left to upgrade) instead of upgrading it again.
import { describe, it } from 'vitest';
import { CELL_TIMEOUT_MS, cellTitle, type Cell } from './cell.js';
import { onJournal, sleep } from './helpers.js';
import { FAULT, runKillCell, why, type KillCell } from './kill-cell.js';

const CELLS: KillCell[] = [
  {
    // The machine dies the moment clusterctl has paused a Cluster; the API stops answering for that moment, so
    // the move cannot finish and unpause: clusters left paused, a `.partial` set with the pause state before.
    step: 'capi',
    strike: ({ sim, kill }) => {
      let done = false;
      const listener = (e: { info: { resource: string; group: string }; object: any }) => {
        if (done || e.info.resource !== 'clusters' || e.info.group !== 'cluster.x-k8s.io' || e.object.spec?.paused !== true) return;
        done = true;
        sim.server.setFaults([{ path: '/api', hang: true }]);
        kill(true);
        setTimeout(() => kill(true), 300);
      };
      sim.server.store.on('change', listener);
      return () => sim.server.store.off('change', listener);
    },
    landed: { ran: why(/^take the upgrade lock/), next: why(/^export the EKS-A objects/) },
  },
  {
    // After the move (pause state already put back by the run), while the EKS-A objects are exported.
    step: 'export',
    strike: ({ sim, journal, kill }) => {
      sim.server.setFaults([{ resource: 'oidcconfigs', latencyMs: 6000 }]);
      return onJournal(journal, (e) => /re-read pause state/.test(String(e.why)), () => void sleep(600).then(() => kill(true)));
    },
    landed: { ran: why(/^re-read pause state after clusterctl/), next: why(/^re-read the management tree under the lock/) },
  },
  {
    // Only our process dies: eksctl runs on in its own session and finishes the upgrade without us.
    step: 'handoff',
    scenario: { eksctl: { upgrade: { outcome: 'succeed', durationMs: 30_000 } } },
    strike: ({ run, kill }) => run.onOutput(/Upgrading management cluster/, () => void sleep(800).then(() => kill(false))),
    landed: { ran: why(/^renew the upgrade lock/), next: why(/^(read the generation eksctl applied|confirm the upgrade)/) },
  },
];

describe.concurrent('fault matrix: SIGKILL, then the operator runs it again', () => {
  it.each(CELLS.map((c) => [cellTitle({ step: c.step, fault: FAULT } as Cell), c] as const))('%s', { timeout: CELL_TIMEOUT_MS }, async (_title, cell) => {
    await runKillCell(cell);
  });
});
