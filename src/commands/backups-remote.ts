import { createRequire } from 'node:module';
import path from 'node:path';
import type { OutputFormat } from '../context.js';
import { printable } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { openStore, readIdentities, resolveRecipients, type EncryptionFlags, type RemoteAccess } from '../offsite/open-store.js';
import { pullSet } from '../offsite/pull-set.js';
import { pushFailure, pushSet } from '../offsite/push-set.js';
import { parseDuration } from '../duration.js';
import { planPrune } from '../backup-sets/prune-policy.js';
import { formatBytes, shortTime } from '../backup-sets/list-report.js';
import { renderTable } from '../report/table.js';
import { parseRemoteUrl } from '../offsite/remote-url.js';
import { UsageError } from '../errors.js';
import { createRunner } from '../runner/create-runner.js';
import { trapInterrupts } from '../signals.js';
import type { CommandIo } from './io.js';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

export interface BackupsPushOptions extends RemoteAccess, EncryptionFlags {
  readonly set: string;
  readonly url: string;
  readonly output: OutputFormat;
  readonly verbosity: number;
}

export interface BackupsPullOptions extends RemoteAccess {
  readonly url: string;
  readonly dir: string;
  readonly identity: readonly string[];
  readonly output: OutputFormat;
  readonly verbosity: number;
}

/** `backups push <set> URL`: an existing, verified set copied off the machine, encrypted unless told otherwise. */
export async function backupsPush(options: BackupsPushOptions, io: CommandIo): Promise<ExitCodeName> {
  const remote = parseRemoteUrl(options.url, false);
  const recipients = await resolveRecipients(options, io.cwd);
  const setDir = path.resolve(io.cwd, options.set);
  const runner = createRunner({ dryRun: false, verbosity: options.verbosity }, io);
  const store = await openStore(remote, options, io.cwd, io.env, runner);
  io.stderr(recipients.length > 0 ? `Pushing ${printable(path.basename(setDir))} to ${printable(store.display)}, encrypted to ${recipients.length} age recipient(s)` : `Pushing ${printable(path.basename(setDir))} to ${printable(store.display)} IN PLAINTEXT (--allow-plaintext-push): every Secret and etcd snapshot of the set`);
  const abort = new AbortController();
  const untrap = trapInterrupts(runner, () => abort.abort());
  const record = await pushSet({ setDir, store, recipients, toolVersion: pkg.version, now: () => new Date(), progress: options.verbosity > 0 ? (l) => io.stderr(l) : undefined, signal: abort.signal }).finally(untrap);
  if (options.output === 'json') io.stdout(JSON.stringify({ command: 'backups push', set: path.basename(setDir), ...record }, null, 2));
  else io.stdout(`Pushed ${printable(path.basename(setDir))} to ${printable(record.url)} (${record.reference}, ${record.files} files, ${record.encrypted ? 'encrypted' : 'PLAINTEXT'})`);
  return 'Success';
}

/** `backups pull URL:TAG --dir mgmt`: download, decrypt, verify, then rename into place. */
export async function backupsPull(options: BackupsPullOptions, io: CommandIo): Promise<ExitCodeName> {
  const remote = parseRemoteUrl(options.url, true);
  if (!remote.tag) throw new UsageError(`${printable(remote.display)} names no set`, { hint: `add :SET, e.g. ${remote.display}:mgmt-backup-2026-11-29T10_00_00 (see backups list --remote)` });
  const identities = await readIdentities(options.identity, io.cwd);
  const runner = createRunner({ dryRun: false, verbosity: options.verbosity }, io);
  const store = await openStore(remote, options, io.cwd, io.env, runner);
  const abort = new AbortController();
  const untrap = trapInterrupts(runner, () => abort.abort());
  const result = await pullSet({ store, set: remote.tag, dir: path.resolve(io.cwd, options.dir), identities, now: () => new Date(), progress: options.verbosity > 0 ? (l) => io.stderr(l) : undefined, signal: abort.signal }).finally(untrap);
  if (options.output === 'json') io.stdout(JSON.stringify({ command: 'backups pull', url: remote.display, set: remote.tag, ...result }, null, 2));
  else io.stdout(`Pulled and verified ${printable(result.dir)} (${result.files} files from ${printable(remote.display)}, ${result.reference})`);
  return 'Success';
}

export interface RemoteListOptions extends RemoteAccess {
  readonly remote: string;
  readonly output: OutputFormat;
  readonly verbosity: number;
}

/** One pushed set as its remote manifest describes it. */
export interface RemoteSetRow {
  readonly name: string;
  readonly cluster: string;
  readonly managementCluster: string;
  readonly scope: string;
  readonly createdAt: string;
  readonly pushedAt: string;
  readonly encrypted: boolean;
  readonly files: number;
  readonly bytes: number;
  readonly reference: string;
}

async function remoteRows(options: RemoteListOptions, io: CommandIo): Promise<{ display: string; rows: RemoteSetRow[]; store: Awaited<ReturnType<typeof openStore>> }> {
  const remote = parseRemoteUrl(options.remote, false);
  const store = await openStore(remote, options, io.cwd, io.env, createRunner({ dryRun: false, verbosity: options.verbosity }, io));
  const rows: RemoteSetRow[] = [];
  try {
    await store.open();
    for (const name of await store.list()) {
      // A tag that is not one of our sets (another artifact in the repository) is skipped, not fatal.
      const found = await store.manifest(name).catch(() => undefined);
      if (!found) continue;
      const r = found.remote;
      rows.push({ name, cluster: r.cluster, managementCluster: r.managementCluster, scope: r.scope, createdAt: r.createdAt, pushedAt: r.pushedAt, encrypted: r.encryption.format === 'age', files: r.files.length, bytes: r.files.reduce((n, f) => n + (f.stored.offset === undefined ? f.stored.size : 0), r.pack?.size ?? 0), reference: found.reference });
    }
  } catch (error) {
    store.close();
    throw pushFailure(store.display, error);
  }
  return { display: store.display, rows, store };
}

/** `backups list --remote URL`: the sets pushed there, from their remote manifests. */
export async function backupsListRemote(options: RemoteListOptions, io: CommandIo): Promise<ExitCodeName> {
  const { display, rows, store } = await remoteRows(options, io);
  store.close();
  if (options.output === 'json') {
    io.stdout(JSON.stringify({ command: 'backups list', remote: display, sets: rows }, null, 2));
    return 'Success';
  }
  // Names and times come from the remote manifests: the terminal sink for every cell. Sizes and times as `backups list` shows them.
  const cells = rows.map((r) => [r.name, r.cluster, r.scope, shortTime(r.createdAt), formatBytes(r.bytes), r.encrypted ? 'age' : 'NO', r.reference.slice(0, 19)].map(printable));
  io.stdout(renderTable(['NAME', 'CLUSTER', 'SCOPE', 'CREATED', 'STORED', 'ENCRYPTED', 'REFERENCE'], cells));
  io.stdout(`${rows.length} set(s) at ${printable(display)}`);
  return 'Success';
}

/** `backups prune --remote URL`: the local policy (keep N per cluster, never the newest) applied to the pushed copies. */
export async function backupsPruneRemote(options: RemoteListOptions & { readonly keep: number; readonly olderThan: string; readonly dryRun: boolean }, io: CommandIo): Promise<ExitCodeName> {
  if (!Number.isInteger(options.keep) || options.keep < 0) throw new UsageError(`--keep ${JSON.stringify(options.keep)} is not a whole number >= 0`, { hint: 'pass --keep N, the sets each cluster keeps whatever their age' });
  const olderThanMs = parseDuration(options.olderThan, '--older-than');
  const { display, rows, store } = await remoteRows(options, io);
  try {
    const decisions = planPrune(
      rows.map((r) => ({ id: r.name, name: r.name, group: `${r.managementCluster}/${r.cluster}`, cluster: r.cluster, state: 'complete' as const, createdAt: new Date(r.createdAt), upgradedAt: undefined })),
      { keep: options.keep, olderThanMs, now: new Date() },
    );
    const removed: string[] = [];
    for (const d of decisions) {
      if (d.action !== 'remove') {
        io.stdout(printable(`kept ${d.name}: ${d.reasons.join('; ')}`));
        continue;
      }
      if (!options.dryRun) await store.remove(d.name).catch((e) => Promise.reject(pushFailure(display, e)));
      removed.push(d.name);
      io.stdout(printable(`${options.dryRun ? 'would remove' : 'removed'} ${d.name}: ${d.reasons.join('; ')}`));
    }
    io.stdout(removed.length === 0 ? 'Nothing to prune.' : `${options.dryRun ? 'Dry run: would remove' : 'Removed'} ${removed.length} set(s) at ${printable(display)}.`);
  } finally {
    store.close();
  }
  return 'Success';
}
