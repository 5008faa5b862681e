import type { BackupManifest } from '../backup/manifest.js';
import { verifyBackupSet } from '../backup/verify-set.js';
import { scanBackupSets, type BackupSetInfo } from './backup-sets.js';
import { formatDuration } from '../duration.js';

export interface FreshnessQuery {
  readonly managementFolder: string;
  /** The cluster the run upgrades: sets named `<cluster>-backup-…`. */
  readonly cluster: string;
  readonly maxAgeMs: number;
  readonly now: Date;
  /** Clusters the set must cover (the scope this run would back up); none required when absent. */
  readonly requireClusters?: readonly string[];
  /** Also require an etcd snapshot of every required cluster. */
  readonly requireEtcdSnapshots?: boolean;
  /** Each set looked at and not taken, with why: for the run's report. */
  readonly onRejected?: (dir: string, reason: string) => void;
}

export interface FreshBackup {
  readonly dir: string;
  readonly manifest: BackupManifest;
  readonly ageMs: number;
}

export type RefusalCode = 'not-complete' | 'no-time' | 'future' | 'too-old' | 'scope' | 'no-etcd';

/** Pure: why a set cannot be reused, or undefined when it may be (once it verifies). */
export function freshnessRefusal(
  set: BackupSetInfo,
  q: Pick<FreshnessQuery, 'maxAgeMs' | 'now' | 'requireClusters' | 'requireEtcdSnapshots'>,
): { code: RefusalCode; reason: string } | undefined {
  const m = set.manifest;
  if (set.state !== 'complete' || !m) return { code: 'not-complete', reason: `not complete (${set.state})` };
  const age = q.now.getTime() - (set.createdAt?.getTime() ?? Number.NaN);
  if (Number.isNaN(age)) return { code: 'no-time', reason: 'no creation time' };
  if (age < 0) return { code: 'future', reason: `created ${formatDuration(-age)} in the future (clock skew?)` };
  if (age > q.maxAgeMs) return { code: 'too-old', reason: `${formatDuration(age)} old, older than ${formatDuration(q.maxAgeMs)}` };
  const missing = (q.requireClusters ?? []).filter((c) => !m.scope.clusters.includes(c));
  if (missing.length > 0) return { code: 'scope', reason: `does not cover ${missing.join(', ')} (scope ${m.scope.kind}: ${m.scope.clusters.join(', ')})` };
  if (q.requireEtcdSnapshots) {
    const snapped = new Set(m.etcd.map((e) => e.cluster));
    const noSnapshot = (q.requireClusters ?? m.scope.clusters).filter((c) => !snapped.has(c));
    if (noSnapshot.length > 0) return { code: 'no-etcd', reason: `has no etcd snapshot of ${noSnapshot.join(', ')}` };
  }
  return undefined;
}

/**
 * The newest set of the cluster that is complete, young enough, covers what the run needs, and passes
 * `verifyBackupSet` (every sha256 and the object graph): the freshness gate's only way to skip a backup.
 * Undefined means take a new one. Newest first; once one is too old, every older one is too.
 */
export async function findFreshBackup(q: FreshnessQuery): Promise<FreshBackup | undefined> {
  const sets = (await scanBackupSets(q.managementFolder)).filter((s) => s.cluster === q.cluster && s.state === 'complete');
  for (const set of sets) {
    const refusal = freshnessRefusal(set, q);
    if (refusal) {
      q.onRejected?.(set.dir, refusal.reason);
      if (refusal.code === 'too-old') return undefined;
      continue;
    }
    const result = await verifyBackupSet(set.dir);
    if (!result.ok || !result.manifest) {
      q.onRejected?.(set.dir, `does not verify: ${result.problems.join('; ')}`);
      continue;
    }
    return { dir: set.dir, manifest: result.manifest, ageMs: q.now.getTime() - set.createdAt!.getTime() };
  }
  return undefined;
}
