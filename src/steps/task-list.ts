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
  const list = new Listr<RunContext, 'default', 'simple'>(tasks, {
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
