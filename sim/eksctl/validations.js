// The upgrade preflight of `eksctl anywhere upgrade cluster`, in the order and with the names, errors and
// remediations of pkg/validations/upgradevalidations/preflightvalidations.go. Checks that need the real
// world (SSH keys, registry mirror, git, provider immutable fields, PDBs, Nodes) always pass; those the
// simulated API can answer are real: control plane and worker readiness, CRDs, the CAPI Cluster, Kubernetes
// version skew, worker group version skew, the generic immutable fields, the paused annotation, the
// management cluster's eksaVersion and EKSARelease, eksaVersion skew (against the CLI's own version: the
// spec's eksaVersion is replaced by it, FileSpecBuilder.Build).
import { eksaReleaseName } from '../generate/releases.js';
import { CAPI_CLUSTER, EKSA_CLUSTER, SYSTEM_NS } from '../upgrade/drive.js';

const PAUSED = 'anywhere.eks.amazonaws.com/paused';

/** major.minor.patch of a version like v0.22.0 (pre-release and build ignored), or undefined. */
export function v(version) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(version ?? ''));
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}
const newer = (a, b) => a.major - b.major || a.minor - b.minor || a.patch - b.patch;
/** EKS-A's semver.Version.String(): v%d.%d.%d. */
export function goSemver(version) {
  const p = v(version);
  return p ? `v${p.major}.${p.minor}.${p.patch}` : String(version);
}

/** KubectlClient.ValidateControlPlaneNodes. */
export async function controlPlaneReady(api, name) {
  const kcp = await api.get('kcp', SYSTEM_NS, name);
  if (!kcp) throw new Error(`kubeadmcontrolplanes.controlplane.cluster.x-k8s.io "${name}" not found`);
  const observed = kcp.status?.observedGeneration ?? 0;
  if (observed !== kcp.metadata.generation) {
    throw new Error(`kubeadm control plane ${name} status needs to be refreshed: generation=${kcp.metadata.generation}, observedGeneration=${observed}`);
  }
  const ready = kcp.status?.readyReplicas ?? 0;
  const replicas = kcp.status?.replicas ?? 0;
  if (ready !== replicas) throw new Error(`control plane is not fully ready: ${ready}/${replicas} replicas ready`);
}

async function workerNodesReady(api, name) {
  let ready = 0;
  let total = 0;
  for (const md of await api.list('machinedeployments', { namespace: SYSTEM_NS, labelSelector: `cluster.x-k8s.io/cluster-name=${name}` })) {
    const s = md.status ?? {};
    if (s.phase !== 'Running') throw new Error(`machine deployment is in ${s.phase ?? ''} phase`);
    if (s.availableReplicas !== undefined && s.replicas !== undefined && s.availableReplicas !== s.replicas) {
      throw new Error(`${s.replicas - s.availableReplicas} machine deployment replicas are unavailable`);
    }
    ready += s.readyReplicas ?? 0;
    total += s.replicas ?? 0;
  }
  if (ready !== total) throw new Error(`${total - ready} machine deployment replicas are not ready`);
}

/** ValidateVersionSkew through field.Invalid: `spec: Invalid value: "1.33": …`. */
function kubernetesSkew(newVersion, oldVersion) {
  const [nMaj, nMin] = String(newVersion).split('.').map(Number);
  const [oMaj, oMin] = String(oldVersion).split('.').map(Number);
  if (nMaj === oMaj && nMin === oMin) return;
  const invalid = (detail) => new Error(`spec: Invalid value: ${JSON.stringify(String(newVersion))}: ${detail}`);
  if (nMaj < oMaj || (nMaj === oMaj && nMin < oMin)) throw invalid(`kubernetes version downgrade is not supported (${oldVersion}.0) -> (${newVersion}.0)`);
  const diff = nMin - oMin;
  if (nMaj !== oMaj || diff > 1) throw invalid(`only +1 minor version skew is supported, minor version skew detected ${diff}`);
}

const minorOf = (version) => {
  const m = /^v?(\d+)\.(\d+)/.exec(String(version ?? ''));
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
};
const WORKER_PATH = 'spec.WorkerNodeConfiguration.kubernetesVersion';
const fieldInvalid = (path, value, detail) => `${path}: Invalid value: ${JSON.stringify(String(value))}: ${detail}`;

/** ValidateVersionSkew (pkg/api/v1alpha1/cluster.go): the detail of a skew error, or undefined. */
function versionSkewDetail(oldVersion, newVersion) {
  const o = minorOf(oldVersion);
  const n = minorOf(newVersion);
  if (!o || !n) return `could not parse version: ${!o ? oldVersion : newVersion}`;
  if (n.major < o.major || (n.major === o.major && n.minor < o.minor)) return `kubernetes version downgrade is not supported (${oldVersion}.0) -> (${newVersion}.0)`;
  const diff = n.minor - o.minor;
  if (n.major !== o.major || diff > 1) return `only +1 minor version skew is supported, minor version skew detected ${diff}`;
  return undefined;
}

/**
 * ValidateWorkerKubernetesVersionSkew (pkg/api/v1alpha1/cluster_webhook.go, performWorkerKubernetesValidations,
 * validateRemoveWorkerKubernetesVersion, validateCPWorkerKubeSkew), in its order: for each worker group of the
 * new spec, against the same group of the live cluster (a new group only gets the control-plane skew check).
 */
export function workerKubernetesVersionSkew(newCluster, oldCluster) {
  const errors = [];
  const newCP = String(newCluster.spec?.kubernetesVersion ?? '');
  const oldCP = String(oldCluster.spec?.kubernetesVersion ?? '');
  const oldGroups = new Map((oldCluster.spec?.workerNodeGroupConfigurations ?? []).map((g) => [g.name, g]));
  const cpWorkerSkew = (worker) => {
    const w = minorOf(worker);
    const c = minorOf(newCP);
    if (!w || !c || w.major !== c.major) {
      errors.push(fieldInvalid(WORKER_PATH, worker, `could not determine minor version difference: major versions are not the same: ${worker} and ${newCP}`));
      return;
    }
    const diff = c.minor - w.minor;
    if (diff < 0 || diff > 2) errors.push(fieldInvalid('spec.kubernetesVersion', newCP, `cluster level minor version must be within 2 versions greater than worker node group version: ${worker}`));
  };
  for (const group of newCluster.spec?.workerNodeGroupConfigurations ?? []) {
    const newVersion = group.kubernetesVersion === undefined || group.kubernetesVersion === null ? undefined : String(group.kubernetesVersion);
    const old = oldGroups.get(group.name);
    if (!old) {
      if (newVersion !== undefined) cpWorkerSkew(newVersion);
      continue;
    }
    const oldVersion = old.kubernetesVersion === undefined || old.kubernetesVersion === null ? undefined : String(old.kubernetesVersion);
    if (oldVersion !== undefined && newVersion === undefined) {
      const o = minorOf(oldCP);
      const n = minorOf(newCP);
      if (o && n && (o.major < n.major || (o.major === n.major && o.minor < n.minor))) {
        errors.push(fieldInvalid(WORKER_PATH, oldVersion, `can't simultaneously remove worker kubernetesVersion and upgrade cluster level kubernetesVersion: ${newCP}`));
        continue;
      }
      const detail = versionSkewDetail(oldVersion, newCP);
      if (detail) errors.push(fieldInvalid(WORKER_PATH, oldVersion, detail));
    }
    if (newVersion !== undefined) {
      // An unpinned group steps from the old control-plane version.
      const detail = versionSkewDetail(oldVersion ?? oldCP, newVersion);
      if (detail) errors.push(fieldInvalid(WORKER_PATH, newVersion, detail));
      cpWorkerSkew(newVersion);
    }
  }
  if (errors.length) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * ValidateImmutableFields (pkg/validations/upgradevalidations/immutablefields.go), the provider-independent
 * part: the datacenter, the control-plane endpoint, the cluster network, the management cluster, adding or
 * removing external etcd.
 */
export function immutableFields(newCluster, oldCluster) {
  const n = newCluster.spec ?? {};
  const o = oldCluster.spec ?? {};
  if (!same(n.datacenterRef, o.datacenterRef)) throw new Error('spec.dataCenterRef.name is immutable');
  if (!same(n.controlPlaneConfiguration?.endpoint, o.controlPlaneConfiguration?.endpoint)) throw new Error('spec.controlPlaneConfiguration.endpoint is immutable');
  if (!same(n.clusterNetwork?.pods, o.clusterNetwork?.pods)) throw new Error('spec.clusterNetwork.Pods is immutable');
  if (!same(n.clusterNetwork?.services, o.clusterNetwork?.services)) throw new Error('spec.clusterNetwork.Services is immutable');
  if (!same(n.managementCluster?.name, o.managementCluster?.name)) throw new Error('management cluster field is immutable');
  if (o.externalEtcdConfiguration && !n.externalEtcdConfiguration) throw new Error('removing an external etcd configuration is unsupported');
  if (!o.externalEtcdConfiguration && n.externalEtcdConfiguration) throw new Error('adding an external etcd configuration is unsupported');
}

/** ValidateEksaVersionSkew (cluster_webhook.go). */
function eksaVersionSkew(newVersion, oldVersion) {
  const n = v(newVersion);
  const o = v(oldVersion);
  if (!n || !o) return;
  const invalid = (detail) => new Error(`spec.EksaVersion: Invalid value: ${JSON.stringify(String(newVersion))}: ${detail}`);
  if (n.major !== o.major || n.minor - o.minor > 1) {
    throw invalid(`cannot upgrade to ${goSemver(newVersion)} from ${goSemver(oldVersion)}: EksaVersion upgrades must have a skew of 1 minor version`);
  }
  if (n.minor < o.minor) throw invalid(`cannot downgrade from ${goSemver(oldVersion)} to ${goSemver(newVersion)}: EksaVersion upgrades must be incremental`);
}

/**
 * @param {{ api: import('../upgrade/api.js').UpgradeApi, spec: any, docs: any[], live: any, managementName: string,
 *   managementKubeconfig: string, selfManaged: boolean, cliVersion: string, skipped: Set<string>, provider: string }} c
 * @returns {Array<{ name: string, remediation?: string, check: () => Promise<void> | void }>}
 */
export function upgradePreflight(c) {
  const name = c.spec.metadata.name;
  const pass = () => {};
  const list = [
    { name: c.selfManaged ? `${c.provider} provider validation` : `workload cluster's ${c.provider} Provider setup is valid`, check: pass },
    { name: 'SSH Keys present', check: pass },
    { name: 'validate OS is compatible with registry mirror configuration', check: pass },
    { name: 'validate certificate for registry mirror', check: pass },
    { name: 'control plane ready', remediation: `ensure control plane nodes and pods for cluster ${name} are ready`, check: () => controlPlaneReady(c.api, name) },
    { name: 'worker nodes ready', remediation: `ensure machine deployments for cluster ${name} are ready`, check: () => workerNodesReady(c.api, name) },
    { name: 'nodes ready', check: pass },
    { name: 'cluster CRDs ready', check: async () => {
      if (!(await c.api.get('customresourcedefinitions', undefined, 'clusters.cluster.x-k8s.io'))) {
        throw new Error('getting clusters crd: Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "clusters.cluster.x-k8s.io" not found');
      }
    } },
    // Upstream checks for a CAPI Cluster named after the *management* cluster (Opts.ManagementCluster).
    { name: 'cluster object present on workload cluster', remediation: `ensure that the CAPI cluster object cluster.x-k8s.io/v1beta2 representing cluster ${name} is present`, check: async () => {
      const clusters = await c.api.list(CAPI_CLUSTER, {});
      if (clusters.length === 0) throw new Error(`no CAPI cluster objects present on workload cluster ${c.managementName}`);
      if (!clusters.some((x) => x.metadata.name === c.managementName)) throw new Error(`couldn't find CAPI cluster object for cluster with name ${c.managementName}`);
    } },
    { name: 'upgrade cluster kubernetes version increment', remediation: 'ensure that the cluster kubernetes version is incremented by one minor version exactly (e.g. 1.18 -> 1.19)',
      check: () => kubernetesSkew(c.spec.spec.kubernetesVersion, c.live.spec.kubernetesVersion) },
    { name: 'upgrade cluster worker node group kubernetes version increment', remediation: 'ensure that the cluster kubernetes version is incremented by one minor version exactly (e.g. 1.18 -> 1.19)',
      check: () => workerKubernetesVersionSkew(c.spec, c.live) },
    { name: 'validate authentication for git provider', check: pass },
    { name: 'validate immutable fields', remediation: '', check: () => immutableFields(c.spec, c.live) },
    { name: "validate cluster's eksaVersion matches EKS-Anywhere Version", check: pass },
    { name: 'validate eksa controller is not paused', remediation: `remove cluster controller reconciler pause annotation ${PAUSED} before upgrading the cluster ${name}`, check: () => {
      if (c.live.metadata.annotations?.[PAUSED] === 'true') throw new Error('cluster cannot be upgraded with paused cluster controller reconciler');
    } },
    { name: 'validate extended kubernetes version support is supported', check: pass },
  ];
  if (c.provider === 'vsphere') {
    const os = (ref) => c.docs.find((d) => d.kind === ref?.kind && d.metadata?.name === ref?.name)?.spec?.osFamily;
    if (os(c.spec.spec.controlPlaneConfiguration?.machineGroupRef) === 'bottlerocket') {
      list.push({ name: "validate cluster's control plane kubelet configuration for Bottlerocket OS", check: pass });
    }
    for (const w of c.spec.spec.workerNodeGroupConfigurations ?? []) {
      if (os(w.machineGroupRef) === 'bottlerocket') list.push({ name: "validate cluster's worker node kubelet configuration for Bottlerocket OS", check: pass });
    }
  }
  if (!c.selfManaged) {
    const mgmt = c.spec.spec.managementCluster.name;
    list.push(
      { name: 'validate management cluster eksaVersion compatibility', remediation: `upgrade management cluster ${mgmt} before upgrading workload cluster ${name}`, check: async () => {
        const m = (await c.api.list(EKSA_CLUSTER, {})).find((x) => x.metadata.name === c.managementName);
        if (!m) throw new Error(`clusters.anywhere.eks.amazonaws.com "${c.managementName}" not found`);
        const mv = v(m.spec.eksaVersion);
        const wv = v(c.cliVersion);
        if (mv && wv && newer(wv, mv) > 0) {
          throw new Error(`cannot upgrade workload cluster to ${goSemver(c.cliVersion)} while management cluster is an older version: ${goSemver(m.spec.eksaVersion)}`);
        }
      } },
      { name: 'validate eksa release components exist on management cluster', check: async () => {
        const release = eksaReleaseName(c.cliVersion);
        if (!(await c.api.get('eksareleases', SYSTEM_NS, release))) throw new Error(`eksareleases.anywhere.eks.amazonaws.com "${release}" not found`);
      },
      remediation: `ensure eksaVersion is in the correct format (vMajor.Minor.Patch) and matches one of the available releases on the management cluster: kubectl get eksareleases -n ${SYSTEM_NS} --kubeconfig ${c.managementKubeconfig}` },
    );
  }
  if (!c.skipped.has('pod-disruption')) list.push({ name: 'validate pod disruption budgets', check: pass });
  if (!c.skipped.has('eksa-version-skew')) {
    list.push({ name: 'validate eksaVersion skew is one minor version', remediation: 'ensure eksaVersion upgrades are sequential by minor version',
      check: () => eksaVersionSkew(c.cliVersion, c.live.spec.eksaVersion) });
  }
  return list;
}
