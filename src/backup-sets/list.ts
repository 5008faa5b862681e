import { verifyBackupSet } from '../backup/verify-set.js';
import { discoverBackupSets, type BackupSetInfo, type SetState } from './backup-sets.js';
import { readDrillRecord } from './drill-record.js';
import { readVerificationRecord, writeVerificationRecord, type VerificationRecord } from './verification-record.js';

export interface LastVerified {
  readonly at: string;
  readonly ok: boolean;
  /** creation: the set was verified as it was written; verify: a later `--verify` (or its record). */
  readonly source: 'creation' | 'verify';
  readonly problems: readonly string[];
}

/** One row of `backups list`, as data: the table and `--output json` are two renderings of it. */
export interface ListedSet {
  readonly name: string;
  readonly dir: string;
  readonly cluster: string;
  readonly scope: string | null;
  readonly scopeClusters: readonly string[];
  readonly createdAt: string | null;
  readonly size: number;
  readonly etcdSnapshots: number;
  readonly state: SetState;
  readonly note: string | null;
  readonly lastVerified: LastVerified | null;
  /** The set's latest `drill` (its `.drill.json`); null: never drilled. */
  readonly lastDrilled: { readonly at: string; readonly ok: boolean; readonly problems: readonly string[] } | null;
}

export interface BackupList {
  readonly command: 'backups list';
  readonly dir: string;
  readonly folders: readonly string[];
  readonly verified: boolean;
  readonly sets: readonly ListedSet[];
}

function row(set: BackupSetInfo, lastVerified: LastVerified | null, lastDrilled: ListedSet['lastDrilled'] = null): ListedSet {
  const m = set.manifest;
  return {
    name: set.name,
    dir: set.dir,
    cluster: set.cluster,
    scope: m?.scope.kind ?? null,
    scopeClusters: m?.scope.clusters ?? [],
    createdAt: set.createdAt?.toISOString() ?? null,
    size: set.size,
    etcdSnapshots: m?.etcd.length ?? 0,
    state: set.state,
    note: set.note ?? null,
    lastVerified,
    lastDrilled,
  };
}

/** Verifies a set and records the outcome beside it; a record that cannot be written (a symlink there) is said in its problems. */
async function verifyAndRecord(dir: string, now: Date): Promise<VerificationRecord> {
  const result = await verifyBackupSet(dir);
  try {
    return await writeVerificationRecord(dir, result, now);
  } catch (error) {
    return { verifiedAt: now.toISOString(), ok: false, problems: [...result.problems, `the outcome was not recorded: ${(error as Error).message}`] };
  }
}

/**
 * Every set under the folder from manifests alone (fast on hundreds of sets). With `verify`, every complete
 * set is hashed and its object graph checked again, and the outcome recorded beside it.
 */
export async function listBackups(options: { dir: string; verify: boolean; now: () => Date }): Promise<BackupList> {
  const { folders, sets } = await discoverBackupSets(options.dir);
  const rows: ListedSet[] = [];
  for (const set of sets) {
    if (set.state !== 'complete') {
      rows.push(row(set, null));
      continue;
    }
    const record = options.verify ? await verifyAndRecord(set.dir, options.now()) : await readVerificationRecord(set.dir);
    const atCreation: LastVerified | null = set.createdAt ? { at: set.createdAt.toISOString(), ok: true, source: 'creation', problems: [] } : null;
    const drilled = await readDrillRecord(set.dir);
    rows.push(
      row(set, record ? { at: record.verifiedAt, ok: record.ok, source: 'verify', problems: record.problems } : atCreation, drilled ? { at: drilled.drilledAt, ok: drilled.ok, problems: drilled.problems } : null),
    );
  }
  return { command: 'backups list', dir: options.dir, folders, verified: options.verify, sets: rows };
}
