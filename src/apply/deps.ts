import type { Kubectl } from '../kubectl/kubectl.js';
import type { Runner } from '../runner/runner.js';

/** What applying a plan needs besides the plan: the edges it acts through. */
export interface ExecuteDeps {
  readonly runner: Runner;
  readonly kubectl: Kubectl;
  readonly env: NodeJS.ProcessEnv;
  readonly toolVersion: string;
  readonly warn: (line: string) => void;
  /** Ctrl-C also ends the confirmation wait, which no child process is there to carry. */
  readonly signal: AbortSignal;
  readonly now: () => Date;
}
