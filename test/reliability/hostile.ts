// The hostile values of the reliability suite: what a name, an address, a user or a path may hold when it
// comes from a spec someone else wrote, from a compromised API server or from a tool's output.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { digest, recordMetric } from './helpers.js';

/** A directory an injected command would write into: it must stay empty. */
export interface Canary {
  readonly dir: string;
  /** The file a successful injection would create. */
  readonly file: string;
  expectUntouched(): void;
  remove(): void;
}

export function canary(): Canary {
  const dir = mkdtempSync(path.join(tmpdir(), 'esu-canary-'));
  return {
    dir,
    file: path.join(dir, 'pwned'),
    expectUntouched() {
      expect(readdirSync(dir), 'nothing injected ran').toEqual([]);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Hostile values; `CANARY` stands for the canary file. `bytes` marks a value that only raw bytes can hold
 * (invalid UTF-8): written into files as such, sent by the API as a lone surrogate.
 */
export const HOSTILE_VALUES: ReadonlyArray<readonly [label: string, value: string]> = [
  ['parent directories', '../../../../../../CANARY'],
  ['an absolute path', '/CANARY'],
  ['a semicolon', 'x;touch CANARY'],
  ['a pipe', 'x|touch CANARY'],
  ['a command substitution', '$(touch CANARY)'],
  ['backquotes', '`touch CANARY`'],
  ['single quotes', "x';touch CANARY;'"],
  ['double quotes', 'x";touch CANARY;"'],
  ['a newline', 'x\ntouch CANARY'],
  ['a markdown code fence', 'x`\n```bash\ntouch CANARY\n```\n`'],
  ['a NUL byte', 'x\0touch CANARY'],
  ['a leading dash (an option)', '-oProxyCommand=touch CANARY'],
  ['spaces and a glob', 'x * ?[a] touch CANARY'],
  ['a terminal escape', 'x\u001b]0;pwned\u0007\u001b[2Jtouch CANARY'],
  ['a very long string (5000 characters)', `${'a'.repeat(5000)}CANARY`],
  ['invalid UTF-8', 'x\uFFFD\uFFFDtouch CANARY'],
];

/** The value with the canary path in it. */
export const withCanary = (value: string, c: Canary) => value.replaceAll('CANARY', c.file);

/** Where a hostile input was tried: through the built CLI as a real process, or by calling a validator in-process. */
export type HostileVia = 'cli' | 'in-process';

/**
 * Counts one hostile input tried, for the README figures: its source (spec, api, tool…), how it was tried
 * (end to end through the built CLI, where an injected command could really run and the canary would see it,
 * or in-process against the validator) and the payload itself (recorded as a hash: the figures count
 * distinct payloads, not the places one payload was put).
 */
export function triedHostile(source: string, via: HostileVia, payload: string): void {
  recordMetric('hostile', 1, { source, via, payload: digest(payload) });
}
