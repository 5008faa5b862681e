import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../src/errors.js';
import { runHandoff } from '../../src/handoff/run-handoff.js';
import { buildUpgradeClusterCommand } from '../../src/handoff/upgrade-command.js';
import { write } from '../../src/command.js';
import { fakeEksctlEnv, processGroupOf, tempDir, testRunner } from './fixtures.js';

function upgradeCommand() {
  return buildUpgradeClusterCommand({
    specFile: 'w01/w01-eks-a-cluster.yaml',
    passThrough: { 'skip-validations': ['pod-disruption', 'eksa-version-skew'], 'no-timeouts': true, verbosity: 4, 'hardware-csv': 'hw dir/hw.csv' },
    extraArgs: ['--future-flag', '', '--tinkerbell-bmc-consumer-password=hunter2'],
    isWorkload: true,
    managementKubeconfig: 'mgmt/mgmt-eks-a-cluster.kubeconfig',
  });
}

describe('runHandoff', () => {
  it.each([0, 3, 255])('runs eksctl with the argv exactly as built and keeps exit code %i', async (code) => {
    const record = path.join(tempDir(), 'argv.json');
    const { runner } = testRunner(false, fakeEksctlEnv({ HANDOFF_RECORD: record, HANDOFF_EXIT: String(code) }));
    const command = upgradeCommand();
    const result = await runHandoff(command, { runner });
    expect(result).toMatchObject({ exitCode: code, interrupted: false, skipped: false, forwardedSignals: [] });
    expect(result.signal).toBeUndefined();
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; pgrp: number };
    expect(['eksctl', ...seen.argv]).toEqual(command.argv);
  });

  // Issue 15, finding 5: it used to run in our process group, so a hang-up of our terminal killed it mid-rollout.
  // A terminal Ctrl-C now reaches it through our forwarding (handoff-process.test.ts).
  it('runs eksctl in a session and process group of its own, so a hang-up of our terminal does not reach it', async () => {
    const record = path.join(tempDir(), 'argv.json');
    const { runner } = testRunner(false, fakeEksctlEnv({ HANDOFF_RECORD: record }));
    await runHandoff(upgradeCommand(), { runner });
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { pid: number; pgrp: number };
    expect(seen.pgrp).toBe(seen.pid);
    expect(seen.pgrp).not.toBe(processGroupOf(process.pid));
  });

  it('journals the call like the runner: kind handoff, argv redacted, exit code, duration', async () => {
    const { runner, lines } = testRunner(false, fakeEksctlEnv({ HANDOFF_EXIT: '7' }));
    await runHandoff(upgradeCommand(), { runner });
    expect(runner.entries()).toHaveLength(1);
    const entry = runner.entries()[0]!;
    expect(entry).toMatchObject({ kind: 'handoff', dryRun: false, skipped: false, exitCode: 7 });
    expect(entry.durationMs).toBeGreaterThan(0);
    expect(entry.argv).toContain('--tinkerbell-bmc-consumer-password=***');
    expect(JSON.stringify(entry)).not.toContain('hunter2');
    expect(lines).toEqual([expect.stringMatching(/^\$ eksctl anywhere upgrade cluster -f w01\/w01-eks-a-cluster.yaml .*'--hardware-csv=hw dir\/hw.csv'/)]);
    expect(lines[0]).not.toContain('hunter2');
  });

  it('removes its signal listeners when eksctl ends', async () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM'), hup: process.listenerCount('SIGHUP') };
    const { runner } = testRunner(false, fakeEksctlEnv());
    const pending = runHandoff(upgradeCommand(), { runner });
    expect(process.listenerCount('SIGINT')).toBe(before.int + 1);
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
    expect(process.listenerCount('SIGHUP')).toBe(before.hup + 1);
    await pending;
    expect(process.listenerCount('SIGINT')).toBe(before.int);
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
    expect(process.listenerCount('SIGHUP')).toBe(before.hup);
  });

  it('in dry-run prints "! cmd", journals it as skipped and runs nothing', async () => {
    const record = path.join(tempDir(), 'argv.json');
    const { runner, lines } = testRunner(true, fakeEksctlEnv({ HANDOFF_RECORD: record }));
    const result = await runHandoff(upgradeCommand(), { runner });
    expect(result).toEqual({ exitCode: 0, durationMs: 0, interrupted: false, forwardedSignals: [], skipped: true });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^! eksctl anywhere upgrade cluster -f /);
    expect(runner.entries()).toMatchObject([{ kind: 'handoff', dryRun: true, skipped: true, exitCode: null }]);
    expect(existsSync(record)).toBe(false);
  });

  it('throws EnvironmentError when eksctl is not on PATH, after journaling exit 127', async () => {
    const { runner } = testRunner(false, { ...process.env, PATH: tempDir() });
    await expect(runHandoff(upgradeCommand(), { runner })).rejects.toThrow(EnvironmentError);
    expect(runner.entries()).toMatchObject([{ kind: 'handoff', exitCode: 127 }]);
  });

  it('refuses a command that is not a hand-off', async () => {
    const { runner } = testRunner(false, fakeEksctlEnv());
    await expect(runHandoff(write(['eksctl'], 'not a hand-off'), { runner })).rejects.toThrow(/given a write command/);
  });
});
