import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { Transform, pipeline, type Readable } from 'node:stream';
import { listFiles } from '../backup/digest.js';
import { MANIFEST_FILE, type BackupManifest } from '../backup/manifest.js';
import { verifyBackupSet } from '../backup/verify-set.js';
import { SafeUpgradeError, printable } from '../errors.js';
import { REMOTE_MANIFEST_VERSION, type RemoteManifest } from './artifact.js';
import { encryptStream } from './age-stream.js';
import { RegistryError } from './oci-client.js';
import type { OffsiteStore, Stored } from './store.js';

/** What the manifest and the evidence record of a push: URL without credentials, digest, time, encryption. */
export interface PushRecord {
  readonly url: string;
  readonly reference: string;
  readonly durationMs: number;
  readonly encrypted: boolean;
  readonly recipients: readonly string[];
  readonly files: number;
  readonly bytes: number;
}

export interface PushOptions {
  readonly setDir: string;
  readonly store: OffsiteStore;
  /** age recipients; empty means plaintext, which the caller allowed explicitly. */
  readonly recipients: readonly string[];
  readonly toolVersion: string;
  readonly now: () => Date;
  readonly progress?: (line: string) => void;
}

/** A failed push: exit 7 (the backup did not get off the machine), or 3 when the registry refused our credentials. */
export function pushFailure(display: string, error: unknown): SafeUpgradeError {
  if (error instanceof SafeUpgradeError) return error;
  if (error instanceof RegistryError && error.unauthorized) {
    return new SafeUpgradeError('Environment', `push to ${display} refused: ${error.message}`, { hint: display.startsWith('s3://') ? 'check the AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, …) and the bucket policy' : 'log in to the registry (docker login / oras login) or fix DOCKER_CONFIG, then push again' });
  }
  const message = printable((error as Error).message ?? String(error));
  return new SafeUpgradeError('BackupFailed', `push to ${display} failed: ${message}`, { hint: 'nothing was tagged there; fix the cause and run eksa-safe-upgrade backups push again' });
}

/** sha256 and size of what streams through, for the plaintext side of a file. */
function hashing(into: { sha256?: string; size: number }): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      into.size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      into.sha256 = hash.digest('hex');
      done();
    },
  });
}

/**
 * Copies one complete, verified set to the store: every file streamed (encrypted as it goes when there are
 * recipients), then the remote manifest, last, so a set that is there is whole. A set already there under
 * this name is refused, never overwritten.
 */
export async function pushSet(options: PushOptions): Promise<PushRecord> {
  const started = Date.now();
  const { setDir, store } = options;
  const name = path.basename(setDir);
  const verified = await verifyBackupSet(setDir);
  if (!verified.ok || !verified.manifest) {
    throw new SafeUpgradeError('VerifyFailed', `${printable(name)} does not verify, so it is not pushed: ${printable(verified.problems.join('; '))}`, { hint: `see eksa-safe-upgrade verify ${printable(setDir)}` });
  }
  const manifest: BackupManifest = verified.manifest;
  const expected = new Map(manifest.files.map((f) => [f.path, f]));
  try {
    await store.open();
    if (await store.has(name)) {
      throw new SafeUpgradeError('BackupFailed', `${store.display} already has a set named ${printable(name)}: refused, a pushed set is never overwritten`, { hint: 'pull it to compare, or remove it there first' });
    }
    const encrypted = options.recipients.length > 0;
    const files: (Stored & { path: string; encrypted: boolean; plain: { sha256: string; size: number } })[] = [];
    for (const rel of await listFiles(setDir)) {
      // Opened without following a symlink: verification just checked each is a regular file of the set.
      const handle = await open(path.join(setDir, rel), constants.O_RDONLY | constants.O_NOFOLLOW);
      const plain: { sha256?: string; size: number } = { size: 0 };
      const source = createReadStream('', { fd: handle, highWaterMark: 1024 * 1024 });
      const stages: NodeJS.ReadWriteStream[] = [hashing(plain)];
      if (encrypted) stages.push(await encryptStream(options.recipients));
      // pipeline destroys every stage on the first error: a read or encryption failure ends the upload.
      const body = pipeline([source, ...stages] as unknown as [NodeJS.ReadableStream, NodeJS.ReadWriteStream], () => undefined) as unknown as Readable;
      const stored = await store.putFile(name, rel, encrypted, body);
      const want = expected.get(rel);
      // The file changed between verification and upload: what went out is not what the manifest vouches for.
      if (want && (want.sha256 !== plain.sha256 || want.size !== plain.size)) {
        throw new SafeUpgradeError('BackupFailed', `${printable(rel)} of ${printable(name)} changed while it was pushed`, { hint: 'verify the set, then push again' });
      }
      files.push({ ...stored, path: rel, encrypted, plain: { sha256: plain.sha256!, size: plain.size } });
      options.progress?.(`pushed ${printable(rel)} (${plain.size} bytes${encrypted ? ', encrypted' : ''})`);
    }
    if (!files.some((f) => f.path === MANIFEST_FILE)) throw new SafeUpgradeError('BackupFailed', `${printable(name)} has no ${MANIFEST_FILE}`);
    const remote: RemoteManifest = {
      schemaVersion: REMOTE_MANIFEST_VERSION,
      tool: { name: 'eksa-safe-upgrade', version: options.toolVersion },
      set: name,
      cluster: manifest.spec.cluster,
      managementCluster: manifest.managementCluster,
      scope: manifest.scope.kind,
      clusters: manifest.scope.clusters,
      createdAt: manifest.createdAt,
      pushedAt: options.now().toISOString(),
      encryption: encrypted ? { format: 'age', recipients: [...options.recipients] } : { format: 'none' },
      files: files.map((f) => ({ path: f.path, size: f.plain.size, sha256: f.plain.sha256, stored: { size: f.size, sha256: f.sha256 } })),
    };
    const reference = await store.commit(name, remote, files);
    return {
      url: store.display,
      reference,
      durationMs: Date.now() - started,
      encrypted,
      recipients: [...options.recipients],
      files: files.length,
      bytes: files.reduce((n, f) => n + f.size, 0),
    };
  } catch (error) {
    throw pushFailure(store.display, error);
  } finally {
    store.close();
  }
}
