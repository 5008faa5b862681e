import { UsageError } from './errors.js';

const UNIT_MS = { w: 7 * 24 * 3600_000, d: 24 * 3600_000, h: 3600_000, m: 60_000, s: 1000 } as const;
type Unit = keyof typeof UNIT_MS;

// One or more `<digits><unit>` parts, largest unit first: 30d, 12h, 90m, 2w, 1d12h. No months or years:
// their length varies, and a retention rule must mean the same thing every day.
const WHOLE = /^(\d+[wdhms])+$/;
const PART = /(\d+)([wdhms])/g;

/** Milliseconds of a duration like `30d`, `12h`, `90m`, `2w` or `1d12h`; a UsageError naming the flag otherwise. */
export function parseDuration(text: string, flag: string): number {
  const value = text.trim();
  if (!WHOLE.test(value)) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration`, { hint: `use a number and a unit: w, d, h, m or s (e.g. ${flag} 30d, 12h, 1d12h)` });
  }
  let ms = 0;
  let previous = Number.POSITIVE_INFINITY;
  for (const [, digits, unit] of value.matchAll(PART)) {
    const size = UNIT_MS[unit as Unit];
    if (size >= previous) throw new UsageError(`${flag} ${JSON.stringify(text)} repeats a unit or lists a smaller one first`, { hint: 'write units from largest to smallest, each once: 1d12h' });
    previous = size;
    ms += Number(digits) * size;
  }
  if (!Number.isSafeInteger(ms)) throw new UsageError(`${flag} ${JSON.stringify(text)} is too long`, { hint: 'use a duration of a few years at most' });
  return ms;
}

/** A duration for people: the largest unit that fits and the next one when not zero (`3d 4h`, `45m`, `12s`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const units = ['d', 'h', 'm', 's'] as const;
  const first = units.findIndex((u) => ms >= UNIT_MS[u]);
  const big = units[first]!;
  const count = Math.floor(ms / UNIT_MS[big]);
  const next = units[first + 1];
  const rest = next ? Math.floor((ms - count * UNIT_MS[big]) / UNIT_MS[next]) : 0;
  return next && rest > 0 ? `${count}${big} ${rest}${next}` : `${count}${big}`;
}
