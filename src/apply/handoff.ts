import { backupTimestamp } from '../backup/naming.js';
import { runHandoff, type HandoffResult } from '../handoff/run-handoff.js';
import { currentHolderIdentity } from '../lock/lease.js';
import { HOLDER_ENV } from '../lock/local-holder.js';
import type { PlanAction } from '../plan/types.js';
import type { ExecuteDeps } from './deps.js';

/**
 * eksctl names its own pre-upgrade backup `<mgmt>/<cluster>-backup-<second>` exactly as we do, and deletes
 * it when the upgrade succeeds: handing off within the second our set is named after would let eksctl
 * write into our set and then remove it. Wait for the next second first.
 */
export async function leaveTheSecond(folderTimestamp: string | undefined, now: () => Date): Promise<void> {
  if (folderTimestamp === undefined) return;
  while (backupTimestamp(now()) === folderTimestamp) {
    await new Promise((resolve) => setTimeout(resolve, 1000 - (now().getTime() % 1000) + 5));
  }
}

/** eksctl in the foreground: its output on the terminal, signals forwarded, never killed with us. */
export async function applyHandoff(action: Extract<PlanAction, { op: 'handoff' }>, deps: ExecuteDeps, backupFolderTimestamp: string | undefined): Promise<HandoffResult> {
  await leaveTheSecond(backupFolderTimestamp, deps.now);
  // eksctl outlives us when we are killed (its own session): it carries our lock holder, so a later run of this
  // machine sees that the upgrade goes on and keeps the lock (src/lock/local-holder.ts).
  const command = { ...action.command, env: { ...action.command.env, [HOLDER_ENV]: currentHolderIdentity() } };
  return runHandoff(command, { runner: deps.runner });
}
