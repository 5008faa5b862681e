import { describe, expect, it } from 'vitest';
import { slots } from './slots.js';

/** A promise and the function that settles it, so the test decides when each holder's work ends. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('slots', () => {
  it('runs at most `size` at once, the others in the order they came, each taking a freed slot at once', async () => {
    const slot = slots(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const done = gates.map((g, i) =>
      slot(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await g.promise;
        running -= 1;
        return i;
      }),
    );
    await turn();
    expect(started).toEqual([0, 1]);
    gates[1]!.open();
    await turn();
    expect(started).toEqual([0, 1, 2]);
    // A newcomer while every slot is taken waits behind those already in line.
    const late = slot(async () => (started.push(9), 9));
    gates[0]!.open();
    await turn();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]!.open();
    gates[3]!.open();
    expect(await Promise.all([...done, late])).toEqual([0, 1, 2, 3, 9]);
    expect(started).toEqual([0, 1, 2, 3, 9]);
    expect(most).toBe(2);
  });

  it('frees the slot of a holder whose work failed', async () => {
    const slot = slots(1);
    await expect(slot(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await slot(async () => 'next')).toBe('next');
  });
});
