#!/usr/bin/env node
// `npm run demo`: the tool on the bundled simulated fleet (real kubectl against our fake API server).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

const runs = [
  { scenario: 'healthy', expect: 0, about: 'every cluster ready: the whole tree would be backed up' },
  { scenario: 'unready-control-plane-not-ready', expect: 4, about: 'workload w02 mid control-plane rollout: named reason, management-only scope' },
];

let failures = 0;
for (const run of runs) {
  const workdir = mkdtempSync(path.join(tmpdir(), `eksa-demo-${run.scenario}-`));
  const scenario = path.join(root, 'sim', 'scenarios', `${run.scenario}.yaml`);
  banner(`scenario ${run.scenario}: ${run.about}`);
  process.stdout.write(`$ eval "$(node sim/cli.js up --scenario sim/scenarios/${run.scenario}.yaml --workdir ${workdir})"\n`);
  const exports = execFileSync(process.execPath, [simCli, 'up', '--scenario', scenario, '--workdir', workdir], { encoding: 'utf8' });
  const env = { ...process.env, ...parseExports(exports), CI: process.env.CI ?? '' };
  try {
    const spec = path.join(workdir, 'mgmt', 'mgmt-eks-a-cluster.yaml');
    process.stdout.write(`$ eksa-safe-upgrade preflight -f ${spec}\n`);
    const result = spawnSync(process.execPath, [bin, 'preflight', '-f', spec], { env, stdio: 'inherit', cwd: workdir });
    process.stdout.write(`exit code ${result.status} (expected ${run.expect})\n`);
    if (result.status !== run.expect) failures++;
  } finally {
    execFileSync(process.execPath, [simCli, 'down', '--workdir', workdir], { stdio: 'ignore' });
    rmSync(workdir, { recursive: true, force: true });
  }
}
banner(failures === 0 ? 'demo finished: both outcomes as expected' : `demo finished with ${failures} unexpected outcome(s)`);
process.exitCode = failures === 0 ? 0 : 1;
