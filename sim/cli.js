#!/usr/bin/env node
// Launcher of the simulated EKS-A world.
//   node sim/cli.js up --scenario FILE|NAME --workdir DIR [--workloads N] [--port P] [--real-etcd|--no-real-etcd]
//       starts the server in the background, writes the cluster files, prints `export` lines; when etcd
//       and sshd are installed (or with --real-etcd, which fails without them) also a real etcd member per
//       etcd Machine and one sshd (sim/etcd/README.md)
//   node sim/cli.js down --workdir DIR      stops the server `up` started there, and its etcd and sshd
//   node sim/cli.js serve …                 the background process itself (used by `up`)
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startSimServer } from './server.js';
import { normalizeDefinition, readScenarioDefinition, resolveScenarioPath } from './scenario.js';
import { simPaths, writeClusterFiles, simEnv, formatExports } from './workdir.js';
import { etcdWorldBlocker, realEtcdBlocker, startEtcdWorld, stopEtcdWorld } from './etcd/index.js';

const USAGE = `usage:
  node sim/cli.js up --scenario FILE|NAME --workdir DIR [--workloads N] [--port P] [--real-etcd|--no-real-etcd]
  node sim/cli.js down --workdir DIR`;
const OPTIONS = {
  scenario: { type: 'string' },
  workdir: { type: 'string' },
  workloads: { type: 'string' },
  port: { type: 'string' },
  seed: { type: 'string' },
  'real-etcd': { type: 'boolean' },
  'no-real-etcd': { type: 'boolean' },
  // serve only: auto | require | off, decided by `up`
  etcd: { type: 'string' },
};
const ETCD_MODES = ['auto', 'require', 'off'];
const START_TIMEOUT_MS = 30_000;

function readState(workdir) {
  try {
    return JSON.parse(readFileSync(simPaths(workdir).state, 'utf8'));
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and is our `serve` process for this workdir (never signal anything else). */
function isOurServer(pid, workdir) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes('serve') && cmdline.includes(path.resolve(workdir));
  } catch {
    try {
      process.kill(pid, 0);
      return true; // no /proc (macOS): trust the pid recorded by `up`
    } catch {
      return false;
    }
  }
}

function intOption(value, name, fallback) {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a non-negative integer`);
  return Number(value);
}

async function serve(opts) {
  const workdir = path.resolve(opts.workdir);
  const paths = simPaths(workdir);
  const server = await startSimServer({
    scenario: opts.scenario,
    workloads: intOption(opts.workloads, 'workloads', 0),
    seed: opts.seed,
    port: intOption(opts.port, 'port', 0),
    journalFile: paths.journal,
  });
  // The cluster files are written before the state file: once `up` sees the state, the workdir is complete.
  writeClusterFiles(workdir, server.scenario, server.url);
  const { world, etcd } = await startEtcd(opts.etcd ?? 'off', workdir, server.scenario, paths.journal).catch(async (error) => {
    await server.close(); // so this process ends and `up` reports the error from the log
    throw error;
  });
  // The management cluster's objects live in its real etcd, as kube-apiserver keeps them (sim/etcd/mirror.js).
  await world?.mirrorStore(server.store, server.scenario.management).catch(async (error) => {
    await world.stop().catch(() => undefined);
    await server.close();
    throw error;
  });
  const state = {
    pid: process.pid, url: server.url, port: server.port, scenario: opts.scenario, management: server.scenario.management,
    clusters: server.scenario.clusters.length, startedAt: new Date().toISOString(), etcd,
  };
  writeFileSync(`${paths.state}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${paths.state}.tmp`, paths.state);
  console.error(`sim: serving ${opts.scenario} on ${server.url} (pid ${process.pid})`);
  const stop = async () => {
    await world?.stop().catch((error) => console.error(`sim: stopping real etcd: ${error.message}`));
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** The real etcd world of `serve`, as the mode says; `etcd` is what state.json records of it. */
async function startEtcd(mode, workdir, scenario, journalFile) {
  if (!ETCD_MODES.includes(mode)) throw new Error(`--etcd must be one of ${ETCD_MODES.join(', ')}`);
  if (mode === 'off') return { world: undefined, etcd: { status: 'off' } };
  const blocker = etcdWorldBlocker(scenario, workdir);
  if (blocker && mode === 'require') throw new Error(`--real-etcd: ${blocker}`);
  if (blocker) return { world: undefined, etcd: { status: 'unavailable', reason: blocker } };
  const world = await startEtcdWorld({ workdir, scenario, journalFile });
  const clusters = world.clusters.map((c) => `${c.name} ${c.os} ${c.topology}${c.members.length > 1 ? ` x${c.members.length}` : ''}`);
  return { world, etcd: { status: 'running', env: world.env, clusters, members: world.clusters.reduce((n, c) => n + c.members.length, 0), sshPort: world.sshPort, startMs: world.startMs } };
}

function etcdMode(opts) {
  if (opts['real-etcd'] && opts['no-real-etcd']) throw new Error('--real-etcd and --no-real-etcd contradict each other');
  if (opts['no-real-etcd']) return 'off';
  if (opts['real-etcd']) {
    // Fail here, before anything starts, when the tools are not even installed.
    const blocker = realEtcdBlocker();
    if (blocker) throw new Error(`--real-etcd: ${blocker.reason}`);
    return 'require';
  }
  return 'auto';
}

function describeEtcd(etcd) {
  if (etcd?.status === 'running') {
    return `sim: real etcd: ${etcd.members} members (${etcd.clusters.join(', ')}), sshd on port ${etcd.sshPort}, ready in ${(etcd.startMs / 1000).toFixed(1)} s`;
  }
  if (etcd?.status === 'unavailable') {
    return `sim: no real etcd: ${etcd.reason}; back up with --skip-etcd-backup --reason "…"`;
  }
  return 'sim: no real etcd (--no-real-etcd); back up with --skip-etcd-backup --reason "…"';
}

async function up(opts) {
  if (!opts.scenario || !opts.workdir) throw new Error(USAGE);
  const mode = etcdMode(opts);
  const workdir = path.resolve(opts.workdir);
  const paths = simPaths(workdir);
  const previous = readState(workdir);
  if (previous && isOurServer(previous.pid, workdir)) {
    throw new Error(`a simulator already runs for ${workdir} (pid ${previous.pid}, ${previous.url}); run: node sim/cli.js down --workdir ${workdir}`);
  }
  const scenarioFile = resolveScenarioPath(opts.scenario);
  const workloads = intOption(opts.workloads, 'workloads', 0);
  // Validate the scenario's shape here, so a broken file fails `up` with its own message; the
  // objects are generated once, by the server (a patch error then shows in the server log tail).
  const scenario = normalizeDefinition(readScenarioDefinition(scenarioFile), { workloads });
  mkdirSync(paths.dir, { recursive: true });
  rmSync(paths.state, { force: true });
  const log = openSync(paths.log, 'a');
  const child = spawn(process.execPath, [
    fileURLToPath(import.meta.url), 'serve', '--scenario', scenarioFile, '--workdir', workdir,
    '--workloads', String(workloads), '--port', String(intOption(opts.port, 'port', 0)), '--etcd', mode,
    ...(opts.seed ? ['--seed', opts.seed] : []),
  ], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  let exited = false;
  child.on('exit', () => { exited = true; });
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  let state;
  while (!state) {
    if (exited) throw new Error(`the simulator exited during start-up; see ${paths.log}:\n${readFileSync(paths.log, 'utf8').slice(-2000)}`);
    if (Date.now() > deadline) {
      process.kill(child.pid, 'SIGTERM');
      throw new Error(`the simulator did not start within ${START_TIMEOUT_MS / 1000}s; see ${paths.log}`);
    }
    await sleep(50);
    const s = readState(workdir);
    if (s?.pid === child.pid && (await answers(s.url))) state = s;
  }
  const env = simEnv({ workdir, url: state.url, scenarioFile, management: scenario.management, etcd: state.etcd?.env });
  console.error(`sim: ${scenario.name} (${scenario.clusters.length} clusters) on ${state.url}, pid ${state.pid}`);
  console.error(describeEtcd(state.etcd));
  process.stdout.write(`${formatExports(env)}\n`);
}

async function answers(url) {
  try {
    const res = await fetch(`${url}/version`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function down(opts) {
  if (!opts.workdir) throw new Error(USAGE);
  const workdir = path.resolve(opts.workdir);
  const state = readState(workdir);
  // The server stops its etcd and sshd itself; this catches what a server that died left running.
  const stopEtcdLeftovers = async () => {
    if (await stopEtcdWorld(workdir)) console.error('sim: stopped real etcd and sshd');
  };
  if (!state || !isOurServer(state.pid, workdir)) {
    rmSync(simPaths(workdir).state, { force: true });
    await stopEtcdLeftovers();
    console.error(`sim: no simulator running for ${workdir}`);
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (isOurServer(state.pid, workdir)) {
    if (Date.now() > deadline) throw new Error(`pid ${state.pid} did not stop within 10s`);
    await sleep(50);
  }
  rmSync(simPaths(workdir).state, { force: true });
  await stopEtcdLeftovers();
  console.error(`sim: stopped pid ${state.pid}`);
}

async function main(argv) {
  const [command, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: OPTIONS, strict: true });
  switch (command) {
    case 'up': return up(values);
    case 'down': return down(values);
    case 'serve': return serve(values);
    default: throw new Error(USAGE);
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`sim: ${e.message}`);
  process.exitCode = 1;
});
