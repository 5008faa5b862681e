// The cutting of a byte stream into age STREAM chunks (https://age-encryption.org/v1, "payload"): 64 KiB each,
// the last one possibly shorter and flagged as last in its nonce. Only the end of the input says which chunk is
// the last, so one chunk is always held back, as age's own writer does (filippo.io/age internal/stream:
// Writer.Write seals a full chunk as not-last only once a byte follows it, Writer.Close seals what is left as
// last), so the last chunk is empty only when the whole input is. No cipher here: the cutting is table-tested.

export const CHUNK = 64 * 1024;
/** Poly1305's tag after each chunk's ciphertext. */
export const TAG = 16;

/**
 * The nonce of chunk `counter`: an 11-byte big-endian counter, then 1 for the last chunk. A number, not a
 * bigint: 2^53 chunks of 64 KiB is far beyond any file, and the top three bytes stay 0.
 */
export function streamNonce(counter: number, last: boolean, into: Buffer = Buffer.alloc(12)): Buffer {
  into.fill(0, 0, 3);
  into.writeUInt32BE(Math.floor(counter / 0x100000000), 3);
  into.writeUInt32BE(counter >>> 0, 7);
  into[11] = last ? 1 : 0;
  return into;
}

/**
 * Cuts a stream into chunks of `size` bytes (CHUNK of plaintext to encrypt; CHUNK + TAG of ciphertext to
 * decrypt), holding the last one back until the end.
 */
export class ChunkSplitter {
  readonly #size: number;
  // The chunk held back: a partial one being filled, or a full one waiting for a byte that proves it is not last.
  readonly #held: Buffer;
  #heldLength = 0;

  constructor(size = CHUNK) {
    this.#size = size;
    this.#held = Buffer.allocUnsafeSlow(size);
  }

  /**
   * Hands `chunk` every chunk that `input` completes and that more bytes follow, in order. What it hands is a
   * subarray of `input` or the held buffer: valid only during the call (the held buffer is reused).
   * Nothing of `input` is kept after the call but a copy of its tail (less than one chunk, or exactly one).
   */
  push(input: Buffer, chunk: (plain: Buffer) => void): void {
    if (input.length === 0) return;
    const size = this.#size;
    let offset = 0;
    if (this.#heldLength > 0) {
      // Fill the held chunk from the head of the input; it goes once a byte follows it.
      offset = Math.min(size - this.#heldLength, input.length);
      input.copy(this.#held, this.#heldLength, 0, offset);
      this.#heldLength += offset;
      if (this.#heldLength < size || offset === input.length) return;
      chunk(this.#held);
      this.#heldLength = 0;
    }
    // Full chunks straight from the input, while more bytes follow each.
    while (input.length - offset > size) {
      chunk(input.subarray(offset, offset + size));
      offset += size;
    }
    this.#heldLength = input.copy(this.#held, 0, offset);
  }

  /** The last chunk: what is held (empty only when no byte was ever pushed). Valid until the next push. */
  end(): Buffer {
    const last = this.#held.subarray(0, this.#heldLength);
    this.#heldLength = 0;
    return last;
  }
}

/** The chunks of a `size`-byte plaintext: one per 64 KiB begun, and one empty chunk for an empty input. */
export function chunkCount(size: number): number {
  return readCount(size, CHUNK);
}

/** The reads of a `size`-byte file in pieces of `readSize` bytes: one per piece begun, one empty read for an empty file. */
export function readCount(size: number, readSize: number): number {
  return Math.max(1, Math.ceil(size / readSize));
}

/** Where read `index` of a `size`-byte file read in pieces of `readSize` bytes starts, and how long it is. */
export function readSpan(index: number, size: number, readSize: number): { offset: number; length: number } {
  const offset = index * readSize;
  return { offset, length: Math.max(0, Math.min(readSize, size - offset)) };
}

/** One chunk of a read: bytes [start, end) of the read's buffer, its STREAM counter, and whether it is the last. */
export interface ChunkSpan {
  readonly start: number;
  readonly end: number;
  readonly counter: number;
  readonly last: boolean;
}

/**
 * The chunks of the `length` bytes read at `offset` of a plaintext whose size is known before it is read (a
 * file's size at open; the reads check that it holds). Known, the size says which chunk is the last without
 * holding one back: the one that holds the last byte (a full 64 KiB one when the size is a multiple of 64 KiB,
 * never followed by an empty one), or the one empty chunk of an empty input, as age writes them.
 * Reads start on a chunk boundary and only the read that ends the file ends mid-chunk.
 */
export function chunksOfRead(offset: number, length: number, size: number): ChunkSpan[] {
  if (offset % CHUNK !== 0) throw new RangeError(`a read at ${offset} does not start on a chunk boundary`);
  if (offset + length > size) throw new RangeError(`a read of ${length} bytes at ${offset} goes past the end (${size})`);
  if (length % CHUNK !== 0 && offset + length !== size) throw new RangeError(`a read of ${length} bytes at ${offset} ends mid-chunk before the end (${size})`);
  const last = chunkCount(size) - 1;
  const first = offset / CHUNK;
  if (size === 0) return [{ start: 0, end: 0, counter: 0, last: true }];
  const spans: ChunkSpan[] = [];
  for (let start = 0; start < length; start += CHUNK) {
    const counter = first + start / CHUNK;
    spans.push({ start, end: Math.min(start + CHUNK, length), counter, last: counter === last });
  }
  return spans;
}
