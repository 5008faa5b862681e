// sha256 on the shared worker thread: the digest of what was added, through reused shared buffers, with several
// hashes at once.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ThreadSha256 } from '../../src/offsite/sha256-thread.js';

describe('ThreadSha256', () => {
  it('digests what was added, buffers reused between updates, two hashes interleaved', async () => {
    const buffers = [Buffer.from(new SharedArrayBuffer(1000)), Buffer.from(new SharedArrayBuffer(1000))];
    const [a, b] = [new ThreadSha256(), new ThreadSha256()];
    const [ea, eb] = [createHash('sha256'), createHash('sha256')];
    for (let i = 0; i < 6; i++) {
      // Each buffer refilled only once its previous update resolved, as encryptFile does.
      const buffer = buffers[i % 2]!;
      randomBytes(1000).copy(buffer);
      const part = buffer.subarray(i, 1000 - i);
      ea.update(part);
      eb.update(part.subarray(1));
      await Promise.all([a.update(part), b.update(part.subarray(1))]);
    }
    expect(await a.digest()).toBe(ea.digest('hex'));
    expect(await b.digest()).toBe(eb.digest('hex'));
  });

  it('digests nothing as the empty sha256', async () => {
    expect(await new ThreadSha256().digest()).toBe(createHash('sha256').digest('hex'));
  });

  it('refuses bytes outside a SharedArrayBuffer (the thread would get a copy, or nothing)', async () => {
    await expect(new ThreadSha256().update(Buffer.alloc(10))).rejects.toThrow(/SharedArrayBuffer/);
  });
});
