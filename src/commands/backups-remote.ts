import { createRequire } from 'node:module';
import path from 'node:path';
import type { OutputFormat } from '../context.js';
import { printable } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { openStore, readIdentities, resolveRecipients, type EncryptionFlags, type RemoteAccess } from '../offsite/open-store.js';
import { pullSet } from '../offsite/pull-set.js';
import { pushSet } from '../offsite/push-set.js';
import { parseRemoteUrl } from '../offsite/remote-url.js';
import { UsageError } from '../errors.js';
import { createRunner } from '../runner/create-runner.js';
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
  const record = await pushSet({ setDir, store, recipients, toolVersion: pkg.version, now: () => new Date(), progress: options.verbosity > 0 ? (l) => io.stderr(l) : undefined });
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
  const result = await pullSet({ store, set: remote.tag, dir: path.resolve(io.cwd, options.dir), identities, now: () => new Date(), progress: options.verbosity > 0 ? (l) => io.stderr(l) : undefined });
  if (options.output === 'json') io.stdout(JSON.stringify({ command: 'backups pull', url: remote.display, set: remote.tag, ...result }, null, 2));
  else io.stdout(`Pulled and verified ${printable(result.dir)} (${result.files} files from ${printable(remote.display)}, ${result.reference})`);
  return 'Success';
}
