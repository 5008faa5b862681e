// `eksctl anywhere upgrade plan cluster|management-components`: the components an upgrade would change,
// live cluster vs spec (cmd/eksctl-anywhere/cmd/upgradeplancluster.go, upgradeplanmanagementcomponents.go).
// Logs "Checking new release availability..." and then the plan as the last line: JSON
// ({"components":[…]} or {"components":null} when nothing changes) or a tabwriter table.
import { componentVersions, eksdReleaseName, kubeVersionFull } from '../generate/versions.js';
import { EKSA_CLUSTER } from '../upgrade/drive.js';
import { EksctlError, isSelfManaged } from './context.js';

export const MANAGEMENT_COMPONENTS_ANNOTATION = 'anywhere.eks.amazonaws.com/management-components-version';

/** vsphere / tinkerbell, from the datacenterRef kind, as the provider names itself. */
export const providerName = (cluster) => String(cluster.spec?.datacenterRef?.kind ?? '').replace(/DatacenterConfig$/, '').toLowerCase();

/** The EKS-A version of the management components running now: the annotation the CLI sets, else eksaVersion. */
export const managementComponentsVersion = (live) => live.metadata?.annotations?.[MANAGEMENT_COMPONENTS_ANNOTATION] ?? live.spec?.eksaVersion;

const change = (name, oldVersion, newVersion) => (oldVersion === newVersion ? [] : [{ name, oldVersion, newVersion }]);

/** EksaChangeDiff, then capiChangeDiff (cert-manager, core, control plane, bootstrap providers, infrastructure). */
export function managementChanges(oldEksa, newEksa, provider) {
  const o = componentVersions(oldEksa);
  const n = componentVersions(newEksa);
  return [
    ...change('EKS-A Management', o.eksa, n.eksa),
    ...change('cert-manager', o.certManager, n.certManager),
    ...change('cluster-api', o.clusterAPI, n.clusterAPI),
    ...change('kubeadm', o.controlPlane, n.controlPlane),
    ...change('kubeadm', o.bootstrap, n.bootstrap),
    ...change('etcdadm-bootstrap', o.etcdadmBootstrap, n.etcdadmBootstrap),
    ...change('etcdadm-controller', o.etcdadmController, n.etcdadmController),
    ...(provider in o ? change(provider, o[provider], n[provider]) : []),
  ];
}

/** cilium.ChangeDiff and eksd.ChangeDiff: the current cluster's bundle vs the CLI's. */
export function clusterChanges(live, spec, cliVersion) {
  const kube = eksdReleaseName(live.spec.kubernetesVersion) === eksdReleaseName(spec.spec.kubernetesVersion)
    ? []
    : [{ name: 'kubernetes', oldVersion: kubeVersionFull(live.spec.kubernetesVersion), newVersion: kubeVersionFull(spec.spec.kubernetesVersion) }];
  return [...change('cilium', componentVersions(live.spec.eksaVersion).cilium, componentVersions(cliVersion).cilium), ...kube];
}

/** Go's tabwriter.NewWriter(w, 10, 4, 3, ' ', 0): cells padded to the widest plus 3, at least 10. */
function table(rows) {
  const widths = rows[0].slice(0, -1).map((_, i) => Math.max(10, ...rows.map((r) => r[i].length + 3)));
  return rows.map((r) => r.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]) : cell)).join('')).join('\n');
}

/**
 * serializeToText / serializeToJson. Go's ChangeDiff{} starts as a nil slice and appending nothing keeps it
 * nil, so "no changes" is always `{"components":null}`.
 */
export function serializePlan(changes, output) {
  if (output === 'json') return JSON.stringify({ components: changes?.length ? changes : null });
  if (output === 'text') {
    if (!changes?.length) return 'All the components are up to date with the latest versions';
    return `${table([['NAME', 'CURRENT VERSION', 'NEXT VERSION'], ...changes.map((c) => [c.name, c.oldVersion, c.newVersion])])}\n`;
  }
  throw new EksctlError(`invalid output format [${output}]`);
}

/**
 * @param {{ api: import('../upgrade/api.js').UpgradeApi, spec: any, cliVersion: string,
 *   what: 'cluster' | 'management-components', log: import('./log.js').EksaLogger, output: string }} input
 */
export async function runPlan({ api, spec, cliVersion, what, log, output }) {
  log.info('Checking new release availability...');
  const name = spec.metadata.name;
  const live = await api.get(EKSA_CLUSTER, spec.metadata.namespace ?? 'default', name);
  if (!live) throw new EksctlError(`failed getting EKS-A cluster ${name}: clusters.anywhere.eks.amazonaws.com "${name}" not found`);
  const selfManaged = isSelfManaged(spec);
  if (what === 'management-components' && !selfManaged) {
    log.info(`No management components to plan. Cluster ${name} is not a self-managed cluster.`);
    return;
  }
  const changes = [];
  if (selfManaged) changes.push(...managementChanges(managementComponentsVersion(live), cliVersion, providerName(spec)));
  if (what === 'cluster') changes.push(...clusterChanges(live, spec, cliVersion));
  log.info(serializePlan(changes, output));
}
