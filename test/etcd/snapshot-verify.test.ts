import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { SnapshotVerifier, boltMetaProblem, type SnapshotVerdict } from '../../src/etcd/snapshot-verify.js';

/** A snapshot-shaped file: `pages` bbolt pages followed by their sha256. */
function snapshot(pages: number): Buffer {
  const db = randomBytes(pages * 4096);
  return Buffer.concat([db, createHash('sha256').update(db).digest()]);
}

/** Streams `data` through a verifier in chunks of the given sizes (cycled); returns the verdict and what passed. */
async function verify(data: Buffer, chunkSizes: readonly number[] = [65536]): Promise<{ verdict: SnapshotVerdict; out: Buffer }> {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = chunkSizes[i % chunkSizes.length] ?? 1;
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  const verifier = new SnapshotVerifier();
  const received: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      received.push(chunk);
      cb();
    },
  });
  await pipeline(Readable.from(chunks), verifier, sink);
  return { verdict: verifier.verdict(), out: Buffer.concat(received) };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('SnapshotVerifier', () => {
  const good = snapshot(5);

  it.each([[[65536]], [[1]], [[31]], [[32]], [[33]], [[4096]], [[7, 4000, 32, 1, 9999]], [[good.length]]])(
    'accepts a whole snapshot in chunks of %j and passes the bytes through unchanged',
    async (sizes) => {
      const { verdict, out } = await verify(good, sizes);
      expect(verdict).toEqual({ ok: true, size: good.length, sha256: sha(good) });
      expect(out.equals(good)).toBe(true);
    },
  );

  const flipped = Buffer.from(good);
  flipped[9000] = (flipped[9000] ?? 0) ^ 0xff;
  const badTrailer = Buffer.from(good);
  badTrailer[good.length - 1] = (badTrailer[good.length - 1] ?? 0) ^ 1;
  const padded = Buffer.concat([good.subarray(0, good.length - 32), Buffer.alloc(4096), good.subarray(good.length - 32)]);

  it.each([
    ['empty', Buffer.alloc(0), /empty snapshot/],
    ['cut by 1 byte', good.subarray(0, good.length - 1), /not whole 4096-byte pages/],
    ['cut by 100 bytes', good.subarray(0, good.length - 100), /not whole 4096-byte pages/],
    ['trailer missing', good.subarray(0, good.length - 32), /not whole 4096-byte pages/],
    ['only the trailer', good.subarray(good.length - 32), /not whole 4096-byte pages/],
    ['cut at a page boundary plus 32 bytes', good.subarray(0, 3 * 4096 + 32), /sha256 trailer .* does not match/],
    ['one byte flipped in the data', flipped, /sha256 trailer .* does not match/],
    ['one byte flipped in the trailer', badTrailer, /sha256 trailer .* does not match/],
    ['a page inserted', padded, /sha256 trailer .* does not match/],
  ])('rejects %s', async (_label, data, problem) => {
    const { verdict } = await verify(data, [1000]);
    expect(verdict.ok).toBe(false);
    expect(verdict.problem).toMatch(problem);
    expect(verdict.size).toBe(data.length);
  });

  it('reports a stream that never ended as cut short', () => {
    const verifier = new SnapshotVerifier();
    verifier.write(good.subarray(0, 100));
    expect(verifier.verdict()).toMatchObject({ ok: false, problem: 'stream did not end (100 bytes seen)' });
  });
});

describe('boltMetaProblem: a snapshot checked without etcd tools (issue 15, finding 18)', () => {
  const fnv = (b: Buffer) => {
    let h = 0xcbf29ce484222325n;
    for (const x of b) h = BigInt.asUintN(64, (h ^ BigInt(x)) * 0x100000001b3n);
    return h;
  };
  /** A bbolt file's first pages as bbolt writes them: two meta pages, then `pages - 2` more. */
  function bolt(pages: number, over: { magic?: number; version?: number; pageSize?: number; breakChecksum?: boolean } = {}): Buffer {
    const pageSize = 4096;
    const db = randomBytes(pages * pageSize);
    for (const id of [0, 1]) {
      const at = id * pageSize;
      db.writeBigUInt64LE(BigInt(id), at);
      db.writeUInt16LE(0x04, at + 8);
      db.writeUInt32LE(over.magic ?? 0xed0cdaed, at + 16);
      db.writeUInt32LE(over.version ?? 2, at + 20);
      db.writeUInt32LE(over.pageSize ?? pageSize, at + 24);
      const sum = fnv(db.subarray(at + 16, at + 72));
      db.writeBigUInt64LE(over.breakChecksum ? sum ^ 1n : sum, at + 72);
    }
    return db;
  }

  it('accepts bbolt meta pages: magic, version 2, one page size, valid checksums', () => {
    expect(boltMetaProblem(bolt(6), 6 * 4096)).toBeUndefined();
  });

  it.each([
    ['random pages (a correct sha256 trailer would not help)', randomBytes(6 * 4096), /not a bbolt database/],
    ['a wrong magic', bolt(6, { magic: 0xdeadbeef }), /magic 0xdeadbeef/],
    ['version 1', bolt(6, { version: 1 }), /version 1/],
    ['an odd page size', bolt(6, { pageSize: 1000 }), /page size 1000/],
    ['a broken checksum', bolt(6, { breakChecksum: true }), /checksum/],
    ['too short', bolt(6).subarray(0, 100), /missing/],
  ])('refuses %s', (_label, head, why) => {
    expect(boltMetaProblem(head, 6 * 4096)).toMatch(why);
  });

  it('refuses a database that is not whole pages of the size its meta names', () => {
    expect(boltMetaProblem(bolt(6), 6 * 4096 + 512)).toMatch(/whole 4096-byte pages/);
  });
});
