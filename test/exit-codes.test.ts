import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeMeaning, type ExitCodeName } from '../src/exit-codes.js';

describe('exit codes', () => {
  it('the README table is the code table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Exit codes'));
    const rows = [...section.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2]]);
    const expected = (Object.keys(ExitCode) as ExitCodeName[]).map((name) => [ExitCode[name], exitCodeMeaning[name]]);
    expect(rows).toEqual(expected);
  });

  it('codes are distinct', () => {
    const codes = Object.values(ExitCode);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
