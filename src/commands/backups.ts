import path from 'node:path';
import type { OutputFormat } from '../context.js';
import { EnvironmentError, UsageError, printable } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { formatDuration, parseDuration } from '../duration.js';
import { listBackups } from '../backup-sets/list.js';
import { renderBackupList } from '../backup-sets/list-report.js';
import { pruneBackups, type PruneOutcome } from '../backup-sets/prune.js';
import { paint } from '../report/paint.js';
import type { CommandIo } from './io.js';

export interface BackupsListOptions {
  /** The management folder; default: the working directory (or the management folders under it). */
  readonly dir: string | undefined;
  readonly output: OutputFormat;
  readonly verify: boolean;
}

export interface BackupsPruneOptions {
  readonly dir: string | undefined;
  readonly keep: number;
  readonly olderThan: string;
  readonly dryRun: boolean;
  readonly output: OutputFormat;
}

function folderOf(io: CommandIo, dir: string | undefined): string {
  return path.resolve(io.cwd, dir ?? '.');
}

function missingFolder(dir: string, error: unknown): never {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
    throw new UsageError(`${dir} is not a folder`, { hint: 'pass --dir with the management cluster folder (the one holding <cluster>-backup-* sets)' });
  }
  throw error;
}

/** `backups list`: every set with its state, from manifests alone; `--verify` hashes every complete set. */
export async function backupsList(options: BackupsListOptions, io: CommandIo): Promise<ExitCodeName> {
  const dir = folderOf(io, options.dir);
  const list = await listBackups({ dir, verify: options.verify, now: () => new Date() }).catch((e) => missingFolder(dir, e));
  if (options.output === 'json') io.stdout(JSON.stringify(list, null, 2));
  else io.stdout(renderBackupList(list, paint(io.env)));
  return options.verify && list.sets.some((s) => s.lastVerified && !s.lastVerified.ok) ? 'VerifyFailed' : 'Success';
}

function describeOutcome(o: PruneOutcome): string {
  const verb = { removed: 'removed', planned: 'would remove', error: 'could not remove', kept: 'kept' }[o.result];
  return printable(`${verb} ${o.dir}: ${o.reasons.join('; ')}${o.error ? ` (${o.error})` : ''}`);
}

/** `backups prune`: the policy's removals, printed as they happen; dry-run removes nothing. */
export async function backupsPrune(options: BackupsPruneOptions, io: CommandIo): Promise<ExitCodeName> {
  if (!Number.isInteger(options.keep) || options.keep < 0) {
    throw new UsageError(`--keep ${JSON.stringify(options.keep)} is not a whole number >= 0`, { hint: 'pass --keep N, the sets each cluster keeps whatever their age' });
  }
  const olderThanMs = parseDuration(options.olderThan, '--older-than');
  const dir = folderOf(io, options.dir);
  const json = options.output === 'json';
  const report = await pruneBackups({
    dir,
    keep: options.keep,
    olderThanMs,
    now: new Date(),
    dryRun: options.dryRun,
    onRemoved: json ? undefined : (o) => io.stdout(describeOutcome(o)),
  }).catch((e) => missingFolder(dir, e));
  const removals = report.outcomes.filter((o) => o.result !== 'kept');
  if (json) {
    io.stdout(JSON.stringify(report, null, 2));
  } else {
    const p = paint(io.env);
    for (const o of report.outcomes.filter((o) => o.result === 'kept')) io.stdout(p.dim(describeOutcome(o)));
    const policy = `keep ${options.keep} per cluster, remove only older than ${formatDuration(olderThanMs)}`;
    if (removals.length === 0) io.stdout(`Nothing to prune (${policy}).`);
    else if (options.dryRun) io.stdout(p.bold(`Dry run: ${removals.length} set(s) would be removed, nothing was (${policy}).`));
    else io.stdout(`${removals.filter((o) => o.result === 'removed').length} set(s) removed (${policy}).`);
  }
  const failed = removals.filter((o) => o.result === 'error');
  if (failed.length > 0) {
    throw new EnvironmentError(`could not remove ${failed.length} backup set(s): ${failed.map((o) => `${o.name} (${o.error})`).join(', ')}`, {
      hint: 'check the permissions of the management folder, then run prune again',
    });
  }
  return 'Success';
}
