import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, printable } from '../errors.js';
import type { Runner } from '../runner/runner.js';
import { isAgeRecipient, parseIdentityFile, parseRecipientsFile } from './age-stream.js';
import { registryCredentials } from './docker-config.js';
import { OciStore } from './oci-store.js';
import type { RemoteUrl } from './remote-url.js';
import type { OffsiteStore } from './store.js';

/** How to reach the remote: the flags every push and pull share. */
export interface RemoteAccess {
  readonly registryCa: string | undefined;
  readonly insecureRegistry: boolean;
  readonly s3Endpoint: string | undefined;
}

/** How a set is encrypted for the push, from the flags. */
export interface EncryptionFlags {
  readonly encryptTo: readonly string[];
  readonly encryptToFile: readonly string[];
  readonly allowPlaintextPush: boolean;
}

async function readText(file: string, cwd: string, flag: string): Promise<string> {
  try {
    return await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`${flag} ${printable(file)}: ${printable((error as Error).message)}`, { hint: `pass ${flag} with a readable file` });
  }
}

/** The age recipients of a push; none only with --allow-plaintext-push. A set holds every Secret: plaintext is a decision. */
export async function resolveRecipients(flags: EncryptionFlags, cwd: string): Promise<string[]> {
  const recipients = [...flags.encryptTo];
  for (const file of flags.encryptToFile) recipients.push(...parseRecipientsFile(await readText(file, cwd, '--encrypt-to-file')));
  for (const r of recipients) {
    if (!isAgeRecipient(r)) throw new UsageError(`${JSON.stringify(printable(r.slice(0, 80)))} is not an age recipient (age1…)`, { hint: 'pass --encrypt-to with the output of age-keygen -y IDENTITY_FILE' });
  }
  if (recipients.length === 0 && !flags.allowPlaintextPush) {
    throw new UsageError('a push without --encrypt-to would send every Secret and etcd snapshot of the set in plaintext', {
      hint: 'pass --encrypt-to age1… (or --encrypt-to-file FILE); or --allow-plaintext-push if the remote is as trusted as this machine',
    });
  }
  if (recipients.length > 0 && flags.allowPlaintextPush) throw new UsageError('--allow-plaintext-push and --encrypt-to contradict each other', { hint: 'drop one of them' });
  return [...new Set(recipients)];
}

/** The age identities of a pull's --identity files. */
export async function readIdentities(files: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    const found = parseIdentityFile(await readText(file, cwd, '--identity'));
    if (found.length === 0) throw new UsageError(`--identity ${printable(file)} holds no AGE-SECRET-KEY-1… line`, { hint: 'pass the file age-keygen wrote' });
    out.push(...found);
  }
  return out;
}

/** `--push URL…` and its companions on backup, cluster and management-components, as given. */
export interface PushFlags extends EncryptionFlags {
  readonly urls: readonly string[];
  readonly optional: boolean;
  readonly access: RemoteAccess;
}

export async function openStore(remote: RemoteUrl, access: RemoteAccess, cwd: string, env: NodeJS.ProcessEnv, runner: Runner | undefined): Promise<OffsiteStore> {
  if (remote.kind === 'oci') {
    if (access.s3Endpoint) throw new UsageError('--s3-endpoint is for s3:// locations', { hint: 'drop it, or push to s3://BUCKET/PREFIX' });
    const ca = access.registryCa === undefined ? undefined : await readText(access.registryCa, cwd, '--registry-ca');
    return new OciStore({
      host: remote.host,
      repository: remote.repository,
      insecure: access.insecureRegistry,
      ca,
      credentials: await registryCredentials(remote.host, env, runner),
    });
  }
  if (access.insecureRegistry || access.registryCa) throw new UsageError('--insecure-registry and --registry-ca are for oci:// locations', { hint: 'for an S3-compatible store over plain HTTP, pass --s3-endpoint http://HOST:PORT' });
  const { S3Store } = await import('./s3-store.js');
  return new S3Store({ bucket: remote.bucket, prefix: remote.prefix, endpoint: access.s3Endpoint, env });
}
