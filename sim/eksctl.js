// Fake `eksctl` of the simulated world. Today it answers the version queries the product makes;
// every other command fails loudly, so a test never mistakes a gap of the fake for eksctl's behaviour.
import { appendFileSync } from 'node:fs';
import { readScenarioDefinition, resolveScenarioPath, normalizeDefinition } from './scenario.js';
import { RELEASE_MANIFEST_URL, bundleManifestUrl } from './generate/releases.js';

/** The eksctl release the fake claims to be (`eksctl version`). */
export const EKSCTL_VERSION = '0.199.0';

/** The EKS-A version of the fake CLI: EKSA_SIM_EKSCTL_VERSION, else the scenario's upgradeTo.eksaVersion. */
export function fakeEksaVersion(env) {
  if (env.EKSA_SIM_EKSCTL_VERSION) return env.EKSA_SIM_EKSCTL_VERSION;
  if (!env.EKSA_SIM_SCENARIO) throw new Error('fake eksctl: set EKSA_SIM_SCENARIO or EKSA_SIM_EKSCTL_VERSION');
  return normalizeDefinition(readScenarioDefinition(resolveScenarioPath(env.EKSA_SIM_SCENARIO))).upgradeTo.eksaVersion;
}

/** Drop the global `-v N` / `--verbosity N` flags the real CLI accepts anywhere. */
function withoutVerbosity(args) {
  const out = [];
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i];
    if (a === '-v' || a === '--verbosity') i += 1;
    else if (!/^(-v\d+|--verbosity=.*|-v=.*)$/.test(a)) out.push(a);
  }
  return out;
}

/**
 * @param {string[]} args  arguments after `eksctl`
 * @param {Record<string, string | undefined>} env
 * @param {{ stdout: (s: string) => void, stderr: (s: string) => void }} io
 * @returns {number} exit code
 */
export function eksctlMain(args, env, io) {
  if (env.EKSA_SIM_JOURNAL) {
    appendFileSync(env.EKSA_SIM_JOURNAL, `${JSON.stringify({ source: 'eksctl', argv: ['eksctl', ...args], cwd: process.cwd(), time: new Date().toISOString() })}\n`);
  }
  const words = withoutVerbosity(args);
  try {
    if (words.length === 1 && words[0] === 'version') {
      io.stdout(`${EKSCTL_VERSION}\n`);
      return 0;
    }
    if (words.length === 2 && words[0] === 'anywhere' && words[1] === 'version') {
      const version = fakeEksaVersion(env);
      io.stdout(`Version: ${version}\nRelease Manifest URL: ${RELEASE_MANIFEST_URL}\nBundle Manifest URL: ${bundleManifestUrl(version)}\n`);
      return 0;
    }
  } catch (e) {
    io.stderr(`Error: ${e.message}\n`);
    return 1;
  }
  io.stderr(`Error: fake eksctl: unsupported command: eksctl ${args.join(' ')}\n`);
  return 1;
}
