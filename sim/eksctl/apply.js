// The parts of an upgrade that write to the cluster besides the rollout itself: applying the spec (the
// CLI overwrites spec.eksaVersion with its own version), installing the new EKS-A release objects, marking
// the management components version, waiting the way the cluster applier waits, and rewriting the spec file.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { kindFor } from '../kinds.js';
import { timestamp } from '../store.js';
import { specYaml } from '../scenario.js';
import { releasePair } from '../generate/releases.js';
import { BUNDLE_KUBE_VERSIONS } from '../generate/versions.js';
import { EKSA_CLUSTER, SYSTEM_NS } from '../upgrade/drive.js';
import { MANAGEMENT_COMPONENTS_ANNOTATION } from './plan.js';

const POLL_MS = 25;
const GROUP = 'anywhere.eks.amazonaws.com';

/** The documents as the CLI applies them: the Cluster at the CLI's eksaVersion, without bundlesRef. */
export function specForCli(docs, cliVersion) {
  return docs.map((d) => (d.kind === 'Cluster' && String(d.apiVersion).startsWith(`${GROUP}/`)
    ? { ...d, spec: { ...d.spec, eksaVersion: cliVersion, bundlesRef: undefined } }
    : d));
}

/**
 * ClusterApplier: apply the Cluster and the datacenter and machine configs the server knows.
 * @returns {Promise<{ before: any, after: any }>} the EKS-A Cluster before and after
 */
export async function applySpec(api, docs, cliVersion) {
  let before;
  let after;
  for (const doc of specForCli(docs, cliVersion)) {
    let kind;
    try {
      kind = kindFor(`${doc.kind}.${String(doc.apiVersion).split('/')[0]}`);
    } catch {
      continue;
    }
    const namespace = doc.metadata.namespace ?? 'default';
    const current = await api.get(kind, namespace, doc.metadata.name);
    if (!current) continue;
    const spec = doc.kind === 'Cluster' ? { ...doc.spec, bundlesRef: null } : doc.spec;
    const patched = await api.patch(kind, namespace, doc.metadata.name, { spec });
    if (doc.kind === 'Cluster') [before, after] = [current, patched];
  }
  return { before, after };
}

/** ApplyBundles / ApplyReleases: the CLI version's Bundles and EKSARelease in eksa-system. */
export async function installRelease(api, version, kubeVersions) {
  const ctx = { seed: `eksctl ${version}`, created: timestamp() };
  for (const obj of releasePair(ctx, version, [...BUNDLE_KUBE_VERSIONS, ...kubeVersions])) {
    if (!(await api.get(`${obj.kind}.${GROUP}`, SYSTEM_NS, obj.metadata.name))) await api.create(`${obj.kind}.${GROUP}`, SYSTEM_NS, obj);
  }
}

export const setManagementComponentsVersion = (api, name, version, namespace = 'default') => api.patch(EKSA_CLUSTER, namespace, name, {
  metadata: { annotations: { [MANAGEMENT_COMPONENTS_ANNOTATION]: version } },
});

const condition = (cluster, type) => (cluster.status?.conditions ?? []).find((c) => c.type === type);

/** What the applier would still be waiting for, in its order; undefined once the cluster is done. */
export function waitingFor(cluster) {
  if (cluster.status?.observedGeneration !== cluster.metadata.generation) {
    return `cluster generation (${cluster.metadata.generation}) and observedGeneration (${cluster.status?.observedGeneration ?? 0}) differ`;
  }
  if (cluster.status?.failureMessage) return `cluster has an error: ${cluster.status.failureMessage}`;
  const steps = [
    ['ControlPlaneReady', "waiting for cluster's control plane to be ready"],
    ['DefaultCNIConfigured', "waiting for cluster's CNI to be configured"],
    ['WorkersReady', "waiting for cluster's workers to be ready"],
    ['Ready', 'waiting for cluster to be ready'],
  ];
  for (const [type, what] of steps) {
    const c = condition(cluster, type);
    if (!c) return `${what}: cluster doesn't yet have condition ${type}`;
    if (c.status !== 'True') return `${what}: cluster condition ${type} is ${c.status}: ${c.message ?? ''}`;
  }
  return undefined;
}

/** cluster.WaitFor…: poll until the EKS-A Cluster has observed its generation and every condition is True. */
export async function waitForCluster(api, name, { signal, namespace = 'default' } = {}) {
  for (;;) {
    const cluster = await api.get(EKSA_CLUSTER, namespace, name);
    if (cluster && waitingFor(cluster) === undefined) return;
    await sleep(POLL_MS, undefined, { signal });
  }
}

/** writeClusterConfig: `<name>/<name>-eks-a-cluster.yaml` rewritten with what was applied. */
export function writeClusterConfig(cwd, docs, cliVersion) {
  const applied = specForCli(docs, cliVersion).map((d) => JSON.parse(JSON.stringify(d)));
  const name = applied.find((d) => d.kind === 'Cluster').metadata.name;
  fs.mkdirSync(path.join(cwd, name), { recursive: true });
  fs.writeFileSync(path.join(cwd, name, `${name}-eks-a-cluster.yaml`), specYaml(applied));
}
