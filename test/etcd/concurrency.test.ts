import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { mapBounded } from '../../src/etcd/concurrency.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapBounded', () => {
  it.each([1, 2, 4, 10])('never runs more than %d at once and keeps the input order', async (limit) => {
    let running = 0;
    let peak = 0;
    const items = Array.from({ length: 9 }, (_, i) => i);
    const results = await mapBounded(items, limit, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await tick((9 - n) * 2); // later items finish first
      running--;
      return n * 10;
    });
    expect(peak).toBe(Math.min(limit, items.length));
    expect(results).toEqual(items.map((n) => ({ status: 'fulfilled', value: n * 10 })));
  });

  it('keeps a rejection as that item\'s outcome and still runs the rest', async () => {
    const seen: number[] = [];
    const results = await mapBounded([1, 2, 3], 1, async (n) => {
      seen.push(n);
      if (n === 2) throw new Error('two failed');
      return n;
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: new Error('two failed') });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 3 });
  });

  it('returns nothing for nothing', async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects the limit %d as a usage error', async (limit) => {
    await expect(mapBounded([1], limit, async (n) => n)).rejects.toThrow(UsageError);
  });
});
