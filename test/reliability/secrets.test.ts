// Secrets never reach an output: the kubeconfig's token, the data of every Secret the backup carries,
// provider credentials in the environment, secret eksctl flags, private keys. Every command runs at -v 9
// with its JSON output, report, journal and GitHub step summary, successful and failing, and everything
// it printed or wrote about itself is searched for every secret value. (Every other run of this suite
// checks its own outputs the same way.) And a backup set is 0700/0600 whatever the umask.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { scenarioExtending } from '../helpers/scenario-file.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { IMAGE, NO_ETCD, backupSets, expectNoSecrets, expectPrivateSet, runOutputs, simSecrets, smallScenario, startCli, type CliResult } from './helpers.js';

const token = `sim-secret-kubeconfig-token-${randomBytes(12).toString('hex')}`;
const vspherePassword = `sim-secret-vsphere-password-${randomBytes(12).toString('hex')}`;
const hmacSecret = `sim-secret-bmc-hmac-${randomBytes(12).toString('hex')}`;
// What a private key in an output would look like, whatever key it is.
const PRIVATE_KEY = /PRIVATE KEY-----|sim-secret-/;

let sim: Sim;
let secrets: string[];
let env: Record<string, string>;
let out: string;
beforeAll(async () => {
  sim = await startSim({ scenario: smallScenario() });
  // The management kubeconfig carries a bearer token, as a real one carries credentials.
  const kubeconfig = parse(readFileSync(sim.kubeconfig, 'utf8'));
  kubeconfig.users[0].user = { token };
  writeFileSync(sim.kubeconfig, stringify(kubeconfig), { mode: 0o600 });
  secrets = simSecrets(sim, [token, vspherePassword, hmacSecret]);
  out = path.join(sim.workdir, 'outputs');
  env = {
    ...sim.env,
    EKSA_VSPHERE_USERNAME: 'administrator@vsphere.local',
    EKSA_VSPHERE_PASSWORD: vspherePassword,
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: path.join(sim.workdir, 'step-summary.md'),
  };
  expect(secrets.length).toBeGreaterThan(20);
});
afterAll(async () => sim.close());

/** Runs one command and searches all it printed and wrote about itself (not the backup set). */
async function checked(args: string[], options: { expectExit?: number; extraEnv?: Record<string, string> } = {}): Promise<CliResult> {
  const id = Math.random().toString(36).slice(2);
  const journal = path.join(sim.workdir, `journal-${id}.ndjson`);
  const report = path.join(sim.workdir, `report-${id}.json`);
  const withFiles = ['cluster', 'management-components'].includes(args[0]!) ? ['--report', report] : [];
  const journalFlag = ['verify', 'backups', 'restore-plan'].includes(args[0]!) ? [] : ['--journal', journal];
  const r = await startCli([...args, ...journalFlag, ...withFiles, '-v', '9'], { env: { ...env, ...options.extraEnv }, cwd: sim.workdir, timeoutMs: 90_000 }).done;
  expect(r.exitCode, `${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`).toBe(options.expectExit ?? 0);
  const outputs = runOutputs(r, { journal, report, 'step summary': env.GITHUB_STEP_SUMMARY! });
  expectNoSecrets(outputs, secrets);
  for (const [where, text] of Object.entries(outputs)) expect(text, where).not.toMatch(PRIVATE_KEY);
  return r;
}

const latestSet = () => backupSets(path.join(sim.workdir, 'mgmt')).filter((s) => s.state === 'complete').at(-1)!;

describe('no secret in any output', () => {
  it('secrets: preflight -v 9, table and JSON', async () => {
    await checked(['preflight', '-f', sim.specFile()]);
    await checked(['preflight', '-f', sim.specFile(), '-o', 'json']);
  });

  it('secrets: backup -v 9 -o json, then verify, backups list and restore-plan of the set', async () => {
    await checked(['backup', '-f', sim.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD, '-o', 'json']);
    const set = latestSet();
    // The set itself holds the Secrets (that is the point of it), privately; what the tool prints about it does not.
    expect(readFileSync(path.join(set.dir, 'capi', 'Secret_eksa-system_mgmt-kubeconfig.yaml'), 'utf8')).toMatch(/"value":"/);
    await checked(['verify', set.dir, '-o', 'json']);
    await checked(['verify', set.dir]);
    await checked(['backups', 'list', '--dir', path.join(sim.workdir, 'mgmt'), '-o', 'json']);
    const plan = await checked(['restore-plan', set.dir]);
    expect(plan.stdout).toMatch(/clusterctl move --from-directory/);
    expectNoSecrets({ 'RESTORE.md': readFileSync(path.join(set.dir, 'RESTORE.md'), 'utf8'), 'manifest.json': readFileSync(path.join(set.dir, 'manifest.json'), 'utf8') }, secrets);
  });

  it('secrets: cluster --dry-run -v 9 -o json with a secret eksctl flag', async () => {
    const r = await checked(['cluster', '-f', sim.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD, '--dry-run', '-o', 'json', '--tinkerbell-bmc-hmac-secrets', hmacSecret]);
    expect(r.stderr).toMatch(/--tinkerbell-bmc-hmac-secrets=\*\*\*/);
  });

  it('secrets: cluster -v 9 end to end, report, journal and step summary', async () => {
    const r = await checked(['cluster', '-f', sim.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD, '--confirm-interval', '1s']);
    expect(r.stdout).toMatch(/Upgrade confirmed/);
    expect(existsSync(env.GITHUB_STEP_SUMMARY!)).toBe(true);
  });

  it('secrets: a failing clusterctl and a refused kubeconfig print no secret either', async () => {
    const failing = scenarioExtending('healthy', { clusterctl: { failAfterFiles: 4 } });
    await checked(['backup', '-f', sim.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD], { expectExit: 7, extraEnv: { EKSA_SIM_SCENARIO: failing } });
    const broken = path.join(sim.workdir, 'broken.kubeconfig');
    writeFileSync(broken, `clusters: [\nusers:\n- user: {token: ${token}}\n`);
    await checked(['preflight', '-f', sim.specFile(), '--kubeconfig', broken], { expectExit: 2 });
  });
});

describe('backup sets are private whatever the umask', () => {
  it.each([['000', 0o000]] as const)('secrets: umask %s: folders 0700, files 0600, complete and failed sets alike', async (_label, umask) => {
    const failing = scenarioExtending('healthy', { clusterctl: { failAfterFiles: 6 } });
    for (const [scenario, exit] of [[undefined, 0], [failing, 7]] as const) {
      const before = new Set(readdirSync(path.join(sim.workdir, 'mgmt')));
      const r = await startCli(['backup', '-f', sim.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD], {
        env: { ...env, ...(scenario ? { EKSA_SIM_SCENARIO: scenario } : {}) },
        cwd: sim.workdir,
        umask,
        timeoutMs: 60_000,
      }).done;
      expect(r.exitCode, r.stderr).toBe(exit);
      const created = readdirSync(path.join(sim.workdir, 'mgmt')).filter((n) => !before.has(n) && n.includes('-backup-'));
      expect(created).toHaveLength(1);
      const dir = path.join(sim.workdir, 'mgmt', created[0]!);
      expect(created[0]!.endsWith('.failed')).toBe(exit !== 0);
      expectPrivateSet(dir);
    }
  });
});
