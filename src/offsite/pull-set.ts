import { createHash } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { lstat, open, rename, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, pipeline as streamPipeline } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseBackupDirName, PARTIAL_SUFFIX } from '../backup/naming.js';
import { createSetDir, privateDir } from '../backup/private-files.js';
import { verifyBackupSet } from '../backup/verify-set.js';
import { writeVerificationRecord } from '../backup-sets/verification-record.js';
import { SafeUpgradeError, UsageError, printable } from '../errors.js';
import { formatBytes } from '../airgap/disk-space.js';
import { AgeError, decryptStream } from './age-stream.js';
import { packedFiles, type RemoteFile } from './artifact.js';
import { ByteReader, TruncatedError } from './byte-reader.js';
import { RegistryError } from './oci-client.js';
import type { OffsiteStore } from './store.js';

export interface PullOptions {
  readonly store: OffsiteStore;
  readonly set: string;
  /** The management folder the set goes into. */
  readonly dir: string;
  readonly identities: readonly string[];
  readonly now: () => Date;
  readonly progress?: (line: string) => void;
  /** Ctrl-C (SIGINT/SIGTERM/SIGHUP): the downloads stop and the `.partial` folder is removed. */
  readonly signal?: AbortSignal;
}

export interface PullResult {
  readonly dir: string;
  readonly reference: string;
  readonly encrypted: boolean;
  readonly files: number;
}

function checking(label: string, want: { sha256: string; size: number }): Transform {
  const hash = createHash('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      const got = hash.digest('hex');
      if (got !== want.sha256 || size !== want.size) done(new SafeUpgradeError('VerifyFailed', `${label}: sha256 ${got.slice(0, 12)}… size ${size}, expected ${want.sha256.slice(0, 12)}… size ${want.size}`));
      else done();
    },
  });
}

/** Errors of writing into the management folder. */
const LOCAL_DISK_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EIO']);

function pullFailure(display: string, dir: string, error: unknown): SafeUpgradeError {
  if (error instanceof SafeUpgradeError) return error;
  if (error instanceof RegistryError && error.unauthorized) {
    return new SafeUpgradeError('Environment', `pull from ${display} refused: ${error.message}`, { hint: display.startsWith('s3://') ? 'check the AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, …) and the bucket policy' : 'log in to the registry (docker login / oras login) or fix DOCKER_CONFIG' });
  }
  if (error instanceof AgeError) {
    return new SafeUpgradeError('VerifyFailed', `cannot decrypt the set from ${display}: ${printable(error.message)}`, { hint: 'pass --identity with the age identity of one of the recipients the set was pushed to' });
  }
  // The admin machine's own disk (full, read-only, not ours), not the remote.
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && LOCAL_DISK_ERRORS.has(code)) {
    return new SafeUpgradeError('Environment', `pull into ${printable(dir)} failed: ${printable((error as Error).message)}`, { hint: 'nothing of the set was kept; make room or fix the folder, or pull into another --dir' });
  }
  return new SafeUpgradeError('Environment', `pull from ${display} failed: ${printable((error as Error).message ?? String(error))}`, { hint: 'check the registry or bucket is reachable, then pull again' });
}

/**
 * Brings a pushed set back into `dir`: every file downloaded into `<set>.partial`, its stored sha256 checked,
 * decrypted, its plaintext sha256 checked, then the whole set verified against its own manifest, then renamed
 * into place. An existing set (or `.partial`) of that name is refused; a failed pull leaves nothing behind.
 */
export async function pullSet(options: PullOptions): Promise<PullResult> {
  const { store, set } = options;
  const name = parseBackupDirName(set);
  if (!name || name.suffix !== '') throw new UsageError(`${JSON.stringify(printable(set))} is not the name of a backup set (<cluster>-backup-<timestamp>)`, { hint: 'see eksa-safe-upgrade backups list --remote URL' });
  const finalDir = path.join(options.dir, set);
  const partialDir = `${finalDir}${PARTIAL_SUFFIX}`;
  const exists = await lstat(finalDir).then(() => true, () => false);
  if (exists) throw new UsageError(`${printable(finalDir)} already exists: a pull never overwrites a set`, { hint: 'verify the one there (eksa-safe-upgrade verify), or pull into another --dir' });
  let created = false;
  const interrupt = () => store.close();
  options.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    await store.open();
    const found = await store.manifest(set);
    if (!found) throw new UsageError(`${store.display} has no set named ${printable(set)}`, { hint: `see eksa-safe-upgrade backups list --remote ${store.display}` });
    const { remote, reference } = found;
    if (remote.set !== set) throw new SafeUpgradeError('VerifyFailed', `the set tagged ${printable(set)} says it is ${printable(remote.set)}`);
    const encrypted = remote.encryption.format === 'age';
    if (encrypted && options.identities.length === 0) {
      throw new UsageError(`${printable(set)} is encrypted (age) to ${remote.encryption.format === 'age' ? printable(remote.encryption.recipients.join(', ')) : ''}`, { hint: 'pass --identity FILE with the age identity of one of those recipients' });
    }
    // The room first: a pull that fills the disk halfway helps no one. The files' plaintext, and a margin for
    // the folder's metadata (the pack is read through, never kept).
    const needed = remote.files.reduce((n, f) => n + f.size, 0) + 1024 * 1024;
    const stats = await statfs(options.dir).catch(() => undefined);
    const free = stats ? Number(stats.bavail) * Number(stats.bsize) : Number.POSITIVE_INFINITY;
    if (free < needed) {
      throw new SafeUpgradeError('Environment', `not enough room to pull ${printable(set)} into ${printable(options.dir)}: ${formatBytes(needed)} needed, ${formatBytes(free)} free`, { hint: `free ${formatBytes(needed - free)} there, or pull into another --dir` });
    }
    await createSetDir(partialDir);
    created = true;
    // Each file: its stored bytes checked, decrypted, its plaintext checked, written into the .partial folder.
    const bring = async (f: RemoteFile, source: Readable) => {
      const target = path.join(partialDir, f.path);
      await privateDir(path.dirname(target));
      const handle = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      const stages: NodeJS.ReadWriteStream[] = [checking(`stored ${f.path}`, f.stored)];
      if (encrypted) stages.push(decryptStream(options.identities));
      stages.push(checking(f.path, f));
      await pipeline([source, ...stages, createWriteStream('', { fd: handle })] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream]);
      options.progress?.(`pulled ${printable(f.path)} (${f.size} bytes)`);
    };
    const layout = packedFiles(remote);
    if ('problem' in layout) throw new SafeUpgradeError('VerifyFailed', `the set at ${store.display} is not laid out as this tool writes sets: ${printable(layout.problem)}`, { hint: 'the copy at the remote is damaged or not this tool\'s; try another set' });
    for (const f of remote.files) if (f.stored.offset === undefined) await bring(f, await store.getFile(set, f.path, f.stored));
    if (remote.pack && layout.files.length > 0) {
      // One pass over the pack: each file taken at its offset, the whole pack checked against its digest.
      const download = streamPipeline(await store.getPack(set, remote.pack), checking('the pack of small files', remote.pack), () => undefined);
      const reader = new ByteReader(download);
      try {
        for (const f of layout.files) {
          await reader.skip(f.stored.offset! - reader.position);
          await bring(f, Readable.from([await reader.read(f.stored.size)]));
        }
        await reader.rest();
      } catch (error) {
        download.destroy();
        if (error instanceof TruncatedError) throw new SafeUpgradeError('VerifyFailed', `the pack of small files at ${store.display} is shorter than its manifest says: ${error.message}`);
        throw error;
      }
    }
    const verified = await verifyBackupSet(partialDir);
    if (!verified.ok) throw new SafeUpgradeError('VerifyFailed', `the pulled set does not verify: ${printable(verified.problems.join('; '))}`, { hint: 'the copy at the remote is damaged or not this tool\'s; try another set' });
    await rename(partialDir, finalDir);
    created = false;
    await writeVerificationRecord(finalDir, { ...verified, dir: finalDir }, options.now());
    return { dir: finalDir, reference, encrypted, files: remote.files.length };
  } catch (error) {
    if (options.signal?.aborted) throw new SafeUpgradeError('Interrupted', `interrupted: ${printable(set)} was not pulled${created ? `; ${printable(partialDir)} was removed` : ''}`, { hint: 'pull again' });
    throw pullFailure(store.display, options.dir, error);
  } finally {
    options.signal?.removeEventListener('abort', interrupt);
    if (created) await rm(partialDir, { recursive: true, force: true });
    store.close();
  }
}
