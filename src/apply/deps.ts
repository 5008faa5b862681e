import type { PlanAction } from '../plan/types.js';
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
  /** Told as each action starts: the fleet records a cluster's state (backing up, upgrading, confirming) as it changes. */
  readonly onAction?: ((op: PlanAction['op']) => void) | undefined;
}
