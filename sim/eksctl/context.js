// What every fake `eksctl anywhere` command reads before it talks to the cluster: its own version, the
// scenario's `eksctl:` block, the cluster spec file and the kubeconfigs, with the real CLI's rules and
// error texts (cmd/eksctl-anywhere/cmd/{upgradecluster.go, options.go, common.go}, pkg/kubeconfig).
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { readScenarioDefinition, resolveScenarioPath, normalizeDefinition } from '../scenario.js';
import { normalizeEksctlBlock, scriptFor, EKSCTL_ERROR_EXIT } from './config.js';

/** A failure the command reports as `Error: <message>` on stderr (cobra), exit 255 unless told. */
export class EksctlError extends Error {
  constructor(message, exitCode = EKSCTL_ERROR_EXIT) {
    super(message);
    this.exitCode = exitCode;
  }
}

const scenarioOf = (env) => normalizeDefinition(readScenarioDefinition(resolveScenarioPath(env.EKSA_SIM_SCENARIO)));

/** The EKS-A version of the fake CLI: EKSA_SIM_EKSCTL_VERSION, else the scenario's upgradeTo.eksaVersion. */
export function fakeEksaVersion(env) {
  if (env.EKSA_SIM_EKSCTL_VERSION) return env.EKSA_SIM_EKSCTL_VERSION;
  if (!env.EKSA_SIM_SCENARIO) throw new Error('fake eksctl: set EKSA_SIM_SCENARIO or EKSA_SIM_EKSCTL_VERSION');
  return scenarioOf(env).upgradeTo.eksaVersion;
}

/**
 * How `upgrade cluster` ends: the scenario's `eksctl.upgrade`, with the keys of EKSA_SIM_EKSCTL_UPGRADE
 * (a JSON object, e.g. {"outcome":"fail"}) on top, so one test can script one run; then the keys of
 * `clusters.<name>` for the cluster being upgraded.
 */
export function upgradeScript(env, clusterName) {
  const fromScenario = env.EKSA_SIM_SCENARIO ? scenarioOf(env).eksctl.upgrade : normalizeEksctlBlock(undefined).upgrade;
  if (!env.EKSA_SIM_EKSCTL_UPGRADE) return scriptFor(fromScenario, clusterName);
  let override;
  try {
    override = JSON.parse(env.EKSA_SIM_EKSCTL_UPGRADE);
  } catch (e) {
    throw new Error(`fake eksctl: EKSA_SIM_EKSCTL_UPGRADE is not JSON: ${e.message}`);
  }
  return scriptFor(normalizeEksctlBlock({ upgrade: { ...fromScenario, ...override } }, 'EKSA_SIM_EKSCTL_UPGRADE').upgrade, clusterName);
}

/**
 * The cluster spec file: every document, and the EKS-A Cluster among them.
 * @returns {{ file: string, docs: any[], cluster: any }}
 */
/**
 * NormalizeKubernetesVersion (aws/eks-anywhere pkg/api/v1alpha1/cluster.go, issue #9184): an unquoted
 * `kubernetesVersion: 1.30` is quoted before the YAML is parsed, so it reads "1.30", not the float 1.3.
 */
export function normalizeKubernetesVersion(text) {
  // EKS-A's own regular expression: only 1.xx (two digits or more) is quoted; `1.3` stays a number.
  return text.replace(/^(.*kubernetesVersion:\s*)['"]?(1\.[0-9]{2,})['"]?(.*)$/gm, '$1"$2"$3');
}

export function readSpecFile(file, { wrapMissing = (m) => m } = {}) {
  if (!file || !fs.existsSync(file)) throw new EksctlError(wrapMissing(`the cluster config file ${file ?? ''} does not exist`));
  let docs;
  try {
    docs = YAML.parseAllDocuments(normalizeKubernetesVersion(fs.readFileSync(file, 'utf8'))).map((d) => d.toJS()).filter((d) => d && typeof d === 'object');
  } catch (e) {
    throw new EksctlError(`the cluster config file provided is invalid: unable to parse ${file} file: ${e.message.split('\n')[0]}`);
  }
  const cluster = docs.find((d) => d.kind === 'Cluster');
  if (!cluster?.metadata?.name) {
    throw new EksctlError(`the cluster config file provided is invalid: unable to parse ${file} file: yamlop content is invalid or does not contain kind Cluster`);
  }
  return { file, docs, cluster };
}

export const isSelfManaged = (cluster) => !cluster.spec?.managementCluster?.name || cluster.spec.managementCluster.name === cluster.metadata.name;

/** pkg/kubeconfig FromClusterName: `<name>/<name>-eks-a-cluster.kubeconfig`, relative to the working directory. */
export const kubeconfigOfCluster = (name) => path.join(name, `${name}-eks-a-cluster.kubeconfig`);

function parseKubeconfig(file) {
  const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.clusters)) throw new Error(`error loading config file "${file}": no clusters`);
  return doc;
}

/** kubeconfig.ValidateFilename: the file must exist, not be empty, and load. */
export function validateKubeconfig(file) {
  const wrap = (reason) => new EksctlError(`validating kubeconfig ${JSON.stringify(file)}: ${reason}`);
  const trimmed = file.trim();
  if (!fs.existsSync(trimmed)) throw wrap('file does not exist');
  if (fs.statSync(trimmed).size === 0) throw wrap('is empty');
  try {
    parseKubeconfig(trimmed);
  } catch (e) {
    throw wrap(e.message.split('\n')[0]);
  }
}

/** cluster.LoadManagement: the management cluster is the kubeconfig's first cluster. */
export function loadManagement(file) {
  let doc;
  try {
    doc = parseKubeconfig(file);
  } catch (e) {
    throw new EksctlError(`unable to get management cluster from kubeconfig: ${e.code === 'ENOENT' ? `open ${file}: no such file or directory` : e.message}`);
  }
  const name = doc.clusters[0]?.name;
  if (!name) throw new EksctlError(`unable to get management cluster from kubeconfig: invalid kubeconfig file: ${file}`);
  return { name, kubeconfig: file };
}

/** The management kubeconfig of a workload cluster without --kubeconfig: $KUBECONFIG's first entry, else the local file. */
export function managementKubeconfigFromEnv(env, managementName) {
  const fromEnv = (env.KUBECONFIG ?? '').trim().split(path.delimiter).find((p) => p !== '');
  if (fromEnv) return fromEnv;
  const local = kubeconfigOfCluster(managementName);
  if (fs.existsSync(local) && fs.statSync(local).size > 0) return local;
  throw new EksctlError('management kubeconfig file not found, must be present for workload cluster operations');
}

/** The API server of a kubeconfig: its current context's cluster (else its first cluster). */
export function serverOf(file) {
  const doc = parseKubeconfig(file);
  const context = (doc.contexts ?? []).find((c) => c.name === doc['current-context'])?.context;
  const cluster = doc.clusters.find((c) => c.name === context?.cluster) ?? doc.clusters[0];
  const server = cluster?.cluster?.server;
  if (!server) throw new EksctlError(`invalid configuration: no server found for cluster ${JSON.stringify(cluster?.name ?? '')} in ${file}`);
  return String(server).replace(/\/+$/, '');
}
