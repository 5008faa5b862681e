// The working directory a simulated run uses, shared by `sim/cli.js up` and the vitest helper:
//   DIR/<cluster>/<cluster>-eks-a-cluster.kubeconfig   (mode 0600, server = the simulator, no auth)
//   DIR/<cluster>/<cluster>-eks-a-cluster.yaml         (the spec: upgradeTo versions, then the cluster's specFile:)
//   DIR/.sim/{state.json, server.log, journal.ndjson, kube-cache/, release-manifest.yaml, bundles-<n>.yaml}
//   DIR/.sim/etcd/, DIR/<cluster>/eks-a-id_rsa    the real etcd world, when it runs (sim/etcd/README.md)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SIM_DIR, specFileText } from './scenario.js';
import { writeReleaseManifest } from './release-manifest.js';

export const SIM_BIN = path.join(SIM_DIR, 'bin');

/** Paths of the simulator's own files under a workdir. */
export function simPaths(workdir) {
  const dir = path.join(path.resolve(workdir), '.sim');
  return {
    dir,
    state: path.join(dir, 'state.json'),
    log: path.join(dir, 'server.log'),
    journal: path.join(dir, 'journal.ndjson'),
    kubeCache: path.join(dir, 'kube-cache'),
    releaseManifest: path.join(dir, 'release-manifest.yaml'),
  };
}

/** Where EKS-A keeps a cluster's files, relative to the directory it runs in. */
export function clusterPaths(workdir, name) {
  const dir = path.join(path.resolve(workdir), name);
  return {
    dir,
    kubeconfig: path.join(dir, `${name}-eks-a-cluster.kubeconfig`),
    spec: path.join(dir, `${name}-eks-a-cluster.yaml`),
  };
}

/** A kubeconfig like the one EKS-A writes (`<c>-admin@<c>`), pointing at the simulator without auth. */
export function kubeconfigYaml(name, url) {
  const user = `${name}-admin`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${url}`,
    'contexts:',
    `- name: ${user}@${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${user}`,
    `current-context: ${user}@${name}`,
    'preferences: {}',
    'users:',
    `- name: ${user}`,
    '  user: {}',
    '',
  ].join('\n');
}

/**
 * Write every cluster's kubeconfig and spec file (workload clusters share the management server), and the
 * offline release manifest with its bundles under .sim/.
 * @returns {Array<{ name: string, kubeconfig: string, spec: string | undefined }>}
 */
export function writeClusterFiles(workdir, scenario, url) {
  mkdirSync(simPaths(workdir).dir, { recursive: true });
  writeReleaseManifest(simPaths(workdir).dir, scenario);
  return scenario.clusters.map(({ name }) => {
    const paths = clusterPaths(workdir, name);
    mkdirSync(paths.dir, { recursive: true });
    writeFileSync(paths.kubeconfig, kubeconfigYaml(name, url), { mode: 0o600 });
    const text = specFileText(scenario, name);
    if (text !== undefined) writeFileSync(paths.spec, text);
    return { name, kubeconfig: paths.kubeconfig, spec: text !== undefined ? paths.spec : undefined };
  });
}

/**
 * The environment a run against the simulator needs (what `up` prints as `export` lines).
 * `etcd`: the real etcd world's variables (EKSA_SAFE_UPGRADE_SSH_*, _ETCD_*), when it runs.
 * @param {{ workdir: string, url: string, scenarioFile?: string, management: string, basePath?: string, etcd?: Record<string, string> }} options
 */
export function simEnv({ workdir, url, scenarioFile, management, basePath = process.env.PATH ?? '', etcd }) {
  const paths = simPaths(workdir);
  return {
    KUBECONFIG: clusterPaths(workdir, management).kubeconfig,
    PATH: basePath ? `${SIM_BIN}${path.delimiter}${basePath}` : SIM_BIN,
    EKSA_SIM_JOURNAL: paths.journal,
    EKSA_SIM_URL: url,
    ...(scenarioFile ? { EKSA_SIM_SCENARIO: scenarioFile } : {}),
    EKSA_SIM_WORKDIR: path.resolve(workdir),
    // kubectl's discovery and HTTP cache (the dispatcher caches /version there) must not leak between runs.
    KUBECACHEDIR: paths.kubeCache,
    // The offline release manifest: the product finds the cli-tools image without the network.
    EKSA_SAFE_UPGRADE_RELEASE_MANIFEST: paths.releaseManifest,
    ...etcd,
  };
}

/** POSIX-shell single quoting. */
export const shellQuote = (value) => `'${String(value).replaceAll("'", "'\\''")}'`;

/** `export NAME='value'` lines for `eval "$(node sim/cli.js up …)"`. */
export function formatExports(env) {
  return Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n');
}
