import type { ListrTask } from 'listr2';
import type { RunContext } from '../context.js';
import { loadSpecStep } from './load-spec.js';
import { interruptedBackupStep } from './interrupted-backup.js';
import { readTreeStep } from './read-tree.js';
import { readinessStep } from './readiness.js';
import { scopeStep } from './scope.js';
import { skewStep } from './skew.js';

/**
 * The read-only gate every command starts with. Preflight reports skew and a scope that stops; an
 * upgrade stops on skew (`enforceSkew`), and a backup or upgrade stops on scope `stop` (`enforceScope`).
 * `afterSpec` runs right after the spec is loaded (flag checks that need no API read).
 */
export function gateSteps(options: { enforceSkew?: boolean; enforceScope?: boolean; skew?: boolean; afterSpec?: ListrTask<RunContext>[] } = {}): ListrTask<RunContext>[] {
  return [
    loadSpecStep(),
    ...(options.afterSpec ?? []),
    readTreeStep(),
    // A backup or upgrade first looks for pause state an earlier, killed run left changed (`recover` puts it back).
    ...(options.enforceScope ? [interruptedBackupStep()] : []),
    readinessStep(),
    ...(options.skew === false ? [] : [skewStep({ enforce: options.enforceSkew ?? false })]),
    scopeStep({ enforce: options.enforceScope ?? false }),
  ];
}
