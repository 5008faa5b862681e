// The spec checks the real `eksctl anywhere upgrade cluster` runs on `-f` before it reads or writes anything
// in the cluster, with its error texts: cmd/eksctl-anywhere/cmd/upgradecluster.go calls
// pkg/api/v1alpha1/cluster.go GetAndValidateClusterConfig (ParseClusterConfigFromContent → yaml.UnmarshalStrict,
// setClusterDefaults, then clusterConfigValidations in order, the first error wins; warnings are logged and
// the command goes on), and later newClusterSpec → readAndValidateClusterSpec → pkg/cluster ValidateConfig
// (validateSameNamespace). Written from EKS-A's source, apart from the tool's own loader, so the two check
// each other. The checks that need the network or provider details (networking, proxy, mirror, GitOps…) are
// left out: the bundled scenarios never break them.

const DOCKER = 'DockerDatacenterConfig';
const TINKERBELL = 'TinkerbellDatacenterConfig';

const REF = { kind: true, name: true };
// The JSON fields of pkg/api/v1alpha1/cluster_types.go: ClusterSpec, ControlPlaneConfiguration,
// WorkerNodeGroupConfiguration, ExternalEtcdConfiguration, Ref, Endpoint, ManagementCluster,
// AutoScalingConfiguration. `true`: a field whose inside is not checked here.
const CLUSTER = {
  apiVersion: true, kind: true, metadata: true, status: true,
  spec: {
    kubernetesVersion: true,
    controlPlaneConfiguration: {
      count: true, endpoint: { host: true }, machineGroupRef: REF, taints: true, labels: true, upgradeRolloutStrategy: true,
      skipLoadBalancerDeployment: true, certSans: true, machineHealthCheck: true, apiServerExtraArgs: true,
      kubeletConfiguration: true, auditPolicyContent: true, skipAdmissionForSystemResources: true,
    },
    workerNodeGroupConfigurations: {
      name: true, count: true, autoscalingConfiguration: { minCount: true, maxCount: true }, machineGroupRef: REF, taints: true,
      labels: true, upgradeRolloutStrategy: true, kubernetesVersion: true, machineHealthCheck: true, kubeletConfiguration: true,
      failureDomains: true,
    },
    datacenterRef: REF, identityProviderRefs: true, gitOpsRef: true, clusterNetwork: true,
    externalEtcdConfiguration: { count: true, machineGroupRef: REF },
    proxyConfiguration: true, registryMirrorConfiguration: true, managementCluster: { name: true }, podIamConfig: true,
    packages: true, bundlesRef: true, eksaVersion: true, machineHealthCheck: true, etcdEncryption: true, licenseToken: true,
  },
};
// The Go struct field of each int the checks read, as encoding/json names it in a type error.
const INTS = [
  ['ControlPlaneConfiguration.spec.controlPlaneConfiguration.count', (s) => [s.controlPlaneConfiguration?.count]],
  ['ExternalEtcdConfiguration.spec.externalEtcdConfiguration.count', (s) => [s.externalEtcdConfiguration?.count]],
  ['WorkerNodeGroupConfiguration.spec.workerNodeGroupConfigurations.count', (s) => (s.workerNodeGroupConfigurations ?? []).map((g) => g?.count)],
  ['AutoScalingConfiguration.spec.workerNodeGroupConfigurations.autoscalingConfiguration.minCount', (s) => (s.workerNodeGroupConfigurations ?? []).map((g) => g?.autoscalingConfiguration?.minCount)],
  ['AutoScalingConfiguration.spec.workerNodeGroupConfigurations.autoscalingConfiguration.maxCount', (s) => (s.workerNodeGroupConfigurations ?? []).map((g) => g?.autoscalingConfiguration?.maxCount)],
];

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const STRICT = 'error unmarshaling JSON: while decoding JSON: json:';

/** yaml.UnmarshalStrict: the first field Go's types do not have, like encoding/json's DisallowUnknownFields. */
function unknownField(value, fields) {
  for (const item of Array.isArray(value) ? value : [value]) {
    if (!isObject(item)) continue;
    for (const [key, inner] of Object.entries(item)) {
      if (fields[key] === undefined) return key;
      if (fields[key] !== true) {
        const found = unknownField(inner, fields[key]);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** encoding/json's type errors for the fields the checks read. */
function typeError(spec) {
  if (spec.kubernetesVersion !== undefined && spec.kubernetesVersion !== null && typeof spec.kubernetesVersion !== 'string') {
    return `cannot unmarshal ${typeof spec.kubernetesVersion === 'number' ? 'number' : typeof spec.kubernetesVersion} into Go struct field ClusterSpec.spec.kubernetesVersion of type v1alpha1.KubernetesVersion`;
  }
  for (const [field, values] of INTS) {
    for (const v of values(spec)) {
      if (v === undefined || v === null || Number.isInteger(v)) continue;
      const what = typeof v === 'number' ? `number ${v}` : typeof v === 'string' ? 'string' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : 'object';
      return `cannot unmarshal ${what} into Go struct field ${field} of type int`;
    }
  }
  return undefined;
}

/** ParseClusterConfigFromContent's yaml.UnmarshalStrict, as `unable to parse F file: …`. */
function strictParse(cluster) {
  const unknown = unknownField(cluster, CLUSTER);
  if (unknown) return `${STRICT} unknown field ${JSON.stringify(unknown)}`;
  const type = typeError(isObject(cluster.spec) ? cluster.spec : {});
  return type ? `${STRICT} ${type}` : undefined;
}

/** setWorkerNodeGroupDefaults: the first group's name defaults to md-0, a count to minCount, else 1. */
function withDefaults(cluster) {
  const c = structuredClone(cluster);
  c.spec ??= {};
  const groups = c.spec.workerNodeGroupConfigurations ?? [];
  if (groups.length >= 1 && !groups[0]?.name) groups[0] = { ...groups[0], name: 'md-0' };
  for (const g of groups) {
    if (g.count === undefined || g.count === null) g.count = g.autoscalingConfiguration ? (g.autoscalingConfiguration.minCount ?? 0) : 1;
  }
  return c;
}

const dcKindOf = (c) => c.spec.datacenterRef?.kind ?? '';

// clusterConfigValidations, in order (those this simulation can judge). Each returns an error text or undefined.
const VALIDATIONS = [
  function validateClusterConfigName(c) {
    const name = c.metadata?.name ?? '';
    if (!/^[a-zA-Z][a-zA-Z0-9-]+$/.test(name)) {
      return `failed to validate cluster config name: ${name} is not a valid cluster name, cluster names must start with lowercase/uppercase letters and can include numbers and dashes. For instance 'testCluster-123' is a valid name but '123testCluster' is not. `;
    }
    if (name.length > 35) return `failed to validate cluster config name: number of characters in ${name} should be less than 36`;
    return undefined;
  },
  function validateControlPlaneEndpoint(c) {
    const host = c.spec.controlPlaneConfiguration?.endpoint?.host;
    if ((!host || String(host).length === 0) && dcKindOf(c) !== DOCKER) return 'cluster controlPlaneConfiguration.Endpoint.Host is not set or is empty';
    return undefined;
  },
  function validateExternalEtcdSupport(c) {
    if (dcKindOf(c) === TINKERBELL && c.spec.externalEtcdConfiguration) return 'tinkerbell external etcd configuration is unsupported';
    return undefined;
  },
  function validateMachineGroupRefs(c) {
    if (dcKindOf(c) === DOCKER) return undefined;
    if (!c.spec.controlPlaneConfiguration?.machineGroupRef) return 'must specify machineGroupRef control plane machines';
    if ((c.spec.workerNodeGroupConfigurations ?? []).some((g) => !g?.machineGroupRef)) return 'must specify machineGroupRef for worker nodes';
    if (c.spec.externalEtcdConfiguration && !c.spec.externalEtcdConfiguration.machineGroupRef) return 'must specify machineGroupRef for etcd machines';
    return undefined;
  },
  function validateControlPlaneReplicas(c, warn) {
    const count = c.spec.controlPlaneConfiguration?.count ?? 0;
    if (count <= 0) return 'control plane node count must be positive';
    // External etcd: any count, even ones.
    if (c.spec.externalEtcdConfiguration) return undefined;
    if (count % 2 === 0) return 'control plane node count cannot be an even number when using stacked etcd topology';
    if (count !== 3 && count !== 5 && dcKindOf(c) !== DOCKER) warn('Warning: The recommended number of control plane nodes is 3 or 5');
    return undefined;
  },
  function validateWorkerNodeGroups(c, warn) {
    const groups = c.spec.workerNodeGroupConfigurations ?? [];
    if (groups.length === 0) {
      if (dcKindOf(c) !== TINKERBELL) return `WorkerNodeGroupConfigs cannot be empty for ${dcKindOf(c)}`;
      warn('Warning: No configurations provided for worker node groups, pods will be scheduled on control-plane nodes');
    }
    const names = new Set();
    const tainted = new Set();
    for (const g of groups) {
      if (!g.name) return 'must specify name for worker nodes';
      const auto = g.autoscalingConfiguration;
      // validateAutoscalingConfig
      const autoscaling = (() => {
        if (!auto && g.count < 0) return 'worker node count must be zero or greater if autoscaling is not enabled';
        if (!auto) return undefined;
        const min = auto.minCount ?? 0;
        const max = auto.maxCount ?? 0;
        if (min < 0) return 'min count must be non negative';
        if (min > max) return 'min count must be no greater than max count';
        if (min > g.count) return 'min count must be less than or equal to count';
        if (max < g.count) return 'max count must be greater than or equal to count';
        return undefined;
      })();
      if (autoscaling) return `validating autoscaling configuration: ${autoscaling}`;
      if (names.has(g.name)) return 'worker node group names must be unique';
      if ((g.taints ?? []).some((t) => t?.effect === 'NoExecute' || t?.effect === 'NoSchedule')) tainted.add(g.name);
      names.add(g.name);
    }
    const mgmt = c.spec.managementCluster?.name;
    const selfManaged = !mgmt || mgmt === c.metadata?.name;
    if (groups.length > 0 && tainted.size === groups.length && selfManaged) return 'at least one WorkerNodeGroupConfiguration must not have NoExecute and/or NoSchedule taints';
    if (groups.length === 0 && (c.spec.controlPlaneConfiguration?.taints ?? []).length !== 0) return 'cannot taint control plane when there is no worker node';
    return undefined;
  },
  function validateEtcdReplicas(c, warn) {
    const etcd = c.spec.externalEtcdConfiguration;
    if (!etcd) return undefined;
    const count = etcd.count ?? 0;
    if (count === 0) return 'no value set for etcd replicas';
    if (count < 0) return 'etcd replicas cannot be a negative number';
    if (count % 2 === 0) return 'external etcd count cannot be an even number';
    // Only a warning, and none for Docker.
    if (count !== 3 && count !== 5 && dcKindOf(c) !== DOCKER) warn('Warning: The recommended size of an external etcd cluster is 3 or 5');
    return undefined;
  },
  function validateEksaVersion(c) {
    const has = (v) => v !== undefined && v !== null;
    if (has(c.spec.bundlesRef) && has(c.spec.eksaVersion)) return 'cannot pass both bundlesRef and eksaVersion. New clusters should use eksaVersion instead of bundlesRef';
    if (has(c.spec.eksaVersion) && !/^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(String(c.spec.eksaVersion))) return 'eksaVersion is not a valid semver';
    return undefined;
  },
];

/**
 * GetAndValidateClusterConfig on the parsed spec file: the error eksctl reports as
 * `the cluster config file provided is invalid: <error>`, or undefined. Warnings go to `warn` (logger.Info).
 * @param {string} file as given with -f
 * @param {any} cluster the EKS-A Cluster document
 * @param {(message: string) => void} warn
 */
export function getAndValidateClusterConfig(file, cluster, warn) {
  const strict = strictParse(cluster);
  if (strict) return `unable to parse ${file} file: ${strict}`;
  const c = withDefaults(cluster);
  for (const validate of VALIDATIONS) {
    const error = validate(c, warn);
    if (error) return error;
  }
  return undefined;
}

/**
 * pkg/cluster ValidateConfig's validateSameNamespace (vsphere.go, tinkerbell.go, cloudstack.go, …): the
 * datacenter config and the machine configs the Cluster references carry the Cluster's namespace, compared as
 * written ("" and "default" differ). The error eksctl reports as `unable to get cluster config from file: …`.
 */
export function validateSameNamespace(docs, cluster) {
  const spec = cluster.spec ?? {};
  const namespace = cluster.metadata?.namespace ?? '';
  const refs = [
    spec.datacenterRef,
    spec.controlPlaneConfiguration?.machineGroupRef,
    spec.externalEtcdConfiguration?.machineGroupRef,
    ...(spec.workerNodeGroupConfigurations ?? []).map((g) => g?.machineGroupRef),
  ].filter(isObject);
  for (const ref of refs) {
    const doc = docs.find((d) => d?.kind === ref.kind && d?.metadata?.name === ref.name);
    if (doc && (doc.metadata?.namespace ?? '') !== namespace) return `${doc.kind} and Cluster objects must have the same namespace specified`;
  }
  return undefined;
}
