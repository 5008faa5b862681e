// The resource types the simulated API server knows: one row per kind. Discovery, routing, the
// store and the CRD objects are all derived from this table, so adding a kind is one line.

const CAPI_VERSIONS = ['v1beta2', 'v1beta1'];

/**
 * @typedef {object} KindInfo
 * @property {string} group       '' for the core group
 * @property {string[]} versions  served versions, preferred first; objects are stored once for all of them
 * @property {string} kind
 * @property {string} resource    plural resource name
 * @property {string} singular
 * @property {boolean} namespaced
 * @property {string[]} shortNames
 * @property {boolean} status     has a status subresource (status is written only through `/status`)
 * @property {string} [provider]  clusterctl provider label of its CRD; absent for kinds clusterctl does not move
 */

/** @type {Array<Omit<KindInfo, 'singular' | 'shortNames' | 'status'> & Partial<KindInfo>>} */
const ROWS = [
  // Core and built-in groups: no CRD object.
  { group: '', versions: ['v1'], kind: 'Namespace', resource: 'namespaces', namespaced: false, shortNames: ['ns'], status: true },
  { group: '', versions: ['v1'], kind: 'Node', resource: 'nodes', namespaced: false, shortNames: ['no'], status: true },
  { group: '', versions: ['v1'], kind: 'Secret', resource: 'secrets', namespaced: true, status: false },
  { group: '', versions: ['v1'], kind: 'ConfigMap', resource: 'configmaps', namespaced: true, shortNames: ['cm'], status: false },
  { group: 'coordination.k8s.io', versions: ['v1'], kind: 'Lease', resource: 'leases', namespaced: true, status: false },
  { group: 'apiextensions.k8s.io', versions: ['v1'], kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions', namespaced: false, shortNames: ['crd', 'crds'] },

  // EKS Anywhere: CRDs without the clusterctl label (not part of a CAPI backup).
  ...[
    ['Cluster', 'clusters'],
    ['VSphereDatacenterConfig', 'vspheredatacenterconfigs'],
    ['VSphereMachineConfig', 'vspheremachineconfigs'],
    ['TinkerbellDatacenterConfig', 'tinkerbelldatacenterconfigs'],
    ['TinkerbellMachineConfig', 'tinkerbellmachineconfigs'],
    ['TinkerbellTemplateConfig', 'tinkerbelltemplateconfigs'],
    ['NutanixDatacenterConfig', 'nutanixdatacenterconfigs'],
    ['NutanixMachineConfig', 'nutanixmachineconfigs'],
    ['CloudStackDatacenterConfig', 'cloudstackdatacenterconfigs'],
    ['CloudStackMachineConfig', 'cloudstackmachineconfigs'],
    ['SnowDatacenterConfig', 'snowdatacenterconfigs'],
    ['SnowMachineConfig', 'snowmachineconfigs'],
    ['DockerDatacenterConfig', 'dockerdatacenterconfigs'],
    ['EKSARelease', 'eksareleases'],
    ['Bundles', 'bundles', 'bundles'],
    ['OIDCConfig', 'oidcconfigs'],
    ['AWSIamConfig', 'awsiamconfigs'],
    ['GitOpsConfig', 'gitopsconfigs'],
    ['FluxConfig', 'fluxconfigs'],
  ].map(([kind, resource, singular]) => ({
    group: 'anywhere.eks.amazonaws.com', versions: ['v1alpha1'], kind, resource, singular, namespaced: true,
  })),

  // Flux (GitOps trees): the objects that reconcile a cluster with a gitOpsRef; not moved by clusterctl.
  { group: 'kustomize.toolkit.fluxcd.io', versions: ['v1'], kind: 'Kustomization', resource: 'kustomizations', namespaced: true, shortNames: ['ks'], status: true },
  { group: 'source.toolkit.fluxcd.io', versions: ['v1'], kind: 'GitRepository', resource: 'gitrepositories', namespaced: true, shortNames: ['gitrepo'], status: true },

  // Cluster API and its providers: CRDs labelled for clusterctl.
  { group: 'cluster.x-k8s.io', versions: CAPI_VERSIONS, kind: 'Cluster', resource: 'clusters', namespaced: true, shortNames: ['cl'], provider: 'cluster-api' },
  { group: 'cluster.x-k8s.io', versions: CAPI_VERSIONS, kind: 'MachineDeployment', resource: 'machinedeployments', namespaced: true, shortNames: ['md'], provider: 'cluster-api' },
  { group: 'cluster.x-k8s.io', versions: CAPI_VERSIONS, kind: 'MachineSet', resource: 'machinesets', namespaced: true, shortNames: ['ms'], provider: 'cluster-api' },
  { group: 'cluster.x-k8s.io', versions: CAPI_VERSIONS, kind: 'Machine', resource: 'machines', namespaced: true, shortNames: ['ma'], provider: 'cluster-api' },
  { group: 'cluster.x-k8s.io', versions: CAPI_VERSIONS, kind: 'MachineHealthCheck', resource: 'machinehealthchecks', namespaced: true, shortNames: ['mhc', 'mhcs'], provider: 'cluster-api' },
  { group: 'controlplane.cluster.x-k8s.io', versions: CAPI_VERSIONS, kind: 'KubeadmControlPlane', resource: 'kubeadmcontrolplanes', namespaced: true, shortNames: ['kcp'], provider: 'control-plane-kubeadm' },
  { group: 'bootstrap.cluster.x-k8s.io', versions: CAPI_VERSIONS, kind: 'KubeadmConfig', resource: 'kubeadmconfigs', namespaced: true, provider: 'bootstrap-kubeadm' },
  { group: 'bootstrap.cluster.x-k8s.io', versions: CAPI_VERSIONS, kind: 'KubeadmConfigTemplate', resource: 'kubeadmconfigtemplates', namespaced: true, status: false, provider: 'bootstrap-kubeadm' },
  { group: 'bootstrap.cluster.x-k8s.io', versions: ['v1beta1'], kind: 'EtcdadmConfig', resource: 'etcdadmconfigs', namespaced: true, provider: 'bootstrap-etcdadm-bootstrap' },
  { group: 'etcdcluster.cluster.x-k8s.io', versions: ['v1beta1'], kind: 'EtcdadmCluster', resource: 'etcdadmclusters', namespaced: true, provider: 'control-plane-etcdadm-controller' },
  ...[
    ['VSphereCluster', 'vsphereclusters', 'vsphere'],
    ['VSphereMachine', 'vspheremachines', 'vsphere'],
    ['VSphereMachineTemplate', 'vspheremachinetemplates', 'vsphere', false],
    ['TinkerbellCluster', 'tinkerbellclusters', 'tinkerbell'],
    ['TinkerbellMachine', 'tinkerbellmachines', 'tinkerbell'],
    ['TinkerbellMachineTemplate', 'tinkerbellmachinetemplates', 'tinkerbell', false],
    ['CloudStackCluster', 'cloudstackclusters', 'cloudstack', true, ['v1beta3']],
    ['CloudStackMachine', 'cloudstackmachines', 'cloudstack', true, ['v1beta3']],
    ['CloudStackMachineTemplate', 'cloudstackmachinetemplates', 'cloudstack', false, ['v1beta3']],
    ['NutanixCluster', 'nutanixclusters', 'nutanix'],
    ['NutanixMachine', 'nutanixmachines', 'nutanix'],
    ['NutanixMachineTemplate', 'nutanixmachinetemplates', 'nutanix', false],
    ['AWSSnowCluster', 'awssnowclusters', 'snow'],
    ['AWSSnowMachine', 'awssnowmachines', 'snow'],
    ['AWSSnowMachineTemplate', 'awssnowmachinetemplates', 'snow', false],
    ['DockerCluster', 'dockerclusters', 'docker'],
    ['DockerMachine', 'dockermachines', 'docker'],
    ['DockerMachineTemplate', 'dockermachinetemplates', 'docker', false],
  ].map(([kind, resource, provider, status, versions = ['v1beta1']]) => ({
    group: 'infrastructure.cluster.x-k8s.io', versions, kind, resource, namespaced: true,
    status: status !== false, provider: `infrastructure-${provider}`,
  })),
];

/** @type {KindInfo[]} */
export const KINDS = ROWS.map((r) => Object.freeze({
  singular: r.kind.toLowerCase(),
  shortNames: [],
  status: true,
  ...r,
}));

const byResource = new Map(KINDS.map((k) => [`${k.group}/${k.resource}`, k]));

/** The kind served at `resource` in `group`, or undefined. */
export function kindByResource(group, resource) {
  return byResource.get(`${group}/${resource}`);
}

/** Kinds named `kind` (several groups have a `Cluster`); optionally narrowed to one group. */
export function kindsByName(kind, group) {
  return KINDS.filter((k) => k.kind === kind && (group === undefined || k.group === group));
}

/** The kind of a stored object, from its apiVersion and kind. */
export function kindOfObject(obj) {
  const apiVersion = String(obj?.apiVersion ?? '');
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return KINDS.find((k) => k.kind === obj?.kind && k.group === group);
}

/** `<resource>.<group>` as Kubernetes error messages name a resource (`secrets` for the core group). */
export function qualifiedResource(info) {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}

/** apiVersion string of a group/version. */
export function groupVersion(group, version) {
  return group ? `${group}/${version}` : version;
}

/** Groups in first-seen order with their versions (union over their kinds, preferred first). */
export function groups() {
  /** @type {Map<string, string[]>} */
  const out = new Map();
  for (const k of KINDS) {
    if (!k.group) continue;
    const versions = out.get(k.group) ?? [];
    for (const v of k.versions) if (!versions.includes(v)) versions.push(v);
    out.set(k.group, versions);
  }
  // A version a group serves for only some kinds must not become preferred just by order of rows.
  for (const versions of out.values()) versions.sort(compareVersions);
  return out;
}

/** Kubernetes version priority: GA > beta > alpha, then higher numbers first. */
export function compareVersions(a, b) {
  const parse = (v) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = parse(a);
  const [sb, mb, nb] = parse(b);
  return sb - sa || mb - ma || nb - na;
}

/** Kinds served at one group/version. */
export function kindsAt(group, version) {
  return KINDS.filter((k) => k.group === group && k.versions.includes(version));
}

/**
 * Resolve a kind from a KindInfo, `resource`, `resource.group`, `Kind` or `Kind.group`
 * (e.g. `machines`, `clusters.cluster.x-k8s.io`, `Cluster.anywhere.eks.amazonaws.com`).
 * Throws when the name is unknown or ambiguous (`clusters`, `Cluster`).
 * @param {KindInfo | string} ref
 * @returns {KindInfo}
 */
export function kindFor(ref) {
  if (typeof ref === 'object' && ref !== null && 'resource' in ref) return ref;
  const text = String(ref);
  const dot = text.indexOf('.');
  const [name, group] = dot === -1 ? [text, undefined] : [text.slice(0, dot), text.slice(dot + 1)];
  const matches = KINDS.filter((k) => (k.resource === name || k.kind === name || k.shortNames.includes(name))
    && (group === undefined || k.group === group));
  if (matches.length === 1) return /** @type {KindInfo} */ (matches[0]);
  if (matches.length === 0) throw new Error(`unknown kind or resource "${text}"`);
  throw new Error(`"${text}" is ambiguous (${matches.map((k) => `${k.kind}.${k.group || 'core'}`).join(', ')}); qualify it with its group`);
}
