import { lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseBackupDirName } from '../backup/naming.js';
import { discoverBackupSets } from './backup-sets.js';
import { planPrune, type PruneDecision } from './prune-policy.js';
import { readVerificationRecord, removeVerificationRecord } from './verification-record.js';
import { readDrillRecord, removeDrillRecord } from './drill-record.js';

export interface PruneOutcome extends PruneDecision {
  readonly dir: string;
  /** removed: gone; planned: dry-run; error: could not be removed; kept: not a removal. */
  readonly result: 'removed' | 'planned' | 'error' | 'kept';
  readonly error?: string;
}

export interface PruneReport {
  readonly command: 'backups prune';
  readonly dir: string;
  readonly dryRun: boolean;
  readonly keep: number;
  readonly olderThanMs: number;
  readonly outcomes: readonly PruneOutcome[];
}

/** Removes one set folder, after checking again that it is a real folder with a backup set's name. */
async function removeSet(dir: string): Promise<void> {
  const info = await lstat(dir);
  if (!info.isDirectory() || !parseBackupDirName(path.basename(dir))) throw new Error('no longer a backup set folder');
  await rm(dir, { recursive: true });
  await removeVerificationRecord(dir);
  await removeDrillRecord(dir);
}

/**
 * `backups prune`: decide with the pure policy, then remove in its order (failed and partial first).
 * Dry-run removes nothing. Reports each set's outcome; a removal that fails does not stop the others.
 */
export async function pruneBackups(options: { dir: string; keep: number; olderThanMs: number; now: Date; dryRun: boolean; onRemoved?: (o: PruneOutcome) => void }): Promise<PruneReport> {
  const { sets } = await discoverBackupSets(options.dir);
  const candidates = await Promise.all(
    sets.map(async (s) => {
      const record = s.state === 'complete' ? await readVerificationRecord(s.dir) : undefined;
      const verification = record ? { ok: record.ok, at: record.verifiedAt } : undefined;
      const drilled = s.state === 'complete' ? await readDrillRecord(s.dir) : undefined;
      const drill = drilled ? { ok: drilled.ok, at: drilled.drilledAt } : undefined;
      return { id: s.dir, name: s.name, group: `${path.dirname(s.dir)}\0${s.cluster}`, cluster: s.cluster, state: s.state, createdAt: s.createdAt, upgradedAt: s.upgradedAt, verification, drill };
    }),
  );
  const decisions = planPrune(
    candidates,
    { keep: options.keep, olderThanMs: options.olderThanMs, now: options.now },
  );
  const outcomes: PruneOutcome[] = [];
  for (const d of decisions) {
    const dir = d.id; // the set's folder
    let outcome: PruneOutcome;
    if (d.action === 'keep') outcome = { ...d, dir, result: 'kept' };
    else if (options.dryRun) outcome = { ...d, dir, result: 'planned' };
    else {
      try {
        await removeSet(dir);
        outcome = { ...d, dir, result: 'removed' };
      } catch (error) {
        outcome = { ...d, dir, result: 'error', error: (error as Error).message };
      }
    }
    if (outcome.result !== 'kept') options.onRemoved?.(outcome);
    outcomes.push(outcome);
  }
  return { command: 'backups prune', dir: options.dir, dryRun: options.dryRun, keep: options.keep, olderThanMs: options.olderThanMs, outcomes };
}
