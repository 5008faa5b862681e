/**
 * At most `size` holders at once, the others waiting their turn in order: tests of a file that run concurrently
 * (`describe.concurrent`) each take a slot for their work, so a file whose tests mostly wait on child processes
 * overlaps a few of them without starting them all. A test's time then includes its wait for a slot.
 */
export function slots(size: number): <T>(work: () => Promise<T>) => Promise<T> {
  const waiting: Array<() => void> = [];
  let running = 0;
  return async (work) => {
    if (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await work();
    } finally {
      // A slot freed goes straight to the first in line (it is never free in between for a newcomer to take).
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}
