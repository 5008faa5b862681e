import { describe, expect, it } from 'vitest';
import { ByteReader, TruncatedError } from '../../src/offsite/byte-reader.js';

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

describe('ByteReader', () => {
  it.each([
    ['one chunk', ['abcdefghij']],
    ['a byte at a time', 'abcdefghij'.split('')],
    ['reads across chunks', ['ab', 'cdef', 'g', 'hij']],
  ])('skips and reads by lengths: %s', async (_title, parts) => {
    const reader = new ByteReader(chunks(...parts));
    await reader.skip(2);
    expect((await reader.read(3)).toString()).toBe('cde');
    expect(reader.position).toBe(5);
    await reader.skip(0);
    expect((await reader.read(0)).toString()).toBe('');
    await reader.skip(1);
    expect((await reader.read(2)).toString()).toBe('gh');
    expect(await reader.rest()).toBe(2);
    expect(reader.position).toBe(10);
  });

  it.each([
    ['a read past the end', (r: ByteReader) => r.read(11)],
    ['a skip past the end', (r: ByteReader) => r.skip(11)],
  ])('%s is TruncatedError', async (_title, act) => {
    await expect(act(new ByteReader(chunks('abcde', 'fghij')))).rejects.toThrow(TruncatedError);
  });

  it('passes on the stream\'s own error', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('ab');
      throw new Error('the connection was reset');
    }
    const reader = new ByteReader(failing());
    await expect(reader.read(5)).rejects.toThrow('the connection was reset');
  });
});
