import type { ListrTask } from 'listr2';
import { need, type RunContext } from '../context.js';
import { recordPauseState } from '../backup/pause-state.js';
import { describeDrift, findInterruptedSets, pauseDrift } from '../backup-sets/interrupted.js';
import { SafeUpgradeError, printable } from '../errors.js';
import { formatCommand } from '../command.js';
import { stopUnlessLocked, type LockReadOptions } from './read-lock.js';

/**
 * A run killed during its backup (SIGKILL, a lost machine) leaves a `.partial` set with the pause state it
 * recorded before the move, and clusterctl's pause on the clusters. The next gate finds it and says what
 * differs and how to put it back, rather than "find out who paused it".
 */
export function interruptedBackupStep(options: { lock?: LockReadOptions | undefined } = {}): ListrTask<RunContext> {
  return {
    title: 'Look for a backup an earlier run left unfinished',
    task: async (ctx, task) => {
      const spec = need(ctx, 'spec');
      const folder = need(ctx, 'layout').managementFolder;
      const current = recordPauseState(need(ctx, 'inventory').clusters);
      for (const set of await findInterruptedSets(folder, spec.managementClusterName)) {
        const drift = pauseDrift(set.record, current);
        if (drift.length === 0) continue;
        const stop = new SafeUpgradeError(
          'NotReady',
          `an earlier run stopped during its backup (${printable(set.dir)}, pause state recorded ${printable(set.record.recordedAt)}) and left the pause state changed: ${printable(drift.map(describeDrift).join('; '))}`,
          { hint: `put it back as recorded with: ${formatCommand(['eksa-safe-upgrade', 'recover', '--dir', folder])}` },
        );
        // Unless another run at work holds the lock: the pause is then its own, and `recover` would lift it under it.
        throw options.lock === undefined ? stop : await stopUnlessLocked(ctx, options.lock, stop, drift.map((d) => ({ cluster: d.cluster, ...d.now })));
      }
      task.title = 'No unfinished backup left clusters paused';
    },
  };
}
