// The fake `docker`: `docker version` and `docker run … --entrypoint clusterctl IMAGE move …`, which runs the
// fake clusterctl as the container would: only bind mounts visible, cwd from -w, the container's own
// environment (-e), loopback reachable only with --network host. Exit codes as docker's: the container's
// own, 125 when docker itself fails. Unsimulated uses exit 64 with a `fake docker:` message.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FlagError, parseFlags } from './flags.js';
import { appendJournal, clusterctlScenario } from './sim-env.js';

const NOT_SIMULATED = 64;
const DOCKER_FAILED = 125;
export const DOCKER_VERSION = '27.5.1';
const CLUSTERCTL_BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'clusterctl');

const RUN_FLAGS = {
  interactive: { type: 'bool', short: 'i' },
  tty: { type: 'bool', short: 't' },
  rm: { type: 'bool' },
  init: { type: 'bool' },
  network: { type: 'string' },
  net: { type: 'string' },
  workdir: { type: 'string', short: 'w' },
  volume: { type: 'list', short: 'v' },
  env: { type: 'list', short: 'e' },
  entrypoint: { type: 'string' },
  user: { type: 'string', short: 'u' },
  name: { type: 'string' },
  pull: { type: 'string' },
};

/** `repo:tag` as docker shows it (`:latest` added when there is neither tag nor digest) and the bare repository. */
export function imageRef(image) {
  if (image.includes('@')) return { shown: image, repository: image.split('@')[0] ?? image };
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon === -1 ? { shown: `${image}:latest`, repository: image } : { shown: image, repository: image.slice(0, colon) };
}

/** `-v HOST:CONTAINER[:ro]` → a mount, or the daemon's complaint. */
export function parseVolume(spec) {
  const parts = spec.split(':');
  const [host = '', container = '', options = ''] = parts;
  if (parts.length < 2 || parts.length > 3 || !container.startsWith('/')) {
    return { error: `invalid spec: ${spec}: invalid volume specification: '${spec}'` };
  }
  if (!host.startsWith('/')) {
    if (/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(host)) return { namedVolume: host };
    return {
      error: `create ${host}: "${host}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
    };
  }
  return { mount: { host: path.posix.normalize(host), container: path.posix.normalize(container), readOnly: options.split(',').includes('ro') } };
}

/**
 * @param {string[]} args argv after the program name
 * @param {NodeJS.ProcessEnv} env
 * @param {{ stdout: (s: string) => void, stderr: (s: string) => void }} io
 * @returns {Promise<number>} exit code
 */
export async function dockerMain(args, env, io) {
  appendJournal(env, { source: 'docker', argv: ['docker', ...args], cwd: process.cwd() });
  const [command, ...rest] = args;
  if (command === 'version') return version(rest, io);
  if (command === 'run') return run(rest, env, io);
  io.stderr(`fake docker: "docker ${command ?? ''}" is not simulated (only version and run)\n`);
  return NOT_SIMULATED;
}

function version(args, io) {
  let parsed;
  try {
    parsed = parseFlags(args, { format: { type: 'string', short: 'f' } });
  } catch (error) {
    io.stderr(`${error.message}\nSee 'docker version --help'.\n`);
    return DOCKER_FAILED;
  }
  const format = parsed.values.format;
  if (format === undefined) {
    io.stdout(`Client:\n Version:           ${DOCKER_VERSION}\n API version:       1.47\n\nServer:\n Engine:\n  Version:          ${DOCKER_VERSION}\n  API version:      1.47 (minimum version 1.24)\n`);
    return 0;
  }
  if (/^\{\{\s*\.(Server|Client)\.Version\s*\}\}$/.test(format)) {
    io.stdout(`${DOCKER_VERSION}\n`);
    return 0;
  }
  io.stderr(`fake docker: version --format ${JSON.stringify(format)} is not simulated\n`);
  return NOT_SIMULATED;
}

async function run(args, env, io) {
  let parsed;
  try {
    parsed = parseFlags(args, RUN_FLAGS, { interspersed: false });
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    io.stderr(`${error.message}\nSee 'docker run --help'.\n`);
    return DOCKER_FAILED;
  }
  const [image, ...containerArgs] = parsed.positional;
  const daemonError = (message) => {
    io.stderr(`docker: Error response from daemon: ${message}.\nSee 'docker run --help'.\n`);
    return DOCKER_FAILED;
  };
  if (!image) {
    io.stderr(`"docker run" requires at least 1 argument.\nSee 'docker run --help'.\n`);
    return DOCKER_FAILED;
  }
  let scenario;
  try {
    scenario = clusterctlScenario(env);
  } catch (error) {
    io.stderr(`fake docker: ${error.message}\n`);
    return NOT_SIMULATED;
  }
  const ref = imageRef(image);
  if (image.includes('missing') || scenario.missingImage) {
    io.stderr(`Unable to find image '${ref.shown}' locally\n`);
    return daemonError(
      `pull access denied for ${ref.repository}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
    );
  }
  const mounts = [];
  for (const spec of parsed.values.volume ?? []) {
    const v = parseVolume(spec);
    if (v.error) return daemonError(v.error);
    if (v.namedVolume) {
      io.stderr(`fake docker: named volume ${JSON.stringify(v.namedVolume)} is not simulated (bind mounts only)\n`);
      return NOT_SIMULATED;
    }
    fs.mkdirSync(v.mount.host, { recursive: true }); // the daemon creates a missing bind source
    mounts.push(v.mount);
  }
  const workdir = parsed.values.workdir ?? '/';
  if (!workdir.startsWith('/')) return daemonError(`the working directory '${workdir}' is invalid, it needs to be an absolute path`);
  if (parsed.values.entrypoint !== 'clusterctl') {
    io.stderr(`fake docker: only --entrypoint clusterctl is simulated (got ${JSON.stringify(parsed.values.entrypoint ?? '')})\n`);
    return NOT_SIMULATED;
  }

  const containerCwd = path.posix.normalize(workdir);
  const cwdMount = mounts
    .filter((m) => containerCwd === m.container || containerCwd.startsWith(`${m.container.replace(/\/$/, '')}/`))
    .sort((a, b) => b.container.length - a.container.length)[0];
  const hostCwd = cwdMount ? path.posix.join(cwdMount.host, path.posix.relative(cwdMount.container, containerCwd)) : os.tmpdir();

  const child = spawn(process.execPath, [CLUSTERCTL_BIN, ...containerArgs], {
    cwd: hostCwd,
    env: containerEnv(env, parsed.values.env ?? [], { mounts, containerCwd, image, network: parsed.values.network ?? parsed.values.net ?? 'bridge' }),
    stdio: [parsed.values.interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'],
  });
  // docker run proxies signals to the container (--sig-proxy defaults to true).
  const forward = (signal) => child.kill(signal);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  const [code, signal] = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
  });
  for (const s of signals) process.off(s, forward);
  if (signal) return 128 + (os.constants.signals[signal] ?? 0);
  return code ?? DOCKER_FAILED;
}

/** The container sees its own environment: PATH, HOME=/root, -e values, and the simulator's plumbing. */
function containerEnv(hostEnv, envFlags, { mounts, containerCwd, image, network }) {
  const env = { PATH: hostEnv.PATH ?? '/usr/bin:/bin', HOME: '/root', HOSTNAME: 'cli-tools' };
  for (const [key, value] of Object.entries(hostEnv)) if (key.startsWith('EKSA_SIM_')) env[key] = value;
  for (const entry of envFlags) {
    const eq = entry.indexOf('=');
    if (eq === -1) {
      if (hostEnv[entry] !== undefined) env[entry] = hostEnv[entry];
    } else {
      env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  }
  env.EKSA_SIM_CONTAINER_MOUNTS = JSON.stringify(mounts);
  env.EKSA_SIM_CONTAINER_CWD = containerCwd;
  env.EKSA_SIM_CONTAINER_NETWORK = network;
  env.EKSA_SIM_CONTAINER_IMAGE = image;
  return env;
}
