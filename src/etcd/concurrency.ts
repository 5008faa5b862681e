import { UsageError } from '../errors.js';

/**
 * Runs `work` over `items` with at most `limit` in flight; results keep the order of `items`. A rejection
 * is kept as that item's outcome rather than cancelling the others, so every cluster gets its verdict.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<Array<PromiseSettledResult<R>>> {
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`invalid concurrency ${limit}`, { hint: '--concurrency takes a positive integer' });
  const results: Array<PromiseSettledResult<R>> = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index] as T, index) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
