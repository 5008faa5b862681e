import type { ListrTask } from 'listr2';
import type { RunContext } from '../context.js';
import { loadSpecStep } from './load-spec.js';
import { readTreeStep } from './read-tree.js';
import { readinessStep } from './readiness.js';
import { scopeStep } from './scope.js';
import { skewStep } from './skew.js';

/** The read-only gate every command starts with; an upgrade stops on version skew (`enforceSkew`), preflight reports it. */
export function gateSteps(options: { enforceSkew: boolean } = { enforceSkew: false }): ListrTask<RunContext>[] {
  return [
    loadSpecStep(),
    readTreeStep(),
    readinessStep(),
    skewStep({ enforce: options.enforceSkew }),
    scopeStep(),
  ];
}
