import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { listFiles, openInside, readTextInside, refusalOf } from '../backup/digest.js';
import { MANIFEST_FILE, parseManifest, type BackupManifest } from '../backup/manifest.js';
import { verifyBackupSet } from '../backup/verify-set.js';
import { mapLimit } from '../map-limit.js';
import { SafeUpgradeError, printable } from '../errors.js';
import { REMOTE_MANIFEST_VERSION, type RemoteManifest } from './artifact.js';
import { encryptStream } from './age-stream.js';
import { encryptFile, readableOf } from './age-file.js';
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

/** Files up to this size are read whole and sent in one request; larger ones stream with constant memory. */
const SMALL_FILE = 1024 * 1024;
/** Files sent at once: each small file is a few round trips to the registry, and they overlap. */
const PUSH_CONCURRENCY = 4;

/** A failed push: exit 7 (the backup did not get off the machine), or 3 when the registry refused our credentials. */
export function pushFailure(display: string, error: unknown): SafeUpgradeError {
  if (error instanceof SafeUpgradeError) return error;
  if (error instanceof RegistryError && error.unauthorized) {
    return new SafeUpgradeError('Environment', `push to ${display} refused: ${error.message}`, { hint: display.startsWith('s3://') ? 'check the AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, …) and the bucket policy' : 'log in to the registry (docker login / oras login) or fix DOCKER_CONFIG, then push again' });
  }
  const message = printable((error as Error).message ?? String(error));
  return new SafeUpgradeError('BackupFailed', `push to ${display} failed: ${message}`, { hint: 'nothing was tagged there; fix the cause and run eksa-safe-upgrade backups push again' });
}

/**
 * Copies one complete, verified set to the store: every file sent (encrypted as it goes when there are
 * recipients) and hashed as it is read, then the set verified with those very digests (every file against the
 * manifest, the object graph), then the remote manifest, last, so a set that is there is whole and is what was
 * verified. A set that does not verify is never tagged; one already there under this name is refused, never
 * overwritten.
 */
export async function pushSet(options: PushOptions): Promise<PushRecord> {
  const started = Date.now();
  const { setDir, store } = options;
  const name = path.basename(setDir);
  const refuse = (problems: string) => new SafeUpgradeError('VerifyFailed', `${printable(name)} does not verify, so it is not pushed: ${printable(problems)}`, { hint: `see eksa-safe-upgrade verify ${printable(setDir)}` });
  // A set that is not complete is refused before anything is sent.
  const text = await readTextInside(setDir, MANIFEST_FILE);
  if (!('text' in text)) throw refuse(`its ${MANIFEST_FILE} ${refusalOf(text)}`);
  let state: string;
  try {
    state = parseManifest(text.text).state;
  } catch (error) {
    throw refuse(`its ${MANIFEST_FILE} does not parse (${(error as Error).message.split('\n')[0]})`);
  }
  if (state !== 'complete') throw refuse(`the manifest says the set is ${state}`);
  try {
    await store.open();
    if (await store.has(name)) {
      throw new SafeUpgradeError('BackupFailed', `${store.display} already has a set named ${printable(name)}: refused, a pushed set is never overwritten`, { hint: 'pull it to compare, or remove it there first' });
    }
    const encrypted = options.recipients.length > 0;
    // A few files at once: a set is mostly small files, and each costs the registry a few round trips.
    const files = await mapLimit(await listFiles(setDir), PUSH_CONCURRENCY, async (rel) => {
      // Only a regular file inside the set is read (no symlink, FIFO or device), as verification reads them.
      const opened = await openInside(setDir, rel);
      if (!('handle' in opened)) throw refuse(`${rel} ${refusalOf(opened)}`);
      const { handle } = opened;
      let sent: { stored: Stored; plain: { sha256: string; size: number } };
      if ((await handle.stat()).size <= SMALL_FILE) {
        // Read whole and sent in one request: its digest is known before the upload starts.
        let bytes: Buffer;
        try {
          bytes = await handle.readFile();
        } finally {
          await handle.close();
        }
        const plain = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
        const body = encrypted ? Buffer.concat(await Readable.from([bytes]).pipe(await encryptStream(options.recipients)).toArray()) : bytes;
        sent = { stored: await store.putFile(name, rel, encrypted, body), plain };
      } else if (encrypted) {
        // Read into reused buffers, sealed and hashed as read, sent without a stream pipeline between (age-file.ts).
        let body: Readable | undefined;
        let cause: unknown;
        try {
          const file = await encryptFile(handle, options.recipients, rel);
          body = readableOf(file.batches);
          body.once('error', (error) => (cause = error));
          sent = { stored: await store.putFile(name, rel, encrypted, body), plain: file.plain() };
        } catch (error) {
          // A read that failed or found the file changed ends the upload: that is the cause, not the hang-up it made.
          throw cause ?? error;
        } finally {
          // Ends the reads before the handle closes, when the store gave up on the body.
          body?.destroy();
          await handle.close();
        }
      } else {
        const source = createReadStream('', { fd: handle, highWaterMark: 1024 * 1024 });
        // Plaintext goes out as it is: the store's digest of what it sent is the plaintext's.
        const stored = await store.putFile(name, rel, encrypted, source);
        sent = { stored, plain: { sha256: stored.sha256, size: stored.size } };
      }
      options.progress?.(`pushed ${printable(rel)} (${sent.plain.size} bytes${encrypted ? ', encrypted' : ''})`);
      return { ...sent.stored, path: rel, encrypted, plain: sent.plain };
    });
    // Verified with the digests of the bytes that were sent: a file changed before or during the push fails here.
    const verified = await verifyBackupSet(setDir, { known: new Map(files.map((f) => [f.path, f.plain])) });
    if (!verified.ok || !verified.manifest) throw refuse(`${verified.problems.join('; ')}; nothing was tagged at ${store.display}`);
    const manifest: BackupManifest = verified.manifest;
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
