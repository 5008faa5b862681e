#!/usr/bin/env node
// Plays examples/runbook.md on the simulated fleet: every code block marked `<!-- rehearsal: run -->`, as it is
// written, in one bash script run from the simulated admin folder. Needs a build (npm run build).
//
//   node examples/rehearse-runbook.mjs [--workdir DIR]    (with --workdir the folder is kept afterwards)
import { spawnSync, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const simCli = path.join(root, 'sim', 'cli.js');
const MARKER = '<!-- rehearsal: run -->';

/** The marked blocks, each with the `##` heading it stands under. */
export function rehearsedBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  let heading = '';
  for (let n = 0; n < lines.length; n++) {
    if (lines[n].startsWith('## ')) heading = lines[n].slice(3).replace(/\s*\*\(rehearsed\)\*$/, '');
    if (lines[n].trim() !== MARKER) continue;
    if (!/^```(bash|sh)\s*$/.test(lines[n + 1] ?? '')) throw new Error(`runbook.md:${n + 1}: ${MARKER} must stand right above a bash code block`);
    const body = [];
    for (n += 2; n < lines.length && !lines[n].startsWith('```'); n++) body.push(lines[n]);
    blocks.push({ heading, body: body.join('\n') });
  }
  return blocks;
}

/** `sim/cli.js up` prints `export K='v'` lines for a shell; read them back. */
function parseExports(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)='(.*)'$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/'\\''/g, "'");
  }
  return env;
}

const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

function main() {
  const at = process.argv.indexOf('--workdir');
  const keep = at > 0;
  const workdir = keep ? path.resolve(process.argv[at + 1]) : mkdtempSync(path.join(tmpdir(), 'eksa-rehearsal-'));
  mkdirSync(workdir, { recursive: true });
  const blocks = rehearsedBlocks(readFileSync(path.join(root, 'examples', 'runbook.md'), 'utf8'));

  process.stdout.write(`$ eval "$(node sim/cli.js up --scenario sim/scenarios/healthy.yaml --workdir ${workdir})"\n`);
  const exports = execFileSync(process.execPath, [simCli, 'up', '--scenario', path.join(root, 'sim', 'scenarios', 'healthy.yaml'), '--workdir', workdir], { encoding: 'utf8' });
  try {
    // The runbook's `npm link`, without touching the global prefix: eksa-safe-upgrade first on PATH.
    const bin = path.join(workdir, '.sim', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'eksa-safe-upgrade'), `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(path.join(root, 'bin', 'eksa-safe-upgrade.js'))} "$@"\n`);
    chmodSync(path.join(bin, 'eksa-safe-upgrade'), 0o755);
    const simEnv = parseExports(exports);
    const env = {
      ...process.env,
      ...simEnv,
      PATH: `${bin}${path.delimiter}${simEnv.PATH ?? process.env.PATH}`,
      // As the runbook's rehearsal section sets them: the admin folder, and no etcd nodes to snapshot.
      EKSA_ADMIN_DIR: workdir,
      EKSA_SAFE_UPGRADE_SKIP_ETCD_BACKUP: 'true',
      EKSA_SAFE_UPGRADE_REASON: 'rehearsal on the simulated fleet: no etcd nodes',
      // The simulated upgrade settles in seconds; poll it as often.
      EKSA_SAFE_UPGRADE_CONFIRM_INTERVAL: '1s',
      CI: process.env.CI ?? '',
    };
    const [bold, plain] = process.stdout.isTTY && !process.env.NO_COLOR ? ['\\033[1m', '\\033[0m'] : ['', ''];
    const banner = (text) => `printf '\\n${bold}== %s${plain}\\n' ${shellQuote(text)}`;
    const script = [
      'set -euo pipefail',
      ...blocks.flatMap((b) => [banner(b.heading), 'set -v', b.body, 'set +v']),
      banner('rehearsal finished: every step as the runbook wrote it'),
      '',
    ].join('\n');
    const file = path.join(workdir, '.sim', 'rehearsal.sh');
    writeFileSync(file, script);
    const result = spawnSync('bash', [file], { cwd: workdir, env, stdio: 'inherit' });
    return result.status ?? 1;
  } finally {
    execFileSync(process.execPath, [simCli, 'down', '--workdir', workdir], { stdio: 'ignore' });
    if (!keep) rmSync(workdir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
