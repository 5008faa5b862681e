// Fake `eksctl` of the simulated world: the version queries, `anywhere upgrade cluster`,
// `anywhere upgrade management-components` and `anywhere upgrade plan cluster|management-components`
// (sim/eksctl/*.js). Every other command fails loudly, so a test never mistakes a gap of the fake for
// eksctl's behaviour. Like the real one it logs to stdout and prints cobra's `Error: …` on stderr.
import { RELEASE_MANIFEST_URL, bundleManifestUrl } from './generate/releases.js';
import { EksctlError, fakeEksaVersion } from './eksctl/context.js';
import { upgradeClusterCommand } from './eksctl/upgrade-cluster.js';
import { upgradeManagementComponentsCommand, upgradePlanCommand } from './eksctl/other-commands.js';
import { appendJournal } from './fakes/sim-env.js';

export { fakeEksaVersion };

/** The eksctl release the fake claims to be (`eksctl version`). */
export const EKSCTL_VERSION = '0.199.0';

/** Take the global `-v N` / `--verbosity N` flags the real CLI accepts anywhere out of the words. */
export function splitVerbosity(args) {
  const words = [];
  let verbosity = 0;
  for (let i = 0; i < args.length; i += 1) {
    const a = String(args[i]);
    const m = /^(?:-v|--verbosity)(?:=?(-?\d+))?$/.exec(a);
    if (!m) words.push(a);
    else if (m[1] !== undefined) verbosity = Number(m[1]);
    else verbosity = Number(args[(i += 1)] ?? 0);
  }
  return { words, verbosity };
}

/**
 * @param {string[]} args  arguments after `eksctl`
 * @param {Record<string, string | undefined>} env
 * @param {{ stdout: (s: string) => void, stderr: (s: string) => void }} io
 * @returns {Promise<number>} exit code
 */
export async function eksctlMain(args, env, io) {
  appendJournal(env, { source: 'eksctl', argv: ['eksctl', ...args], cwd: process.cwd() });
  const { words, verbosity } = splitVerbosity(args);
  const options = { env, write: io.stdout, verbosity };
  const [w0, w1, w2, w3] = words;
  try {
    if (words.length === 1 && w0 === 'version') {
      io.stdout(`${EKSCTL_VERSION}\n`);
      return 0;
    }
    if (words.length === 2 && w0 === 'anywhere' && w1 === 'version') {
      const version = fakeEksaVersion(env);
      io.stdout(`Version: ${version}\nRelease Manifest URL: ${RELEASE_MANIFEST_URL}\nBundle Manifest URL: ${bundleManifestUrl(version)}\n`);
      return 0;
    }
    if (w0 === 'anywhere' && w1 === 'upgrade') {
      if (w2 === 'cluster') return await upgradeClusterCommand(words.slice(3), options);
      if (w2 === 'management-components') return await upgradeManagementComponentsCommand(words.slice(3), options);
      if (w2 === 'plan' && (w3 === 'cluster' || w3 === 'management-components')) return await upgradePlanCommand(w3, words.slice(4), options);
    }
  } catch (e) {
    io.stderr(`Error: ${e.message}\n`);
    return e instanceof EksctlError ? e.exitCode : 1;
  }
  io.stderr(`Error: fake eksctl: unsupported command: eksctl ${args.join(' ')}\n`);
  return 1;
}
