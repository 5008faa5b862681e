import { Chalk } from 'chalk';
import type { Paint } from './preflight-report.js';

/** Colours for stdout reports; none when NO_COLOR is set or stdout is not a terminal. */
export function paint(env: NodeJS.ProcessEnv): Paint {
  const noColor = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || !process.stdout.isTTY;
  const chalk = new Chalk({ level: noColor ? 0 : 1 });
  return { ok: chalk.green, bad: chalk.red, dim: chalk.dim, bold: chalk.bold };
}
