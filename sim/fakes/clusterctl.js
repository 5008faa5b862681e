// The fake `clusterctl`: `version` and `move --to-directory / --from-directory`, with cobra's command and
// flag handling, clusterctl's messages on stderr as `Error: …`, exit 1 on failure.
// Anything it does not simulate exits 64 with a `fake clusterctl:` message, so a test notices at once.

import { FakeExit, pathError } from './go-style.js';
import { FlagError, parseFlags } from './flags.js';
import { behaviourOf, versionInfo, versionText } from './clusterctl-version.js';
import { appendJournal, clusterctlScenario, clusterctlVersion } from './sim-env.js';
import { fsView } from './fs-view.js';
import { loadKubeconfig } from './kubeconfig.js';
import { KubeClient } from './kube-client.js';
import { toDirectory } from './to-directory.js';
import { fromDirectory } from './from-directory.js';
import YAML from 'yaml';

const NOT_SIMULATED = 64;

const GLOBAL_FLAGS = {
  config: { type: 'string' },
  v: { type: 'int', short: 'v' },
  help: { type: 'bool', short: 'h' },
};
const COMMAND_FLAGS = {
  version: { output: { type: 'string', short: 'o' } },
  move: {
    kubeconfig: { type: 'string' },
    'to-kubeconfig': { type: 'string' },
    'kubeconfig-context': { type: 'string' },
    'to-kubeconfig-context': { type: 'string' },
    namespace: { type: 'string', short: 'n' },
    'dry-run': { type: 'bool' },
    'to-directory': { type: 'string' },
    'from-directory': { type: 'string' },
    'hide-api-warnings': { type: 'string' },
    'filter-cluster': { type: 'string' },
  },
};
const REAL_COMMANDS = ['alpha', 'completion', 'config', 'delete', 'describe', 'generate', 'get', 'help', 'init', 'upgrade'];
// cobra MarkFlagsMutuallyExclusive groups of cmd/clusterctl/cmd/move.go, in cobra's (sorted) check order.
const EXCLUSIVE = [
  ['from-directory', 'kubeconfig'],
  ['from-directory', 'to-directory'],
  ['to-directory', 'to-kubeconfig'],
];

/** The first argument that is not a global flag (or its value) names the command, as cobra's Find does. */
function splitCommand(args) {
  for (let i = 0; i < args.length; i++) {
    const a = /** @type {string} */ (args[i]);
    if (a === '--config' || a === '-v' || a === '--v') {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return { name: a, rest: [...args.slice(0, i), ...args.slice(i + 1)] };
  }
  return { name: undefined, rest: args };
}

/**
 * @param {string[]} args argv after the program name
 * @param {NodeJS.ProcessEnv} env
 * @param {{ stdout: (s: string) => void, stderr: (s: string) => void }} io
 * @returns {Promise<number>} exit code
 */
export async function clusterctlMain(args, env, io) {
  appendJournal(env, {
    source: 'clusterctl',
    argv: ['clusterctl', ...args],
    cwd: env.EKSA_SIM_CONTAINER_CWD ?? process.cwd(),
    ...(env.EKSA_SIM_CONTAINER_IMAGE ? { image: env.EKSA_SIM_CONTAINER_IMAGE } : {}),
  });
  let scenario;
  try {
    scenario = clusterctlScenario(env);
  } catch (error) {
    io.stderr(`fake clusterctl: ${error.message}\n`);
    return NOT_SIMULATED;
  }
  const version = clusterctlVersion(env, scenario);
  const { name, rest } = splitCommand(args);
  try {
    if (name === undefined) {
      io.stdout('clusterctl controls the lifecycle of a Cluster API management cluster\n\nUsage:\n  clusterctl [command]\n');
      return 0;
    }
    if (!(name in COMMAND_FLAGS)) {
      if (REAL_COMMANDS.includes(name)) {
        io.stderr(`fake clusterctl: "clusterctl ${name}" is not simulated (only version and move)\n`);
        return NOT_SIMULATED;
      }
      throw new FakeExit(`unknown command ${JSON.stringify(name)} for "clusterctl"\nRun 'clusterctl --help' for usage.`);
    }
    let parsed;
    try {
      parsed = parseFlags(rest, { ...GLOBAL_FLAGS, ...COMMAND_FLAGS[name] });
    } catch (error) {
      if (error instanceof FlagError) throw new FakeExit(error.message);
      throw error;
    }
    if (parsed.values.help) {
      io.stdout(`Usage:\n  clusterctl ${name} [flags]\n`);
      return 0;
    }
    if (parsed.positional.length > 0) {
      throw new FakeExit(`unknown command ${JSON.stringify(parsed.positional[0])} for "clusterctl ${name}"`);
    }
    if (name === 'version') return printVersion(version, parsed.values.output ?? '', io);
    return await runMove(parsed, version, scenario, env, io);
  } catch (error) {
    if (error instanceof FakeExit) {
      io.stderr(`Error: ${error.message}\n`);
      return error.code;
    }
    io.stderr(`fake clusterctl: internal error: ${error?.stack ?? error}\n`);
    return 70;
  }
}

function printVersion(version, output, io) {
  const info = versionInfo(version);
  if (output === '') io.stdout(`${versionText(version)}\n`);
  else if (output === 'short') io.stdout(`${info.gitVersion}\n`);
  else if (output === 'json') io.stdout(`${JSON.stringify({ clientVersion: info }, null, 2)}\n`);
  else if (output === 'yaml') io.stdout(YAML.stringify({ clientVersion: info }));
  else throw new FakeExit(`invalid output format: ${output}`);
  return 0;
}

async function runMove({ values, set }, version, scenario, env, io) {
  for (const group of EXCLUSIVE) {
    if (group.every((f) => set.includes(f))) {
      throw new FakeExit(`if any flags in the group [${group.join(' ')}] are set none of the others can be; [${group.join(' ')}] were all set`);
    }
  }
  const toDir = values['to-directory'] ?? '';
  const fromDir = values['from-directory'] ?? '';
  const toKubeconfig = values['to-kubeconfig'] ?? '';
  if (!toDir && !fromDir && !toKubeconfig && !values['dry-run']) {
    throw new FakeExit('please specify a target cluster using the --to-kubeconfig flag when not using --dry-run, --to-directory or --from-directory');
  }
  const warnings = values['hide-api-warnings'] ?? 'default';
  if (!['default', 'all', 'none'].includes(warnings)) {
    throw new FakeExit(`set of API warnings ${JSON.stringify(warnings)} is unknown; choose "default", "all", or "none"`);
  }
  if (!toDir && !fromDir) {
    io.stderr('fake clusterctl: a cluster-to-cluster move (--to-kubeconfig or --dry-run without a directory) is not simulated\n');
    return NOT_SIMULATED;
  }
  const fs = fsView(env);
  const log = (line) => io.stderr(`${line}\n`);
  const clusterName = values['filter-cluster'] ?? '';

  // --dry-run is not passed on for directory moves (client/move.go): to-directory pauses, writes and resumes for real.
  if (toDir) {
    const source = await connect(values.kubeconfig, values['kubeconfig-context'], env, fs);
    const namespace = values.namespace || source.namespace;
    statDirectory(fs, toDir);
    const behaviour = behaviourOf(version);
    await toDirectory({ client: source.client, fs, namespace, directory: toDir, clusterName, behaviour, faults: scenario, log });
    return 0;
  }
  const target = await connect(toKubeconfig, values['to-kubeconfig-context'], env, fs);
  statDirectory(fs, fromDir);
  await fromDirectory({ client: target.client, fs, directory: fromDir, clusterName, log });
  return 0;
}

function statDirectory(fs, dir) {
  try {
    fs.stat(dir);
  } catch (error) {
    if (error.code === 'ENOENT') throw new FakeExit(pathError('stat', dir, error));
  }
}

/** getClusterClient: kubeconfig, then clusterctl's first API call, the CAPI contract check on the Cluster CRD. */
async function connect(kubeconfigPath, context, env, fs) {
  const { server, namespace } = loadKubeconfig({ explicitPath: kubeconfigPath, context, env, fs });
  const client = new KubeClient({ server, env });
  try {
    await client.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/clusters.cluster.x-k8s.io');
  } catch (error) {
    throw new FakeExit(`failed to check Cluster API version: ${error.message}`);
  }
  return { client, namespace };
}
