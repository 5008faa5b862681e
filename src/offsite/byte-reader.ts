// Reads a byte stream by lengths: skip so many bytes, then take exactly so many. The pull takes each packed
// file out of the pack this way, by the offsets of the remote manifest, in one pass over the download.

export class TruncatedError extends Error {}

export class ByteReader {
  readonly #source: AsyncIterator<Buffer>;
  #held: Buffer = Buffer.alloc(0);
  #position = 0;
  #ended = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** Bytes consumed so far (skipped or read). */
  get position(): number {
    return this.#position;
  }

  /** More bytes into `#held`; false at the end of the stream. */
  async #more(): Promise<boolean> {
    if (this.#ended) return false;
    const next = await this.#source.next();
    if (next.done) {
      this.#ended = true;
      return false;
    }
    this.#held = this.#held.length === 0 ? next.value : Buffer.concat([this.#held, next.value]);
    return true;
  }

  /** Exactly `length` bytes, or TruncatedError when the stream ends first. */
  async read(length: number): Promise<Buffer> {
    while (this.#held.length < length) if (!(await this.#more())) throw new TruncatedError(`the stream ends at byte ${this.#position + this.#held.length}, before byte ${this.#position + length}`);
    const out = this.#held.subarray(0, length);
    this.#held = this.#held.subarray(length);
    this.#position += length;
    return out;
  }

  /** Passes over `length` bytes without keeping them. */
  async skip(length: number): Promise<void> {
    let left = length;
    for (;;) {
      const take = Math.min(left, this.#held.length);
      this.#held = this.#held.subarray(take);
      this.#position += take;
      left -= take;
      if (left === 0) return;
      if (!(await this.#more())) throw new TruncatedError(`the stream ends at byte ${this.#position}, before byte ${this.#position + left}`);
    }
  }

  /** Reads to the end; returns how many bytes were left. */
  async rest(): Promise<number> {
    let left = this.#held.length;
    this.#held = Buffer.alloc(0);
    while (await this.#more()) {
      left += this.#held.length;
      this.#held = Buffer.alloc(0);
    }
    this.#position += left;
    return left;
  }
}
