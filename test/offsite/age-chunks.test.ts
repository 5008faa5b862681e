// The cutting of a stream into age STREAM chunks: which chunks go as not-last, and what is left for the last one,
// whatever sizes the input arrives in.
import { describe, expect, it } from 'vitest';
import { CHUNK, ChunkSplitter, chunkCount, chunksOfRead, readCount, readSpan, streamNonce } from '../../src/offsite/age-chunks.js';

/** Feeds `total` bytes (byte i = i mod 251) in pieces of `piece`; returns the chunks handed out, then the last. */
function cut(total: number, piece: number, size = CHUNK): { chunks: Buffer[]; last: Buffer } {
  const input = Buffer.from(Array.from({ length: total }, (_, i) => i % 251));
  const splitter = new ChunkSplitter(size);
  const chunks: Buffer[] = [];
  // Copied: what the splitter hands is valid only during the call.
  for (let at = 0; at < total; at += piece) splitter.push(input.subarray(at, at + piece), (c) => chunks.push(Buffer.from(c)));
  const last = Buffer.from(splitter.end());
  expect(Buffer.concat([...chunks, last]).equals(input)).toBe(true);
  return { chunks, last };
}

describe('ChunkSplitter', () => {
  it.each([
    // total, piece, full chunks handed out as not-last, length of the last chunk
    [0, 1, 0, 0],
    [1, 1, 0, 1],
    [CHUNK - 1, 1000, 0, CHUNK - 1],
    [CHUNK, CHUNK, 0, CHUNK], // a full last chunk stays last: nothing follows it
    [CHUNK, 1, 0, CHUNK],
    [CHUNK + 1, 1, 1, 1],
    [CHUNK + 1, CHUNK + 1, 1, 1],
    [2 * CHUNK, 7001, 1, CHUNK],
    [2 * CHUNK, 2 * CHUNK, 1, CHUNK],
    [2 * CHUNK + 1, 65537, 2, 1],
    [3 * 1024 * 1024, 3 * 1024 * 1024, 47, CHUNK],
    [3 * 1024 * 1024 + 5, 65537, 48, 5],
  ])('%i bytes in pieces of %i: %i chunks, then a last one of %i bytes', (total, piece, full, lastLength) => {
    const { chunks, last } = cut(total, piece);
    expect(chunks.map((c) => c.length)).toEqual(Array(full).fill(CHUNK));
    expect(last.length).toBe(lastLength);
  });

  it('cuts sealed chunks (64 KiB + 16) the same way for decryption', () => {
    const size = CHUNK + 16;
    const { chunks, last } = cut(2 * size, 999, size);
    expect(chunks.map((c) => c.length)).toEqual([size]);
    expect(last.length).toBe(size);
  });

  it('ignores empty input buffers', () => {
    const splitter = new ChunkSplitter();
    const handed: number[] = [];
    splitter.push(Buffer.alloc(CHUNK), (c) => handed.push(c.length));
    splitter.push(Buffer.alloc(0), (c) => handed.push(c.length));
    expect(handed).toEqual([]);
    expect(splitter.end().length).toBe(CHUNK);
  });
});

describe('streamNonce', () => {
  // 11-byte big-endian counter, then the last-chunk flag (age's incNonce and setLastChunkFlag).
  it.each([
    [0, false, '000000000000000000000000'],
    [1, true, '000000000000000000000101'],
    [0x1_0000_0000, false, '000000000000010000000000'],
    [2 ** 53 - 1, false, '000000001fffffffffffff00'],
  ])('chunk %i (last %s) has nonce %s', (counter, last, hex) => {
    expect(streamNonce(counter, last).toString('hex')).toBe(hex);
  });
});

describe('chunks of a plaintext of known size', () => {
  const MIB = 1024 * 1024;
  it.each([
    [0, 1],
    [1, 1],
    [CHUNK - 1, 1],
    [CHUNK, 1], // a full last chunk, never followed by an empty one
    [CHUNK + 1, 2],
    [2 * CHUNK, 2],
    [MIB + 1, 17],
  ])('%i bytes are %i chunks', (size, count) => {
    expect(chunkCount(size)).toBe(count);
  });

  it.each([
    // size, reads of 1 MiB as [offset, length]
    [0, [[0, 0]]],
    [1, [[0, 1]]],
    [MIB - 1, [[0, MIB - 1]]],
    [MIB, [[0, MIB]]],
    [MIB + 1, [[0, MIB], [MIB, 1]]],
    [2 * MIB + CHUNK, [[0, MIB], [MIB, MIB], [2 * MIB, CHUNK]]],
  ])('a file of %i bytes is read as %j', (size, reads) => {
    const count = readCount(size, MIB);
    expect(Array.from({ length: count }, (_, i) => Object.values(readSpan(i, size, MIB)))).toEqual(reads);
  });

  /** Every chunk of a file read in pieces of `readSize`, as [offset in the file, length, counter, last]. */
  const chunksOfFile = (size: number, readSize: number) =>
    Array.from({ length: readCount(size, readSize) }, (_, i) => readSpan(i, size, readSize)).flatMap(({ offset, length }) => chunksOfRead(offset, length, size).map((c) => [offset + c.start, c.end - c.start, c.counter, c.last]));

  it.each([
    // size, read size, chunks as [offset, length, counter, last]
    [0, MIB, [[0, 0, 0, true]]],
    [1, MIB, [[0, 1, 0, true]]],
    [CHUNK - 1, MIB, [[0, CHUNK - 1, 0, true]]],
    [CHUNK, MIB, [[0, CHUNK, 0, true]]],
    [CHUNK + 1, MIB, [[0, CHUNK, 0, false], [CHUNK, 1, 1, true]]],
    [2 * CHUNK, CHUNK, [[0, CHUNK, 0, false], [CHUNK, CHUNK, 1, true]]],
    [2 * CHUNK + 1, CHUNK, [[0, CHUNK, 0, false], [CHUNK, CHUNK, 1, false], [2 * CHUNK, 1, 2, true]]],
    [3 * CHUNK, 2 * CHUNK, [[0, CHUNK, 0, false], [CHUNK, CHUNK, 1, false], [2 * CHUNK, CHUNK, 2, true]]],
  ])('%i bytes read in pieces of %i: chunks %j', (size, readSize, chunks) => {
    expect(chunksOfFile(size, readSize)).toEqual(chunks);
  });

  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, MIB - 1, MIB, MIB + 1, MIB + CHUNK, 3 * MIB + 12345])('%i bytes read in 1 MiB pieces: the chunks ChunkSplitter cuts, one last', (size) => {
    const chunks = chunksOfFile(size, MIB);
    const { chunks: full, last } = cut(size, 65537);
    expect(chunks.map((c) => c[1])).toEqual([...full.map((c) => c.length), last.length]);
    expect(chunks.map((c) => c[2])).toEqual(chunks.map((_, i) => i));
    expect(chunks.filter((c) => c[3])).toEqual([chunks.at(-1)]);
  });

  it.each([
    [1, CHUNK, 2 * CHUNK, /chunk boundary/],
    [0, CHUNK, CHUNK - 1, /past the end/],
    [0, CHUNK - 1, 2 * CHUNK, /mid-chunk/],
  ])('refuses a read at %i of %i bytes of a %i-byte file', (offset, length, size, message) => {
    expect(() => chunksOfRead(offset, length, size)).toThrow(message);
  });
});
