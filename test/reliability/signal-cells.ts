// The signal cells of the fault matrix, built per signal (SIGINT, SIGTERM and SIGHUP: faults-signals.test.ts).
import type { Cell, StrikeContext } from './cell.js';
import { onJournal, sleep } from './helpers.js';

export const WORKLOADS = ['w01'];
export const HOLD_MS = 6000;
const slow = (fault: Record<string, unknown>) => ({ ...fault, latencyMs: HOLD_MS });

// Progress is one line per step, when it ends (piped, as here): a step is struck a moment after the line of
// the step before it, while its own read is held open by the simulator's latency.
/** Send `signal` `delayMs` after the output first matches `pattern`. */
export const afterOutput = (pattern: RegExp, delayMs: number, signal: NodeJS.Signals) => ({ run }: StrikeContext) => {
  run.onOutput(pattern, () => void sleep(delayMs).then(() => run.kill(signal)));
};
/** Send `signal` `delayMs` after a command matching `done` has finished (the CLI's journal). */
const afterCommand = (done: (e: Record<string, any>) => boolean, delayMs: number, signal: NodeJS.Signals, then?: (ctx: StrikeContext) => void) => (ctx: StrikeContext) =>
  onJournal(ctx.journal, done, () => {
    then?.(ctx);
    void sleep(delayMs).then(() => ctx.run.kill(signal));
  });
/** Send `signal` the moment clusterctl has paused a Cluster (a write the simulator sees). */
const whenPaused = (signal: NodeJS.Signals) => ({ sim, run }: StrikeContext) => {
  const listener = (e: { type: string; info: { resource: string; group: string }; object: any }) => {
    if (e.info.resource === 'clusters' && e.info.group === 'cluster.x-k8s.io' && e.object.spec?.paused === true) {
      sim.server.store.off('change', listener);
      run.kill(signal);
    }
  };
  sim.server.store.on('change', listener);
  return () => sim.server.store.off('change', listener);
};

const interrupted = (signal: string) => new RegExp(`interrupted by ${signal}`);

/** Every signal cell for `signal`; `handoff` replaces the hand-off cell (SIGHUP is not forwarded to eksctl). */
export const signalCells = (signal: NodeJS.Signals, handoff?: Cell): Cell[] => [
  {
    step: 'inventory', fault: signal, requestTimeout: '20s', faults: [slow({ resource: 'machines' })],
    strike: afterOutput(/✔ Build the eksctl command/, 600, signal), expect: { exit: 'Interrupted', message: interrupted(signal) },
  },
  {
    step: 'plan', fault: signal, requestTimeout: '20s', faults: [slow({ resource: 'clusters.anywhere.eks.amazonaws.com', method: 'GET', name: 'mgmt' })],
    strike: afterOutput(/✔ Find clusterctl/, 1200, signal), expect: { exit: 'Interrupted', message: interrupted(signal) },
  },
  {
    step: 'lock', fault: signal, requestTimeout: '20s', faults: [slow({ resource: 'leases' })],
    strike: afterOutput(/✔ Plan the run/, 600, signal), expect: { exit: 'Interrupted', message: interrupted(signal) },
  },
  { step: 'capi', fault: signal, strike: whenPaused(signal), expect: { exit: 'Interrupted', message: interrupted(signal) } },
  {
    step: 'export', fault: signal, requestTimeout: '20s', faults: [slow({ resource: 'oidcconfigs' })],
    strike: afterCommand((e) => /re-read pause state/.test(String(e.why)), 600, signal), expect: { exit: 'Interrupted', message: interrupted(signal) },
  },
  {
    step: 'recheck', fault: signal, requestTimeout: '20s',
    strike: (ctx) => {
      afterOutput(/✔ Back up: /, 600, signal)(ctx);
      return onJournal(ctx.journal, (e) => /export the EKS-A objects/.test(String(e.why)), () => ctx.sim.server.setFaults([slow({ resource: 'machines' })]));
    },
    expect: { exit: 'Interrupted', message: interrupted(signal), completeBackup: true },
  },
  handoff ?? {
    step: 'handoff', fault: signal, scenario: { eksctl: { upgrade: { outcome: 'hang', durationMs: 400 } } },
    strike: afterOutput(/Upgrading management cluster/, 800, signal),
    expect: { exit: 'Interrupted', message: /interrupted during the upgrade; eksctl exited/, completeBackup: true, pauseOwnedByEksctl: WORKLOADS },
  },
  {
    step: 'confirm', fault: signal, scenario: { eksctl: { upgrade: { outcome: 'succeed-async', durationMs: 20_000 } } },
    strike: afterCommand((e) => e.kind === 'handoff', 2500, signal),
    expect: { exit: 'Interrupted', message: /interrupted (while confirming the upgrade|by SIG\w+ while running: confirm the upgrade)/, completeBackup: true },
  },
  { step: 'capi', command: 'backup', fault: signal, strike: whenPaused(signal), expect: { exit: 'Interrupted', message: interrupted(signal) } },
];
