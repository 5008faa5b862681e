import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Applied } from '../apply/execute-plan.js';
import { quoteForDisplay } from '../command.js';
import { describePoll, formatDuration } from '../confirm/index.js';
import type { ExitCodeName } from '../exit-codes.js';

const CHECK_CLUSTER = 'kubectl get clusters.anywhere.eks.amazonaws.com -A';

/**
 * After the hand-off went wrong or was stopped: what state things are in, the backup set and the command that
 * prints its runbook. The runbook's path and first steps only where a restore is the likely next step (eksctl
 * failed); never the whole runbook, which would scroll eksctl's own last words away. Nothing otherwise.
 */
export async function restoreHint(exit: ExitCodeName, applied: Applied): Promise<string | undefined> {
  if (!(exit === 'UpgradeFailed' || exit === 'NotConfirmed' || (exit === 'Interrupted' && applied.handoff))) return undefined;
  const dir = applied.backup?.dir;
  const set = dir === undefined ? 'No complete backup set was written in this run.' : `Backup of this run: ${dir}`;
  const restorePlan = dir === undefined ? [] : [`Its restore runbook, every command pre-filled, none run: eksa-safe-upgrade restore-plan ${quoteForDisplay(dir)}`];
  if (exit === 'UpgradeFailed') {
    const lines = [`eksctl failed (exit ${applied.handoff?.exitCode ?? '?'}): a restore may be the next step. Check the cluster first: ${CHECK_CLUSTER}`, set];
    if (dir === undefined) return lines.join('\n');
    const runbook = path.join(dir, 'RESTORE.md');
    const chooser = await firstSteps(runbook);
    return [
      ...lines,
      `Restore runbook: ${runbook}`,
      'First steps:',
      `  1. check the backup: eksa-safe-upgrade verify ${quoteForDisplay(dir)}`,
      `  2. pick the procedure for what happened${chooser.length > 0 ? ':' : ` in ${runbook}`}`,
      ...chooser.map((l) => `     ${l}`),
      `  3. follow it in the runbook (eksa-safe-upgrade restore-plan ${quoteForDisplay(dir)} prints it)`,
    ].join('\n');
  }
  return [state(exit, applied), set, ...restorePlan].join('\n');
}

/** Where the run stopped, in one or two lines: a Ctrl-C during eksctl or the wait, or a wait that ran out. */
function state(exit: ExitCodeName, applied: Applied): string {
  const poll = applied.lastPoll;
  const seen = poll === undefined ? '' : ` At the last poll (after ${formatDuration(poll.durationMs)}): ${describePoll(poll)}.`;
  if (exit === 'NotConfirmed') {
    return `eksctl finished, but the cluster was not confirmed Ready at the new version.${seen} The EKS-A controller may still be reconciling: ${CHECK_CLUSTER}`;
  }
  if (applied.handoff && applied.handoff.forwardedSignals.length > 0) {
    return `Interrupted during eksctl (it exited ${applied.handoff.exitCode}): the cluster may be part-way through the upgrade, or fine. Check it before anything else: ${CHECK_CLUSTER}`;
  }
  return `Interrupted while confirming: eksctl had finished (exit ${applied.handoff?.exitCode ?? '?'}).${seen} The upgrade may still be running in the EKS-A controller: ${CHECK_CLUSTER}`;
}

/** The "Which procedure" table of a runbook: what happened → which section. Empty when the file cannot be read. */
async function firstSteps(runbook: string): Promise<string[]> {
  const text = await readFile(runbook, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('## Which procedure'));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).filter((l) => l.startsWith('|') && !/^\|[-| ]+\|$/.test(l));
}
