import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** bbolt writes whole pages; 4096 on x86_64, and larger page sizes are multiples of it. */
const PAGE = 4096;
const TRAILER = 32;

/** What the stream proved about itself. */
export interface SnapshotVerdict {
  readonly ok: boolean;
  /** Bytes seen: database plus trailer. */
  readonly size: number;
  /** sha256 of the whole file, as the manifest records it. */
  readonly sha256: string;
  /** Why it is not a complete snapshot, when it is not. */
  readonly problem?: string;
}

/**
 * A pass-through that checks an etcd snapshot while it streams: the file is a bbolt database (whole pages)
 * followed by the sha256 of that database. It holds back only the last 32 bytes seen, so memory stays
 * constant whatever the size. One hash pass serves both digests: the database's is a copy of the state
 * before the trailer, the whole file's continues it with the trailer. It never fails the stream: the
 * verdict is read after the end.
 */
export class SnapshotVerifier extends Transform {
  // sha256 of every byte but the newest 32 (held in `tail`).
  private readonly running: Hash = createHash('sha256');
  private tail: Buffer = Buffer.alloc(0);
  private size = 0;
  private result: SnapshotVerdict | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    // Everything but the newest 32 bytes belongs to the database for sure.
    if (chunk.length >= TRAILER) {
      this.running.update(this.tail);
      this.running.update(chunk.subarray(0, chunk.length - TRAILER));
      this.tail = Buffer.from(chunk.subarray(chunk.length - TRAILER));
    } else {
      const joined = Buffer.concat([this.tail, chunk]);
      const keep = Math.min(TRAILER, joined.length);
      this.running.update(joined.subarray(0, joined.length - keep));
      this.tail = joined.subarray(joined.length - keep);
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.result = this.judge();
    callback();
  }

  /** The verdict; only meaningful once the stream has ended (an unended stream is reported as cut short). */
  verdict(): SnapshotVerdict {
    return this.result ?? { ok: false, size: this.size, sha256: '', problem: `stream did not end (${this.size} bytes seen)` };
  }

  private judge(): SnapshotVerdict {
    const actual = this.running.copy().digest('hex');
    const sha256 = this.running.update(this.tail).digest('hex');
    const base = { size: this.size, sha256 };
    if (this.size === 0) return { ...base, ok: false, problem: 'empty snapshot' };
    const dbBytes = this.size - TRAILER;
    if (dbBytes <= 0 || dbBytes % PAGE !== 0) {
      return { ...base, ok: false, problem: `size ${this.size} is not whole ${PAGE}-byte pages plus a ${TRAILER}-byte sha256 (cut short?)` };
    }
    const expected = this.tail.toString('hex');
    if (expected !== actual) return { ...base, ok: false, problem: `sha256 trailer ${expected.slice(0, 16)}… does not match the data ${actual.slice(0, 16)}…` };
    return { ...base, ok: true };
  }
}
