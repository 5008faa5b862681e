import type { ListrTask } from 'listr2';
import type { RunContext } from '../context.js';
import { loadSpecStep } from './load-spec.js';
import { readTreeStep } from './read-tree.js';
import { readinessStep } from './readiness.js';
import { scopeStep } from './scope.js';
import { skewStep } from './skew.js';

/** The read-only gate every command starts with. */
export function gateSteps(): ListrTask<RunContext>[] {
  return [
    loadSpecStep(),
    readTreeStep(),
    readinessStep(),
    skewStep(),
    scopeStep(),
  ];
}
