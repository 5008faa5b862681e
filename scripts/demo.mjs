#!/usr/bin/env node
// `npm run demo`: the tool on the bundled simulated fleet (real kubectl against our fake API server), and a
// backup of the healthy tree with real etcd snapshots when etcd and sshd are installed (the simulator then
// runs real etcd members and an sshd); without them it says which packages bring that step and backs up
// with --skip-etcd-backup --reason instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ETCD_PACKAGES, INSTALL_HINT } from '../sim/etcd/tools.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'eksa-safe-upgrade.js');
const simCli = path.join(root, 'sim', 'cli.js');

/** `up` prints `export K='v'` lines for a shell; read them back into an environment. */
function parseExports(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = m[2];
    if (value.startsWith("'")) value = value.slice(1, -1).replace(/'\\''/g, "'");
    else if (value.startsWith('"')) value = JSON.parse(value);
    env[m[1]] = value;
  }
  return env;
}

function banner(text) {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

/** Without real etcd, every command that backs up skips etcd with a recorded reason. */
const etcdSkipArgs = (env) => (env.EKSA_SIM_ETCD_STATE ? [] : ['--skip-etcd-backup', '--reason', `demo: etcd and sshd are not installed (${ETCD_PACKAGES})`]);
const runs = [
  { scenario: 'healthy', expect: 0, backup: true, about: 'every cluster ready: the whole tree is backed up, CAPI objects and etcd' },
  { scenario: 'unready-control-plane-not-ready', expect: 4, about: 'workload w02 mid control-plane rollout: named reason, management-only scope' },
];

function step(argv, env, cwd) {
  process.stdout.write(`$ eksa-safe-upgrade ${argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ')}\n`);
  return spawnSync(process.execPath, [bin, ...argv], { env, stdio: 'inherit', cwd }).status;
}

/** The backup step: real etcd snapshots when the simulator runs real etcd, else a visible, recorded skip. */
function backupStep(spec, env, workdir) {
  const realEtcd = Boolean(env.EKSA_SIM_ETCD_STATE);
  if (realEtcd) {
    process.stdout.write('real etcd: one etcd member per etcd Machine and an sshd on loopback; the snapshots go over SSH\n');
  } else {
    process.stdout.write(`\x1b[33mno real etcd here: the etcd step needs root and the packages ${ETCD_PACKAGES}\n`);
    process.stdout.write(`(${INSTALL_HINT}); backing up without etcd snapshots, the reason recorded\x1b[0m\n`);
  }
  const skip = etcdSkipArgs(env);
  const status = step(['backup', '-f', spec, ...skip], env, workdir);
  const mgmt = path.join(workdir, 'mgmt');
  const [set] = readdirSync(mgmt).filter((n) => /-backup-[^.]+$/.test(n)).sort().reverse();
  if (status === 0 && set) {
    const manifest = JSON.parse(readFileSync(path.join(mgmt, set, 'manifest.json'), 'utf8'));
    for (const e of manifest.etcd) {
      process.stdout.write(`  etcd snapshot ${e.file}: ${e.cluster} (${e.topology}, ${e.os}) from ${e.member} ${e.address}, ${e.size} bytes, ${e.totalKeys ?? '?'} keys, sha256 ${e.sha256.slice(0, 12)}…\n`);
    }
    if (manifest.etcdSkipped) process.stdout.write(`  no etcd snapshots, recorded as: ${manifest.etcdSkipped.reason}\n`);
  }
  return status;
}

/** The whole flow: the audit (dry-run) first, then the real upgrade, judged from the cluster; ends with the record. */
function upgradeFlow(spec, env, workdir) {
  const skip = etcdSkipArgs(env);
  let failed = 0;
  banner('the audit: cluster --dry-run runs every read and prints every write as "! cmd"');
  const audit = step(['cluster', '-f', spec, '--dry-run', ...skip], env, workdir);
  process.stdout.write(`exit code ${audit} (expected 0)\n`);
  if (audit !== 0) failed++;
  banner('the upgrade: gate, lock, backup (CAPI + etcd), hand-off to eksctl, confirmation from the cluster');
  const report = path.join(workdir, 'upgrade-report.json');
  const upgrade = step(['cluster', '-f', spec, '--confirm-interval', '1s', '--report', report, ...skip], env, workdir);
  process.stdout.write(`exit code ${upgrade} (expected 0)\n`);
  if (upgrade !== 0) return failed + 1;
  const e = JSON.parse(readFileSync(report, 'utf8'));
  banner('summary (from the evidence record, upgrade-report.json)');
  process.stdout.write(`outcome ${e.outcome}, exit code ${e.exitCode}, scope ${e.scope?.kind}\n`);
  for (const c of e.plan?.components ?? []) process.stdout.write(`  ${c.name}: ${c.oldVersion} → ${c.newVersion}\n`);
  process.stdout.write(`backup ${e.backup?.dir}: ${e.backup?.files?.length ?? 0} files, ${e.backup?.etcd?.length ?? 0} etcd snapshot(s)\n`);
  process.stdout.write(`lock ${e.lock?.holder} released: ${e.lock?.released}; eksctl exit ${e.handoff?.exitCode}; confirmed: ${e.confirm?.confirmed}\n`);
  for (const step of e.steps ?? []) process.stdout.write(`  ${step.status.padEnd(7)} ${String(step.durationMs).padStart(6)} ms  ${step.name}\n`);
  return failed;
}

let failures = 0;
for (const run of runs) {
  const workdir = mkdtempSync(path.join(tmpdir(), `eksa-demo-${run.scenario}-`));
  const scenario = path.join(root, 'sim', 'scenarios', `${run.scenario}.yaml`);
  banner(`scenario ${run.scenario}: ${run.about}`);
  // Real etcd only where a backup runs; `up` starts it when etcd and sshd are installed.
  const etcdFlag = run.backup ? [] : ['--no-real-etcd'];
  process.stdout.write(`$ eval "$(node sim/cli.js up --scenario sim/scenarios/${run.scenario}.yaml --workdir ${workdir}${etcdFlag.map((f) => ` ${f}`).join('')})"\n`);
  const exports = execFileSync(process.execPath, [simCli, 'up', '--scenario', scenario, '--workdir', workdir, ...etcdFlag], { encoding: 'utf8' });
  const env = { ...process.env, ...parseExports(exports), CI: process.env.CI ?? '' };
  try {
    const spec = path.join(workdir, 'mgmt', 'mgmt-eks-a-cluster.yaml');
    const status = step(['preflight', '-f', spec], env, workdir);
    process.stdout.write(`exit code ${status} (expected ${run.expect})\n`);
    if (status !== run.expect) failures++;
    if (run.backup) {
      const backup = backupStep(spec, env, workdir);
      process.stdout.write(`exit code ${backup} (expected 0)\n`);
      if (backup !== 0) failures++;
      failures += upgradeFlow(spec, env, workdir);
    }
  } finally {
    execFileSync(process.execPath, [simCli, 'down', '--workdir', workdir], { stdio: 'ignore' });
    rmSync(workdir, { recursive: true, force: true });
  }
}
banner(failures === 0 ? 'demo finished: every outcome as expected' : `demo finished with ${failures} unexpected outcome(s)`);
process.exitCode = failures === 0 ? 0 : 1;
