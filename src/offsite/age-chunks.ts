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

  /** Bytes held back now (at most one chunk). */
  get held(): number {
    return this.#heldLength;
  }

  /** The last chunk: what is held (empty only when no byte was ever pushed). Valid until the next push. */
  end(): Buffer {
    const last = this.#held.subarray(0, this.#heldLength);
    this.#heldLength = 0;
    return last;
  }
}
