import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { listFiles, openInside, readTextInside, refusalOf } from '../backup/digest.js';
import { MANIFEST_FILE, parseManifest, type BackupManifest } from '../backup/manifest.js';
import { verifyBackupSet } from '../backup/verify-set.js';
import { mapLimit } from '../map-limit.js';
import { SafeUpgradeError, printable } from '../errors.js';
import { PACKED_MAX, REMOTE_MANIFEST_VERSION, type RemoteManifest } from './artifact.js';
import { encryptStream } from './age-stream.js';
import { encryptFile, readableOf } from './age-file.js';
import { RegistryError, digestRefused } from './oci-client.js';
import type { OffsiteStore, Stored } from './store.js';
import { TAR_END, tarFileHeader, tarPadding } from './tar-pack.js';

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
  /** Ctrl-C (SIGINT/SIGTERM/SIGHUP): the transfers stop, and nothing is tagged that was not already. */
  readonly signal?: AbortSignal;
}

/** Large files sent at once, beside the pack. */
const PUSH_CONCURRENCY = 4;

/** One file as pushed: how it is stored and the digest of its plaintext. */
type Pushed = Stored & { path: string; encrypted: boolean; plain: { sha256: string; size: number } };

/** A failed push: exit 7 (the backup did not get off the machine), or 3 when the registry refused our credentials. */
export function pushFailure(display: string, error: unknown): SafeUpgradeError {
  if (error instanceof SafeUpgradeError) return error;
  if (error instanceof RegistryError && error.unauthorized) {
    return new SafeUpgradeError('Environment', `push to ${display} refused: ${error.message}`, { hint: display.startsWith('s3://') ? 'check the AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE, …) and the bucket policy' : 'log in to the registry (docker login / oras login) or fix DOCKER_CONFIG, then push again' });
  }
  const message = printable((error as Error).message ?? String(error));
  return new SafeUpgradeError('BackupFailed', `push to ${display} failed: ${message}`, { hint: 'nothing was tagged there; fix the cause and run eksa-safe-upgrade backups push again' });
}

/** A small file's bytes, read whole; one that grew past the size it had when opened is refused. */
async function readSmall(setDir: string, rel: string, refuse: (problem: string) => Error): Promise<Buffer> {
  const opened = await openInside(setDir, rel);
  if (!('handle' in opened)) throw refuse(`${rel} ${refusalOf(opened)}`);
  const { handle } = opened;
  try {
    const size = (await handle.stat()).size;
    if (size > PACKED_MAX) throw refuse(`${rel} grew to ${size} bytes while the set was pushed`);
    // One byte more than its size: reading it means the file is growing under us.
    const bytes = Buffer.allocUnsafe(size + 1);
    let length = 0;
    for (let r = 1; r > 0 && length < bytes.length; length += r) r = (await handle.read(bytes, length, bytes.length - length, length)).bytesRead;
    if (length > size) throw refuse(`${rel} grew while the set was pushed`);
    return bytes.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/**
 * The small files as one pack (a tar, tar-pack.ts), streamed to the store: each file read whole, hashed,
 * encrypted on its own when there are recipients (so each has its own ciphertext and digest), and placed at
 * the offset the remote manifest records. What made the pack fail (a refused file) is what the push reports,
 * not the upload that it cut short.
 */
async function pushPack(options: PushOptions & { name: string; encrypted: boolean; mtime: number; files: readonly string[]; refuse: (problem: string) => Error }): Promise<{ stored: Stored; files: Pushed[] }> {
  const pushed: Pushed[] = [];
  let failure: unknown;
  async function* tar(): AsyncGenerator<Buffer> {
    try {
      let offset = 0;
      for (const rel of options.files) {
        const bytes = await readSmall(options.setDir, rel, options.refuse);
        const plain = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
        const stored = options.encrypted ? Buffer.concat(await Readable.from([bytes]).pipe(await encryptStream(options.recipients)).toArray()) : bytes;
        const header = tarFileHeader(options.encrypted ? `${rel}.age` : rel, stored.length, options.mtime);
        offset += header.length;
        pushed.push({ path: rel, encrypted: options.encrypted, plain, sha256: createHash('sha256').update(stored).digest('hex'), size: stored.length, offset });
        const padding = tarPadding(stored.length);
        offset += stored.length + padding.length;
        yield Buffer.concat([header, stored, padding]);
        options.progress?.(`pushed ${printable(rel)} (${plain.size} bytes${options.encrypted ? ', encrypted' : ''})`);
      }
      yield TAR_END;
    } catch (error) {
      failure = error;
      throw error;
    }
  }
  try {
    return { stored: await options.store.putPack(options.name, Readable.from(tar())), files: pushed };
  } catch (error) {
    throw failure ?? error;
  }
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
  let createdAt: string;
  let listedDigests: Map<string, Stored>;
  try {
    const parsed = parseManifest(text.text);
    ({ state, createdAt } = parsed);
    listedDigests = new Map(parsed.files.map((f) => [f.path, { sha256: f.sha256, size: f.size }]));
  } catch (error) {
    throw refuse(`its ${MANIFEST_FILE} does not parse (${(error as Error).message.split('\n')[0]})`);
  }
  if (state !== 'complete') throw refuse(`the manifest says the set is ${state}`);
  // An interruption closes the store's connections: every transfer in flight fails, and the tag is not written.
  const interrupt = () => store.close();
  options.signal?.addEventListener('abort', interrupt, { once: true });
  let tagging = false;
  try {
    await store.open();
    if (await store.has(name)) {
      throw new SafeUpgradeError('BackupFailed', `${store.display} already has a set named ${printable(name)}: refused, a pushed set is never overwritten`, { hint: 'pull it to compare, or remove it there first' });
    }
    const encrypted = options.recipients.length > 0;
    const mtime = Math.floor((Date.parse(createdAt) || 0) / 1000);
    // The small files (by their size now; a file that grows past it while read is refused) go in the pack,
    // the others (etcd snapshots) each on their own, streamed, a few at once beside the pack.
    const listed = await listFiles(setDir);
    const small = await mapLimit(listed, 16, async (rel) => {
      const info = await lstat(path.join(setDir, rel)).catch(() => undefined);
      return info !== undefined && info.isFile() && info.size <= PACKED_MAX;
    });
    const packed = listed.filter((_rel, i) => small[i]);
    const alone = listed.filter((_rel, i) => !small[i]);
    const pack = packed.length > 0 ? pushPack({ ...options, name, encrypted, mtime, files: packed, refuse }) : Promise.resolve(undefined);
    const streamed = mapLimit(alone, PUSH_CONCURRENCY, async (rel): Promise<Pushed> => {
      // Only a regular file inside the set is read (no symlink, FIFO or device), as verification reads them.
      const opened = await openInside(setDir, rel);
      if (!('handle' in opened)) throw refuse(`${rel} ${refusalOf(opened)}`);
      const { handle } = opened;
      let sent: { stored: Stored; plain: { sha256: string; size: number } };
      if (encrypted) {
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
        // Plaintext goes out as it is, with the digest the manifest lists: a store that checks digests (a registry)
        // is told it, and refuses the file when what was read differs. The store's digest of what it sent is the
        // plaintext's.
        const source = createReadStream('', { fd: handle, highWaterMark: 1024 * 1024 });
        const known = listedDigests.get(rel);
        const stored = await store.putFile(name, rel, encrypted, source, known).catch((error: unknown) => {
          throw known && digestRefused(error) ? refuse(`${rel} does not match its sha256 in the manifest (the registry found another digest in what was read)`) : error;
        });
        sent = { stored, plain: { sha256: stored.sha256, size: stored.size } };
      }
      options.progress?.(`pushed ${printable(rel)} (${sent.plain.size} bytes${encrypted ? ', encrypted' : ''})`);
      return { ...sent.stored, path: rel, encrypted, plain: sent.plain };
    });
    const [packResult, alonePushed] = await Promise.all([pack, streamed]);
    const files = [...(packResult?.files ?? []), ...alonePushed].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
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
      files: files.map((f) => ({ path: f.path, size: f.plain.size, sha256: f.plain.sha256, stored: { size: f.size, sha256: f.sha256, ...(f.offset === undefined ? {} : { offset: f.offset }) } })),
      ...(packResult ? { pack: packResult.stored } : {}),
    };
    if (options.signal?.aborted) throw new Error('interrupted');
    tagging = true;
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
    if (options.signal?.aborted) {
      throw new SafeUpgradeError('Interrupted', `interrupted: ${tagging ? `the tag of ${printable(name)} may or may not have been written at ${store.display}` : `nothing was tagged at ${store.display}`}`, {
        hint: tagging ? `see eksa-safe-upgrade backups list --remote ${store.display}` : 'the blobs already sent belong to no tag (the registry\'s garbage collection removes them); push again',
      });
    }
    throw pushFailure(store.display, error);
  } finally {
    options.signal?.removeEventListener('abort', interrupt);
    store.close();
  }
}
