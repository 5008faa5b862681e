// Progress is not a result (issue 17, item 1): the task list writes to stderr only, and when piped or in CI each
// step is one line, printed when it ends.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Runner } from '../../src/runner/runner.js';
import { runTaskList } from '../../src/steps/task-list.js';

let out: string[];
let err: string[];
let restore: () => void;
beforeEach(() => {
  out = [];
  err = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  restore = () => {
    process.stdout.write = o;
    process.stderr.write = e;
  };
});
afterEach(() => restore());

const runner = () => new Runner({ dryRun: false, verbose: false, log: () => undefined });

describe('the task list', () => {
  it('piped: one line per step on stderr, when it ends; nothing on stdout', async () => {
    await runTaskList(
      [
        { title: 'Read the tree', task: () => undefined },
        { title: 'Confirm', task: (_ctx, t) => void (t.output = 'mgmt: Ready False') },
      ],
      { runner: runner() },
      { silent: false, env: { NO_COLOR: '1' }, isTTY: false },
    );
    restore();
    expect(out.join('')).toBe('');
    const lines = err.join('').split('\n').filter((l) => l.trim() !== '');
    expect(lines.filter((l) => l.includes('Read the tree'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('Confirm'))).toHaveLength(1);
    expect(lines.some((l) => l.includes('mgmt: Ready False'))).toBe(true);
    expect(lines.join('\n')).not.toContain('❯');
  });

  it('a failed step is one line on stderr too', async () => {
    await expect(
      runTaskList([{ title: 'Load the spec', task: () => { throw new Error('no such file'); } }], { runner: runner() }, { silent: false, env: { CI: 'true', NO_COLOR: '1' }, isTTY: true }),
    ).rejects.toThrow('no such file');
    restore();
    expect(out.join('')).toBe('');
    expect(err.join('').split('\n').filter((l) => l.includes('Load the spec'))).toHaveLength(1);
  });

  it('silent (-o json): nothing anywhere', async () => {
    await runTaskList([{ title: 'Read the tree', task: () => undefined }], { runner: runner() }, { silent: true, env: {}, isTTY: false });
    restore();
    expect(out.join('') + err.join('')).toBe('');
  });
});
