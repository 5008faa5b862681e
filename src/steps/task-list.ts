import { Listr, type ListrTask } from 'listr2';
import type { StepTimer } from '../report/step-timer.js';
import type { Runner } from '../runner/runner.js';

/** What every task list needs from its context: the runner (to stop after Ctrl-C) and, when kept, the step timer. */
export interface TaskContext {
  readonly runner: Runner;
  readonly timer?: StepTimer | undefined;
}

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
export async function runTaskList<C extends TaskContext>(tasks: ListrTask<C>[], ctx: C, options: TaskListOptions): Promise<void> {
  const plain = !options.isTTY || Boolean(options.env.CI);
  const timed = tasks.map((t) => timedTask(t));
  const list = new Listr<C, 'default', 'simple'>(timed, {
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
function timedTask<C extends TaskContext>(task: ListrTask<C>): ListrTask<C> {
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
