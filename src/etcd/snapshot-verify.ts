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

// bbolt's meta page (go.etcd.io/bbolt, page.go and db.go): a 16-byte page header (id u64, flags u16, count u16,
// overflow u32), then the meta: magic u32, version u32, pageSize u32, flags u32, root bucket (16), freelist u64,
// pgid u64, txid u64, checksum u64 = FNV-1a 64 of the meta bytes before it. Little-endian, as etcd runs on x86_64/arm64.
const BOLT_MAGIC = 0xed0cdaed;
const BOLT_VERSION = 2;
const META_PAGE_FLAG = 0x04;
const PAGE_HEADER = 16;
const META_BEFORE_CHECKSUM = 56;
/** The most a meta check reads: two pages of bbolt's largest page size. */
export const BOLT_META_BYTES = 2 * 65536;

function fnv1a64(bytes: Buffer): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const b of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(b)) * 0x100000001b3n);
  return hash;
}

function metaProblem(head: Buffer, at: number, id: number): { pageSize: number } | string {
  if (head.length < at + PAGE_HEADER + META_BEFORE_CHECKSUM + 8) return `meta page ${id} is missing`;
  if (head.readBigUInt64LE(at) !== BigInt(id)) return `meta page ${id} has page id ${head.readBigUInt64LE(at)}`;
  if ((head.readUInt16LE(at + 8) & META_PAGE_FLAG) === 0) return `page ${id} is not a meta page`;
  const meta = at + PAGE_HEADER;
  const magic = head.readUInt32LE(meta);
  if (magic !== BOLT_MAGIC) return `meta page ${id} has magic 0x${magic.toString(16)}, not bbolt's 0xed0cdaed`;
  const version = head.readUInt32LE(meta + 4);
  if (version !== BOLT_VERSION) return `meta page ${id} has version ${version}, not ${BOLT_VERSION}`;
  const pageSize = head.readUInt32LE(meta + 8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return `meta page ${id} has page size ${pageSize}`;
  const checksum = head.readBigUInt64LE(meta + META_BEFORE_CHECKSUM);
  if (fnv1a64(head.subarray(meta, meta + META_BEFORE_CHECKSUM)) !== checksum) return `meta page ${id} fails its checksum`;
  return { pageSize };
}

/**
 * Pure: whether the first bytes of a snapshot (`head`, up to BOLT_META_BYTES) are a bbolt database's two
 * meta pages: magic 0xED0CDAED, version 2, one page size, a valid checksum, and a database of whole pages
 * of that size (`dbBytes`, without the sha256 trailer). The check needs no etcd tool: used when none is
 * installed here, so random pages with a correct sha256 trailer do not pass as a snapshot.
 */
export function boltMetaProblem(head: Buffer, dbBytes: number): string | undefined {
  const first = metaProblem(head, 0, 0);
  if (typeof first === 'string') return `not a bbolt database: ${first}`;
  const second = metaProblem(head, first.pageSize, 1);
  if (typeof second === 'string') return `not a bbolt database: ${second}`;
  if (second.pageSize !== first.pageSize) return `not a bbolt database: meta pages disagree on the page size (${first.pageSize}, ${second.pageSize})`;
  if (dbBytes % first.pageSize !== 0 || dbBytes < 4 * first.pageSize) return `not a bbolt database: ${dbBytes} bytes are not whole ${first.pageSize}-byte pages (at least 4)`;
  return undefined;
}
