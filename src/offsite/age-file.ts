// A whole file encrypted to age (https://age-encryption.org/v1), as `backups push --encrypt-to` sends its large
// files: the fast path beside the general encryptStream (age-stream.ts), which is for bytes of unknown length.
//
// Where the time went in a stream pipeline (bench/push.mjs, 256 MiB): a fresh 1 MiB buffer per read (page
// faults), the sealed chunks concatenated once more, and a Transform between two streams. Here the file is read
// into three reused buffers with up to two reads in flight while the current one is sealed, the sealed chunks
// go out as they are, one batch per read, and the plaintext's sha256 is computed on a second core from those
// same buffers (sha256-thread.ts) instead of costing this thread as much as the cipher does.
//
// The size taken at open says which chunk is the last (age-chunks.ts chunksOfRead), so no chunk is held back;
// the reads then prove the size held: a file that ends early or has more bytes after it fails, rather than
// give a short ciphertext that decrypts cleanly with its last-chunk flag on the wrong chunk.
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { chunksOfRead, readCount, readSpan } from './age-chunks.js';
import { AgeError, newHeader, sealParts } from './age-stream.js';
import { ThreadSha256 } from './sha256-thread.js';

/** Bytes per read: a multiple of the 64 KiB chunk, so only the file's last read ends mid-chunk. */
const READ = 1024 * 1024;
/** Read buffers: the one being sealed and hashed, and two more for the reads in flight meanwhile. */
const BUFFERS = 3;

/** The file's size changed while it was encrypted. */
export class FileChangedError extends AgeError {}

export interface EncryptedFile {
  /** The age file: the header and nonce, then the sealed chunks of each read, as batches of buffers. */
  readonly batches: AsyncIterable<readonly Buffer[]>;
  /** sha256 and size of the plaintext encrypted; throws until every batch has been taken. */
  plain(): { sha256: string; size: number };
}

/** Reads exactly `length` bytes at `offset`, or fails: fewer means the file shrank after it was opened. */
async function readExactly(handle: FileHandle, into: Buffer, offset: number, length: number, changed: (at: number) => Error): Promise<void> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(into, got, length - got, offset + got);
    if (bytesRead === 0) throw changed(offset + got);
    got += bytesRead;
  }
}

/**
 * Encrypts the file open on `handle` (from its start; the caller closes it after the batches) to `recipients`,
 * in constant memory: three 1 MiB buffers, plus the batches the consumer has not taken yet.
 * `name` is for the error of a file that changes size.
 */
export async function encryptFile(handle: FileHandle, recipients: readonly string[], name: string): Promise<EncryptedFile> {
  if (recipients.length === 0) throw new AgeError('no recipients');
  const { headerAndNonce, key } = await newHeader(recipients);
  const size = (await handle.stat()).size;
  let plain: { sha256: string; size: number } | undefined;
  const changed = (detail: string) => new FileChangedError(`${name} changed size while it was encrypted: ${size} bytes when opened, ${detail}`);

  async function* batches(): AsyncGenerator<readonly Buffer[]> {
    const hash = new ThreadSha256();
    const buffers = Array.from({ length: BUFFERS }, () => Buffer.from(new SharedArrayBuffer(READ)));
    // Per buffer: its read in flight, and the hashing of what it holds (the next read into it waits for that).
    const reads: (Promise<void> | undefined)[] = Array(BUFFERS);
    const hashed: (Promise<void> | undefined)[] = Array(BUFFERS);
    const count = readCount(size, READ);
    const start = (index: number) => {
      const slot = index % BUFFERS;
      const { offset, length } = readSpan(index, size, READ);
      const before = hashed[slot];
      const read = (async () => {
        await before;
        await readExactly(handle, buffers[slot]!, offset, length, (at) => changed(`then it ended at ${at}`));
      })();
      // Awaited in turn below; marked handled now, so a failure while an earlier one is awaited is not unhandled.
      read.catch(() => undefined);
      reads[slot] = read;
    };
    let done = false;
    try {
      yield [headerAndNonce];
      for (let index = 0; index < Math.min(BUFFERS - 1, count); index++) start(index);
      for (let index = 0; index < count; index++) {
        const slot = index % BUFFERS;
        await reads[slot];
        const { offset, length } = readSpan(index, size, READ);
        const bytes = buffers[slot]!.subarray(0, length);
        const update = hash.update(bytes);
        update.catch(() => undefined);
        hashed[slot] = update;
        if (index + BUFFERS - 1 < count) start(index + BUFFERS - 1);
        const sealed: Buffer[] = [];
        for (const chunk of chunksOfRead(offset, length, size)) sealed.push(...sealParts(key, chunk.counter, chunk.last, bytes.subarray(chunk.start, chunk.end)));
        if (index === count - 1) {
          // Nothing may follow the last byte: a file that grew would be cut short here, and look whole.
          const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, size);
          if (bytesRead > 0) throw changed('then it had more');
          plain = { sha256: await hash.digest(), size };
          done = true;
        }
        yield sealed;
      }
    } finally {
      if (!done) hash.drop();
      // No read into these buffers outlives the generator: the caller closes the handle next.
      await Promise.allSettled([...reads, ...hashed]);
    }
  }

  return {
    batches: batches(),
    plain() {
      if (!plain) throw new AgeError(`${name} was not read to its end`);
      return plain;
    },
  };
}

/**
 * The batches as a Readable, for the stores' HTTP bodies: each batch's buffers pushed as they are (no
 * concatenation: a 1 MiB copy into a fresh buffer per read was part of the old cost), the next batch asked for
 * when the consumer wants more. Destroying it ends the batches, so their reads stop before the handle closes.
 */
export function readableOf(batches: AsyncIterable<readonly Buffer[]>): Readable {
  const iterator = batches[Symbol.asyncIterator]();
  return new Readable({
    read() {
      const next = (): void => {
        iterator.next().then(
          (r) => {
            if (r.done) return void this.push(null);
            if (r.value.length === 0) return next();
            for (const buffer of r.value) this.push(buffer);
          },
          (error: Error) => this.destroy(error),
        );
      };
      next();
    },
    destroy(error, callback) {
      iterator.return?.(undefined).then(
        () => callback(error),
        (e: Error) => callback(error ?? e),
      ) ?? callback(error);
    },
  });
}
