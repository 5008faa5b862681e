import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { formatDuration, parseDuration } from '../src/duration.js';

const H = 3600_000;

describe('parseDuration', () => {
  it.each([
    ['30d', 30 * 24 * H],
    ['12h', 12 * H],
    ['90m', 90 * 60_000],
    ['2w', 14 * 24 * H],
    ['45s', 45_000],
    ['1d12h', 36 * H],
    [' 0d ', 0],
  ])('%s', (text, ms) => {
    expect(parseDuration(text, '--older-than')).toBe(ms);
  });

  it.each(['', '30', 'd', '1.5d', '-1d', '3mo', '1y', '12h1d', '1d1d', '30 d', '1e3d'])('refuses %j, naming the flag', (text) => {
    expect(() => parseDuration(text, '--max-backup-age')).toThrow(UsageError);
    expect(() => parseDuration(text, '--max-backup-age')).toThrow(/--max-backup-age/);
  });

  it('refuses a duration too long to add up exactly', () => {
    expect(() => parseDuration('99999999999999w', '--older-than')).toThrow(/too long/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [450, '450ms'],
    [45_000, '45s'],
    [90 * 60_000, '1h 30m'],
    [3 * 24 * H + 4 * H + 5 * 60_000, '3d 4h'],
    [30 * 24 * H, '30d'],
    [24 * H + 30_000, '1d'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
