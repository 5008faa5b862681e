// Process lifetime of the hand-off, with real processes: a parent that runs the built dist/ hand-off (as
// eksa-safe-upgrade would) and the fake eksctl. Signals are sent to the parent alone, as `kill` or a CI
// runner would, or to the parent's whole process group, as a terminal's hang-up would; eksctl runs in a
// session of its own, so only what we forward reaches it.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeEksctlEnv, parentScript, requireBuiltDist, tempDir, waitForFile } from './fixtures.js';

interface ParentResult {
  exitCode: number;
  signal?: string;
  interrupted: boolean;
  forwardedSignals: string[];
  shieldedSignals?: string[];
  parentPgrp: number;
  sigintListeners: number;
}

function startParent(extraEnv: Record<string, string>, options: { ownGroup?: boolean } = {}) {
  const dir = tempDir();
  const files = {
    result: path.join(dir, 'result.json'),
    marker: path.join(dir, 'marker'),
    stdout: path.join(dir, 'stdout'),
    stderr: path.join(dir, 'stderr'),
  };
  // Plain files as fds, not pipes: a pipe the surviving eksctl still holds would keep the wait open.
  const out = openSync(files.stdout, 'w');
  const err = openSync(files.stderr, 'w');
  const child = spawn(process.execPath, [parentScript, 'eksctl', 'anywhere', 'upgrade', 'cluster', '-f', 'c.yaml'], {
    env: fakeEksctlEnv({ HANDOFF_RESULT: files.result, HANDOFF_MARKER: files.marker, ...extraEnv }),
    stdio: ['ignore', out, err],
    // Its own process group, as a terminal's foreground job: a hang-up reaches the whole group.
    detached: options.ownGroup ?? false,
  });
  closeSync(out);
  closeSync(err);
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const ended = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (exitCode, signal) => {
      clearTimeout(watchdog);
      resolve({ exitCode, signal });
    }),
  );
  const result = () => JSON.parse(readFileSync(files.result, 'utf8')) as ParentResult;
  return { pid: child.pid!, ended, files, result };
}

describe.runIf(process.platform === 'linux')('hand-off process lifetime', () => {
  beforeAll(requireBuiltDist);

  // stdout is the result's (the plan, the table, one JSON document): eksctl's own output goes to our stderr,
  // after our `$` line, where progress and logs go.
  it("inherits the terminal: eksctl's output lands on our stderr after our $ line, our stdout stays empty", async () => {
    const { ended, files, result } = startParent({ HANDOFF_STDOUT: 'Performing setup and validations', HANDOFF_EXIT: '4' });
    expect((await ended).exitCode).toBe(0);
    expect(readFileSync(files.stdout, 'utf8')).toBe('');
    expect(readFileSync(files.stderr, 'utf8')).toBe('$ eksctl anywhere upgrade cluster -f c.yaml\nPerforming setup and validations\n');
    expect(result()).toMatchObject({ exitCode: 4, interrupted: false });
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('forwards %s to eksctl, waits for it, reports interrupted and its exit code', async (signal) => {
    const { pid, ended, files, result } = startParent({ HANDOFF_MODE: 'trap' });
    await waitForFile(`${files.marker}.ready`);
    process.kill(pid, signal);
    const outcome = await ended;
    // The parent did not die of the signal: it stayed to report.
    expect(outcome.signal).toBeNull();
    expect(outcome.exitCode).toBe(0);
    expect(readFileSync(files.marker, 'utf8')).toBe(signal);
    expect(result()).toMatchObject({ exitCode: 130, interrupted: true, forwardedSignals: [signal], sigintListeners: 0 });
  });

  // Issue 15, finding 5: a dropped SSH session used to kill us and eksctl with us, mid-rollout.
  it('SIGHUP to us: not forwarded, eksctl runs to its end, we stay to report it (shieldedSignals)', async () => {
    const { pid, ended, files, result } = startParent({ HANDOFF_MODE: 'linger', HANDOFF_LINGER_MS: '1500' });
    await waitForFile(`${files.marker}.ready`);
    process.kill(pid, 'SIGHUP');
    const outcome = await ended;
    expect(outcome.signal).toBeNull();
    expect(outcome.exitCode).toBe(0);
    expect(readFileSync(files.marker, 'utf8')).toBe('finished');
    expect(result()).toMatchObject({ exitCode: 0, interrupted: false, forwardedSignals: [], shieldedSignals: ['SIGHUP'] });
  });

  it('a hang-up of the terminal (SIGHUP to our whole process group) does not reach eksctl: it has a session of its own', async () => {
    const { pid, ended, files, result } = startParent({ HANDOFF_MODE: 'linger', HANDOFF_LINGER_MS: '1500' }, { ownGroup: true });
    await waitForFile(`${files.marker}.ready`);
    process.kill(-pid, 'SIGHUP');
    const outcome = await ended;
    expect(outcome.signal).toBeNull();
    expect(readFileSync(files.marker, 'utf8')).toBe('finished');
    expect(result()).toMatchObject({ exitCode: 0, shieldedSignals: ['SIGHUP'] });
  });

  it('reaches the eksctl-anywhere plugin, which eksctl itself does not forward signals to', async () => {
    const { pid, ended, files, result } = startParent({ HANDOFF_MODE: 'plugin' });
    await waitForFile(`${files.marker}.ready`);
    process.kill(pid, 'SIGTERM');
    expect((await ended).exitCode).toBe(0);
    expect(await waitForFile(files.marker)).toBe('SIGTERM');
    const outcome = result();
    expect(outcome.interrupted).toBe(true);
    // The fake eksctl has no handler: it dies of SIGTERM (143), unless the plugin's 130 got through first.
    expect([130, 143]).toContain(outcome.exitCode);
  });

  it.each([
    { crash: 'exit', stderr: /^\$ eksctl/ },
    { crash: 'throw', stderr: /simulated crash of eksa-safe-upgrade/ },
  ])('lets eksctl finish when we crash mid-hand-off ($crash)', async ({ crash, stderr }) => {
    const { ended, files } = startParent({ HANDOFF_MODE: 'linger', HANDOFF_LINGER_MS: '3000', HANDOFF_CRASH: crash });
    expect((await ended).exitCode).toBe(1);
    expect(readFileSync(files.stderr, 'utf8')).toMatch(stderr);
    // eksctl was still running when we died...
    const eksctlPid = Number(readFileSync(`${files.marker}.ready`, 'utf8'));
    expect(existsSync(files.marker)).toBe(false);
    expect(() => process.kill(eksctlPid, 0)).not.toThrow();
    // ...and finished on its own.
    expect(await waitForFile(files.marker)).toBe('finished');
    expect(existsSync(files.result)).toBe(false);
  });
});
