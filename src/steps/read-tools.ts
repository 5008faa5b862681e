import type { ListrTask } from 'listr2';
import type { RunContext } from '../context.js';
import { readToolVersions } from '../tools/versions.js';

/** tools: kubectl and eksctl present, versions read. */
export function readToolsStep(): ListrTask<RunContext> {
  return {
    title: 'Find kubectl and eksctl',
    task: async (ctx, task) => {
      ctx.tools = await readToolVersions(ctx.runner);
      task.title = `Find kubectl and eksctl: kubectl ${ctx.tools.kubectl}, eksctl anywhere ${ctx.tools.eksctl}`;
    },
  };
}
