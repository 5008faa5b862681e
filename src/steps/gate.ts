import type { ListrTask } from 'listr2';
import type { RunContext } from '../context.js';
import { inventoryStep } from './inventory.js';
import { loadSpecStep } from './load-spec.js';
import { readToolsStep } from './read-tools.js';
import { readinessStep } from './readiness.js';
import { scopeStep } from './scope.js';
import { skewStep } from './skew.js';

/** The read-only gate every command starts with. Tools and inventory run side by side: neither needs the other. */
export function gateSteps(): ListrTask<RunContext>[] {
  return [
    loadSpecStep(),
    {
      title: 'Read tools and the management tree',
      task: (_ctx, task) => task.newListr([readToolsStep(), inventoryStep()], { concurrent: true, exitOnError: true }),
    },
    readinessStep(),
    skewStep(),
    scopeStep(),
  ];
}
