// What the operator reads after the hand-off went wrong or was stopped (issue 17, item 3): the state, the set
// and `restore-plan`; the runbook's path and first steps only when eksctl failed; never the whole RESTORE.md.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Applied } from '../../src/apply/execute-plan.js';
import { recheckSummary } from '../../src/apply/recheck.js';
import { cleanedUp, withCleanupHint } from '../../src/commands/backup.js';
import { SafeUpgradeError, UsageError } from '../../src/errors.js';
import { Runner } from '../../src/runner/runner.js';
import { restoreHint } from '../../src/commands/restore-hint.js';

const RUNBOOK = ['# Restore mgmt', '', '## Before anything: check the backup', '', 'verify it', '', '## Which procedure', '', '| what happened | what to do |', '|---|---|', '| the management cluster `mgmt` is lost | "Lost management cluster `mgmt`" |', '', '## Variables', '', ...Array.from({ length: 300 }, (_, i) => `line ${i}`)].join('\n');

function set(): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'hint-')), 'mgmt-backup-2026-12-06T05_00_00');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'RESTORE.md'), RUNBOOK);
  return dir;
}
const handoff = (exitCode: number, forwarded: NodeJS.Signals[] = []) => ({ exitCode, durationMs: 1, forwardedSignals: forwarded, skipped: false, interrupted: forwarded.length > 0 });
const backup = (dir: string) => ({ dir, manifest: {} as never, reused: false });
const poll = { confirmed: false, polls: 3, durationMs: 30_000, clusters: [{ name: 'mgmt', found: true, ready: false, generation: 3, observedGeneration: 2, kubernetesVersion: '1.31', eksaVersion: undefined, conditions: [{ type: 'Ready', status: 'False' }], failureMessage: undefined, consecutiveReady: 0 }] };

describe('restoreHint', () => {
  it('Ctrl-C while confirming: the last poll, the set and restore-plan; no runbook, no restore advice', async () => {
    const dir = set();
    const applied: Applied = { backup: backup(dir), handoff: handoff(0), lastPoll: poll };
    const text = (await restoreHint('Interrupted', applied))!;
    expect(text).toMatch(/^Interrupted while confirming: eksctl had finished \(exit 0\)\. At the last poll \(after 30s\): mgmt: Ready False, observed generation 2 of 3, Kubernetes 1\.31\./);
    expect(text).toContain(`Backup of this run: ${dir}`);
    expect(text).toContain(`eksa-safe-upgrade restore-plan ${dir}`);
    expect(text).not.toContain('line 0');
    expect(text).not.toContain('Which procedure');
    expect(text.split('\n').length).toBeLessThanOrEqual(4);
  });

  it('Ctrl-C during eksctl: eksctl\'s exit and "check the cluster", the set and restore-plan', async () => {
    const dir = set();
    const text = (await restoreHint('Interrupted', { backup: backup(dir), handoff: handoff(130, ['SIGINT']) }))!;
    expect(text).toMatch(/^Interrupted during eksctl \(it exited 130\): the cluster may be part-way through the upgrade, or fine/);
    expect(text).toContain(`eksa-safe-upgrade restore-plan ${dir}`);
    expect(text).not.toContain('line 0');
  });

  it('eksctl failed: the runbook path and its first steps, not the whole runbook', async () => {
    const dir = set();
    const text = (await restoreHint('UpgradeFailed', { backup: backup(dir), handoff: handoff(1) }))!;
    expect(text).toContain(`Restore runbook: ${path.join(dir, 'RESTORE.md')}`);
    expect(text).toContain(`1. check the backup: eksa-safe-upgrade verify ${dir}`);
    expect(text).toContain('| the management cluster `mgmt` is lost |');
    expect(text).not.toContain('line 0');
    expect(text.split('\n').length).toBeLessThan(15);
  });

  it('nothing before the hand-off', async () => {
    expect(await restoreHint('Interrupted', {})).toBeUndefined();
  });
});

describe('the recheck under the lock', () => {
  const verdicts = [{ name: 'mgmt', ready: true, reasons: [] }, { name: 'w01', ready: true, reasons: [] }, { name: 'w02', ready: false, reasons: [{ code: 'workers-rolling-out' }] }];
  it('says "still ready" only of a whole tree', () => {
    expect(recheckSummary(['mgmt', 'w01', 'w02'], { scope: { kind: 'whole-tree' } as never }, verdicts.map((v) => ({ ...v, ready: true, reasons: [] })))).toBe('still ready');
    const fallback = recheckSummary(['mgmt'], { scope: { kind: 'management-only', leftOut: [{ cluster: 'w02', reasons: [{ code: 'workers-rolling-out' }] }] } as never }, verdicts);
    expect(fallback).toBe('mgmt ready; left out of the backup: w02 not ready (workers-rolling-out)');
    expect(fallback).not.toContain('still ready');
  });
});

describe('backup after Ctrl-C', () => {
  it('says what was cleaned up', async () => {
    expect(await cleanedUp({}, {})).toBe('nothing had been written: no backup set, nothing paused');
    const root = mkdtempSync(path.join(os.tmpdir(), 'cleaned-'));
    const failedDir = path.join(root, 'mgmt-backup-x.failed');
    mkdirSync(failedDir);
    writeFileSync(path.join(failedDir, 'manifest.json'), JSON.stringify({ state: 'failed', pauseRestore: [{}, {}] }));
    const plan = { actions: [{ op: 'backup', cleanFailed: false, set: { failedDir } }] } as never;
    expect(await cleanedUp({ plan }, { backupStarted: true })).toBe(`pause state put back as recorded before clusterctl (2 switch(es) restored); the partial set was kept as ${failedDir}, marked failed (its manifest.json says why)`);
    const removed = { actions: [{ op: 'backup', cleanFailed: true, set: { failedDir: path.join(root, 'none.failed') } }] } as never;
    expect(await cleanedUp({ plan: removed }, { backupStarted: true })).toMatch(/the partial set was removed \(--clean-failed\)$/);
  });
});

describe('backup or cluster interrupted before the hand-off', () => {
  const interrupted = () => {
    const runner = new Runner({ dryRun: false, verbose: false, log: () => undefined });
    runner.interrupt('SIGINT');
    try {
      runner.throwIfInterrupted();
    } catch (error) {
      return error as SafeUpgradeError;
    }
    throw new Error('throwIfInterrupted did not throw');
  };

  it('the runner alone points at nothing that is not printed ("see above" with nothing above)', () => {
    expect(interrupted().hint).not.toMatch(/see above/);
  });

  it('the hint says what was cleaned up; other errors pass unchanged', async () => {
    const wrapped = (await withCleanupHint(interrupted(), {}, {})) as SafeUpgradeError;
    expect(wrapped.exit).toBe('Interrupted');
    expect(wrapped.message).toBe('interrupted by SIGINT');
    expect(wrapped.hint).toBe('nothing had been written: no backup set, nothing paused');
    const usage = new UsageError('bad flag', { hint: 'fix it' });
    expect(await withCleanupHint(usage, {}, {})).toBe(usage);
  });
});
