import { Listr, ListrLogger, ListrLogLevels, ProcessOutput, type ListrTask, type LoggerFieldOptions } from 'listr2';
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
  /** Whether stderr, where progress goes, is a terminal. */
  readonly isTTY: boolean;
}

/** Whether progress is plain lines (piped, CI) rather than the live renderer. */
export function plainProgress(options: Pick<TaskListOptions, 'env' | 'isTTY'>): boolean {
  return !options.isTTY || Boolean(options.env.CI);
}

/** Progress is not a result: both of listr2's streams are our stderr, so stdout holds results alone. */
function progressOutput(): ProcessOutput {
  return new ProcessOutput(process.stderr, process.stderr);
}

/**
 * The plain renderer's logger: one line per step, when it ends (✔, ✖ or ↓), not `❯` when it starts and
 * again when it ends; a step's own output lines (`→`) as they come.
 */
export class OnceLogger extends ListrLogger<ListrLogLevels> {
  override log(level: ListrLogLevels, message: string | any[], options?: LoggerFieldOptions): void {
    if (level === ListrLogLevels.STARTED) return;
    super.log(level, message, options);
  }
}

/**
 * The spine of every command: one listr2 list, on stderr. The live renderer only in an interactive terminal;
 * a plain line per step when piped or in CI, so logs stay readable.
 */
export async function runTaskList<C extends TaskContext>(tasks: ListrTask<C>[], ctx: C, options: TaskListOptions): Promise<void> {
  const plain = plainProgress(options);
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
    rendererOptions: { collapseSubtasks: false, showErrorMessage: false, logger: new ListrLogger({ useIcons: true, processOutput: progressOutput() }) },
    fallbackRendererOptions: { timestamp: undefined, logger: new OnceLogger({ useIcons: true, processOutput: progressOutput() }) },
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
