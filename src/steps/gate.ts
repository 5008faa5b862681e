import type { ListrTask } from 'listr2';
import type { RunContext } from '../context.js';
import { loadSpecStep } from './load-spec.js';
import { interruptedBackupStep } from './interrupted-backup.js';
import type { LockReadOptions } from './read-lock.js';
import { readTreeStep } from './read-tree.js';
import { readinessStep } from './readiness.js';
import { scopeStep } from './scope.js';
import { skewStep } from './skew.js';

/**
 * The read-only gate every command starts with. Preflight reports skew and a scope that stops; an
 * upgrade stops on skew (`enforceSkew`), and a backup or upgrade stops on scope `stop` (`enforceScope`).
 * `afterSpec` runs right after the spec is loaded (flag checks that need no API read). `lock`: the command
 * takes the upgrade lock, so a gate about to stop reads it first: a stop while another run at work holds it is
 * the lock's (exit 6, src/lock/gate-stop.ts).
 */
export function gateSteps(
  options: { enforceSkew?: boolean; enforceScope?: boolean; skew?: boolean; afterSpec?: ListrTask<RunContext>[]; lock?: LockReadOptions } = {},
): ListrTask<RunContext>[] {
  const lock = options.lock;
  return [
    loadSpecStep(),
    ...(options.afterSpec ?? []),
    readTreeStep(),
    // A backup or upgrade first looks for pause state an earlier, killed run left changed (`recover` puts it back).
    ...(options.enforceScope ? [interruptedBackupStep({ lock })] : []),
    readinessStep(),
    ...(options.skew === false ? [] : [skewStep({ enforce: options.enforceSkew ?? false, lock })]),
    scopeStep({ enforce: options.enforceScope ?? false, lock }),
  ];
}
