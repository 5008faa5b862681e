import { UsageError } from '../errors.js';
import { mapLimit } from '../map-limit.js';

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
  // Each item settles on its own, so the fail-fast pool never sees a rejection.
  return mapLimit(items, limit, async (item, index): Promise<PromiseSettledResult<R>> => {
    try {
      return { status: 'fulfilled', value: await work(item, index) };
    } catch (reason) {
      return { status: 'rejected', reason };
    }
  });
}
