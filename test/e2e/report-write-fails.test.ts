// `--report` is checked writable before the first write (issue 15, finding 6); should writing it still fail at
// the end of a confirmed real upgrade (its folder removed or replaced during the run), the outcome and the exit
// code stay the upgrade's (0, the success line on stdout) and one warning line on stderr names the report path.
import { execa } from 'execa';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertNoSimSecret, binPath } from '../helpers/run-bin.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import type { Sim } from '../helpers/sim.js';
import { concurrentSims } from '../helpers/concurrent-sims.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const NO_ETCD = ['--skip-etcd-backup', '--reason', 'report tests: etcd is covered by the etcd-backup tests'];
const FAST = ['--confirm-interval', '1s', '--confirm-timeout', '60s'];

// The three cases are full upgrades in worlds of their own, mostly waiting (eksctl's 2 s, the confirmation's polls):
// they run side by side, each closing its world when it ends.
const { isolated, sim } = concurrentSims(3);
const eksctlUpgrades = (s: Sim) => s.journal().filter((e) => e.source === 'eksctl' && e.argv.includes('upgrade') && !e.argv.includes('plan'));
const until = async (done: () => boolean) => {
  for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
};

describe.concurrent('--report cannot be written at the end of a confirmed upgrade', () => {
  it.each([
    ['its folder removed', (folder: string) => rmSync(folder, { recursive: true, force: true })],
    ['its folder replaced by a file', (folder: string) => {
      rmSync(folder, { recursive: true, force: true });
      writeFileSync(folder, 'not a folder');
    }],
    ['a folder put where the report goes', (folder: string) => mkdirSync(path.join(folder, 'report.json'))],
  ])('%s: exit 0 and the success line; one warning naming the report path', { timeout: 180_000 }, (_what, breakIt) => isolated(async () => {
    const s = await sim({ scenario: scenarioExtending('healthy', { eksctl: { upgrade: { outcome: 'succeed', durationMs: 2000 } } }) });
    const folder = path.join(s.workdir, 'reports');
    mkdirSync(folder);
    const report = path.join(folder, 'report.json');
    const child = execa(process.execPath, [binPath, 'cluster', '-f', s.specFile(), '--cli-tools-image', IMAGE, '--report', report, ...NO_ETCD, ...FAST], {
      env: { ...s.env, CI: '1', NO_COLOR: '1' }, extendEnv: false, cwd: s.workdir, reject: false, stdin: 'ignore', timeout: 170_000,
    });
    // The path was checked writable up front; it breaks while eksctl runs.
    await until(() => eksctlUpgrades(s).length > 0);
    expect(eksctlUpgrades(s)).toHaveLength(1);
    breakIt(folder);
    const r = await child;
    const stdout = String(r.stdout);
    const stderr = String(r.stderr);
    assertNoSimSecret({ stdout, stderr }, ['cluster']);
    expect(r.exitCode, stderr.slice(-3000)).toBe(0);
    expect(stdout).toMatch(/^Upgrade confirmed: mgmt is Ready/m);
    expect(stderr).not.toMatch(/^Error: /m);
    const warnings = stderr.split('\n').filter((l) => /report/.test(l) && /^warning: /.test(l));
    expect(warnings, stderr.slice(-3000)).toHaveLength(1);
    expect(warnings[0]).toContain(report);
    expect(warnings[0]).toMatch(/^warning: the report \S+ could not be written: .+; the upgrade's outcome stands: upgraded \(exit 0\)$/);
  })());
});
