// What became of a lock holder of this machine (issue 15: SIGKILL, then a rerun): its pid, and the eksctl it
// handed off to, which outlives it in a session of its own and carries the holder in its environment.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HOLDER_ENV, carriesHolder, judgeLocalHolder, processesCarrying } from '../../src/lock/local-holder.js';

const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

describe('judgeLocalHolder', () => {
  it.each([
    ['another machine', 'ops@other pid 10', [], [], { state: 'elsewhere' }],
    ['not our identity format', 'some-controller', [], [], { state: 'elsewhere' }],
    ['a run of this machine still alive', 'ops@admin pid 10', [10], [], { state: 'alive', pid: 10 }],
    ['gone, nothing it started runs', 'ops@admin pid 10', [], [], { state: 'gone', pid: 10 }],
    ['gone, its eksctl still runs', 'ops@admin pid 10', [], [22, 23], { state: 'orphaned', pid: 10, survivors: [22, 23] }],
    ['a user name with @', 'a@b@admin pid 10', [], [], { state: 'gone', pid: 10 }],
  ])('%s', (_what, holder, live, survivors, expected) => {
    expect(judgeLocalHolder(holder, 'admin', alive(live), survivors)).toEqual(expected);
  });
});

describe('carriesHolder', () => {
  const env = (...entries: string[]) => Buffer.from(`${entries.join('\0')}\0`);
  it.each([
    [env('PATH=/bin', `${HOLDER_ENV}=ops@admin pid 10`), true],
    [env(`${HOLDER_ENV}=ops@admin pid 100`), false],
    [env(`${HOLDER_ENV}=ops@admin pid 1`), false],
    [env(`X${HOLDER_ENV}=ops@admin pid 10`), false],
    [env('PATH=/bin'), false],
  ])('%#', (environ, expected) => {
    expect(carriesHolder(environ, 'ops@admin pid 10')).toBe(expected);
  });
});

describe('processesCarrying (Linux /proc)', () => {
  it('finds a process whose environment carries the holder, and only that one', async () => {
    const holder = `test@nowhere pid ${process.pid}-${Date.now()}`;
    const child = spawn('sleep', ['30'], { env: { ...process.env, [HOLDER_ENV]: holder }, stdio: 'ignore' });
    const other = spawn('sleep', ['30'], { env: { ...process.env, [HOLDER_ENV]: `${holder}x` }, stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(await processesCarrying(holder)).toEqual([child.pid]);
    } finally {
      child.kill();
      other.kill();
    }
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await processesCarrying(holder)).toEqual([]);
  });
});
