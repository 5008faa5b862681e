import { Listr, type ListrTask } from 'listr2';
import type { RunContext } from '../context.js';

export interface TaskListOptions {
  /** Print nothing (JSON on stdout must stay clean). */
  readonly silent: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly isTTY: boolean;
}

/**
 * The spine of every command: one listr2 list. The live renderer only in an interactive terminal;
 * a plain line per step when piped or in CI, so logs stay readable.
 */
export async function runTaskList(tasks: ListrTask<RunContext>[], ctx: RunContext, options: TaskListOptions): Promise<void> {
  const plain = !options.isTTY || Boolean(options.env.CI);
  const timed = tasks.map((t) => timedTask(t));
  const list = new Listr<RunContext, 'default', 'simple'>(timed, {
    ctx,
    concurrent: false,
    exitOnError: true,
    // Signals are ours to handle: the lock, pause state and the eksctl child need an orderly stop.
    registerSignalListeners: false,
    renderer: 'default',
    fallbackRenderer: 'simple',
    fallbackRendererCondition: plain,
    silentRendererCondition: options.silent,
    rendererOptions: { collapseSubtasks: false, showErrorMessage: false },
    fallbackRendererOptions: { timestamp: undefined },
  });
  await list.run();
}

/** Each step ends in the evidence record with its status, duration and reason (the step's own error). */
function timedTask(task: ListrTask<RunContext>): ListrTask<RunContext> {
  const run = task.task;
  const name = typeof task.title === 'string' ? task.title : 'step';
  return {
    ...task,
    task: (ctx, wrapper) => {
      ctx.runner.throwIfInterrupted();
      if (!ctx.timer) return run(ctx, wrapper);
      return ctx.timer.time(name, async () => run(ctx, wrapper));
    },
  };
}
