// The fault matrix, rows the other files do not reach: the pause-state restore (the re-read and the patches
// that put each CAPI Cluster back after a move that failed after pausing), the lock renewal before the
// hand-off, a signal while the release manifest is fetched, and a tree that starts with a cluster paused on
// purpose (it must stay paused whatever fails).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../sim/index.js';
import { CELL_TIMEOUT_MS, cellTitle, runCell, type Cell, type StrikeContext } from './cell.js';
import { NO_ETCD, onJournal, sleep, startBlackHole, type BlackHole } from './helpers.js';

const CAPI_PATCH = { resource: 'clusters.cluster.x-k8s.io', method: 'PATCH' } as const;
const api = {
  error: { status: 403, reason: 'Forbidden', message: 'reliability: RBAC denies this write' },
  fiveHundred: { status: 503, message: 'etcdserver: leader changed' },
  hang: { hang: true },
} as const;

/** Once a command matching `done` has ended (our journal says so), the simulator's faults become `faults`. */
const faultsAfter = (done: (e: Record<string, any>) => boolean, faults: Fault[]) => ({ sim, journal }: StrikeContext) =>
  onJournal(journal, done, () => sim.server.setFaults(faults));
const moved = (e: Record<string, any>) => /^back up the Cluster API objects/.test(String(e.why));

/** clusterctl pauses every Cluster and fails: the restore has both CAPI Clusters to put back. */
const FAILS_AFTER_PAUSE = { clusterctl: { failAfterPause: true } };
const MOVE_FAILED = /clusterctl move failed: .*action failed after \d+ attempts/;
const BOTH_LEFT_PAUSED = { mgmt: { capi: true, eksa: false }, w01: { capi: true, eksa: false } };

const signalAfter = (done: (e: Record<string, any>) => boolean, delayMs: number, signal: NodeJS.Signals) => (ctx: StrikeContext) =>
  onJournal(ctx.journal, done, () => void sleep(delayMs).then(() => ctx.run.kill(signal)));

let blackHole: BlackHole;
beforeAll(async () => {
  blackHole = await startBlackHole();
});
afterAll(async () => blackHole.close());

export const WRITE_CELLS: Cell[] = [
  // pause-restore: the API refuses or loses the patch that would put a Cluster back. The run cannot keep the
  // "back in its pause state" promise when the refused write is the one that keeps it; it must say so.
  ...([
    ['api-error (403)', api.error, '10s'],
    ['api-5xx', api.fiveHundred, '10s'],
    ['api-hang', api.hang, '2s'],
  ] as const).map(([fault, effect, requestTimeout]): Cell => ({
    step: 'pause-restore', fault, requestTimeout, scenario: FAILS_AFTER_PAUSE, timeoutMs: 150_000,
    strike: faultsAfter(moved, [{ ...CAPI_PATCH, ...effect }]),
    // The whole-tree move failed after pausing; the restore before the management-only fallback is refused,
    // for every cluster: the error names the first and the others, and they are left paused (the only
    // honest outcome when the refused write is the one that would put them back).
    expect: {
      exit: 'BackupFailed', message: /unpause CAPI Cluster mgmt as it was before the backup: .*(Forbidden|leader changed|Timeout|timed out|deadline exceeded).*; not restored either: w01/,
      pauseLeft: { state: BOTH_LEFT_PAUSED, warning: /hint: restore the pause state of mgmt, w01 by hand/ },
    },
  })),
  // Each patch lands and its answer is lost: every Cluster is back as recorded although kubectl failed, and
  // the run, which cannot know that, fails naming them.
  {
    step: 'pause-restore', fault: 'api-lost-answer: patch answer dropped', scenario: FAILS_AFTER_PAUSE,
    strike: faultsAfter(moved, [{ ...CAPI_PATCH, when: 'after', drop: true }]),
    expect: { exit: 'BackupFailed', message: /unpause CAPI Cluster mgmt as it was before the backup: .*EOF/ },
  },
  ...(['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal): Cell => ({
    step: 'pause-restore', fault: signal, requestTimeout: '20s', scenario: FAILS_AFTER_PAUSE,
    // The patches are held open 3 s each; the signal comes while the first one waits.
    strike: (ctx) => {
      const stop = faultsAfter(moved, [{ ...CAPI_PATCH, latencyMs: 3000 }])(ctx);
      signalAfter((e) => /^re-read pause state after clusterctl/.test(String(e.why)), 800, signal)(ctx);
      return stop;
    },
    expect: { exit: 'Interrupted', message: new RegExp(`interrupted by ${signal}`) },
  })),

  // renew: the lock is renewed (a conditional replace) after the recheck and before eksctl starts. A refused
  // or lost renewal is ridden out within the lock's term by design (test/lock/upgrade-lock.test.ts); the
  // API columns of this row are applicable and not yet struck (the README lists them).
  // (renew × SIGINT/SIGTERM, holding the replace 4 s and signalling inside it, passed on a quiet machine and
  // ran past 2 minutes on one at load 30: not struck until that is understood.)

  // find-clusterctl: a signal while the release manifest's host does not answer.
  ...(['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal): Cell => ({
    step: 'find-clusterctl', fault: signal,
    sourceArgs: () => ['--release-manifest', `http://127.0.0.1:${blackHole.port}/releases/eks-a/manifest.yaml`, ...NO_ETCD],
    strike: signalAfter((e) => /^read the management tree of /.test(String(e.why)), 800, signal),
    expect: { exit: 'Interrupted', message: new RegExp(`interrupted( by ${signal})?`) },
  })),
];

/**
 * A tree that starts with w01's CAPI Cluster paused on purpose (an operator holding it): the run leaves it
 * out of the backup (a named reason) and whatever fails, w01 is still paused at the end, not "put back" to
 * unpaused. The `before` snapshot every cell compares with has w01 paused.
 */
const PAUSED_W01 = { patches: [{ kind: 'Cluster.cluster.x-k8s.io', name: 'w01', patch: { spec: { paused: true } } }] };
const pausedTree = (cell: Cell): Cell => ({ ...cell, fault: `${cell.fault} (w01 paused on purpose)`, scenario: { ...PAUSED_W01, ...cell.scenario } });

export const PAUSED_TREE_CELLS: Cell[] = [
  pausedTree({ step: 'capi', fault: 'clusterctl-fails-after-pause', scenario: FAILS_AFTER_PAUSE, expect: { exit: 'BackupFailed', message: MOVE_FAILED } }),
  pausedTree({
    step: 'pause-restore', fault: 'api-lost-answer: patch answer dropped', scenario: FAILS_AFTER_PAUSE,
    strike: faultsAfter(moved, [{ ...CAPI_PATCH, when: 'after', drop: true }]),
    // Management-only (w01 is left out, paused): no fallback, so the move's failure is the error.
    expect: { exit: 'BackupFailed', message: MOVE_FAILED },
  }),
  pausedTree({
    step: 'recheck', fault: 'api-5xx', strike: faultsAfter((e) => /^export the EKS-A objects/.test(String(e.why)), [{ resource: 'machines', ...api.fiveHundred }]),
    expect: { exit: 'Environment', message: /etcdserver: leader changed/, completeBackup: true },
  }),
];

describe.concurrent('fault matrix: the pause-state restore, the renewal, a signal while clusterctl is found, a tree paused on purpose', () => {
  it.each([...WRITE_CELLS, ...PAUSED_TREE_CELLS].map((c) => [cellTitle(c), c] as const))('%s', { timeout: CELL_TIMEOUT_MS }, async (_title, cell) => {
    await runCell(cell, ({ sim }) => {
      if (cell.fault.includes('w01 paused on purpose')) {
        const w01 = sim.server.store.get('clusters.cluster.x-k8s.io', 'eksa-system', 'w01');
        expect(w01?.spec?.paused, 'the cluster paused on purpose is still paused').toBe(true);
      }
    });
  });
});
