import type { KubeObject } from '../kube/types.js';
import { isDns1123Subdomain } from '../kube/names.js';

/**
 * The spec checks eksctl runs on `-f` before it changes anything, run here up front so a spec eksctl would
 * refuse stops us before the lock and the backup. Each rule names its EKS Anywhere source (aws/eks-anywhere):
 * `cmd/eksctl-anywhere/cmd/upgradecluster.go` calls `pkg/api/v1alpha1/cluster.go` `GetAndValidateClusterConfig`
 * (`ParseClusterConfigFromContent` → `yaml.UnmarshalStrict`, `setClusterDefaults`, then
 * `clusterConfigValidations`), then `newClusterSpec` → `pkg/cluster` `ValidateConfig` (`validateSameNamespace`).
 * Pure: parsed documents in, refusals and warnings out.
 */
export interface SpecCheck {
  readonly errors: string[];
  readonly warnings: string[];
}

type Fields = { readonly [key: string]: Fields | true };
const REF: Fields = { kind: true, name: true };
// The JSON fields of pkg/api/v1alpha1/cluster_types.go `Cluster`, `ClusterSpec`, `ControlPlaneConfiguration`,
// `WorkerNodeGroupConfiguration`, `ExternalEtcdConfiguration`, `Ref`, `Endpoint`, `ManagementCluster`,
// `AutoScalingConfiguration`: what UnmarshalStrict accepts. `true` = a field whose inside is not checked here.
const CLUSTER_FIELDS: Fields = {
  apiVersion: true,
  kind: true,
  metadata: true,
  status: true,
  spec: {
    kubernetesVersion: true,
    controlPlaneConfiguration: {
      count: true,
      endpoint: { host: true },
      machineGroupRef: REF,
      taints: true,
      labels: true,
      upgradeRolloutStrategy: true,
      skipLoadBalancerDeployment: true,
      certSans: true,
      machineHealthCheck: true,
      apiServerExtraArgs: true,
      kubeletConfiguration: true,
      auditPolicyContent: true,
      skipAdmissionForSystemResources: true,
    },
    workerNodeGroupConfigurations: {
      name: true,
      count: true,
      autoscalingConfiguration: { minCount: true, maxCount: true },
      machineGroupRef: REF,
      taints: true,
      labels: true,
      upgradeRolloutStrategy: true,
      kubernetesVersion: true,
      machineHealthCheck: true,
      kubeletConfiguration: true,
      failureDomains: true,
    },
    datacenterRef: REF,
    identityProviderRefs: true,
    gitOpsRef: true,
    clusterNetwork: true,
    externalEtcdConfiguration: { count: true, machineGroupRef: REF },
    proxyConfiguration: true,
    registryMirrorConfiguration: true,
    managementCluster: { name: true },
    podIamConfig: true,
    packages: true,
    bundlesRef: true,
    eksaVersion: true,
    machineHealthCheck: true,
    etcdEncryption: true,
    licenseToken: true,
  },
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** UnmarshalStrict: every field unknown to the Go types is an error (`unknown field "spec.x"`). */
function unknownFields(value: unknown, fields: Fields, at: string, out: string[]): void {
  const items = Array.isArray(value) ? value : [value];
  items.forEach((item, i) => {
    if (!isRecord(item)) return;
    const where = Array.isArray(value) ? `${at}[${i}]` : at;
    for (const [key, inner] of Object.entries(item)) {
      const known = fields[key];
      const path = where === '' ? key : `${where}.${key}`;
      if (known === undefined) out.push(`unknown field "${path}" (EKS-A parses the Cluster strictly)`);
      else if (known !== true) unknownFields(inner, known, path, out);
    }
  });
}

/** An int field: absent, or an integer number (`"3"` or `2.5` fail Go's unmarshal). */
function intField(value: unknown, path: string, out: string[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    out.push(`${path} must be an integer, not ${JSON.stringify(value)}`);
    return undefined;
  }
  return value;
}

// pkg/api/v1alpha1/cluster.go ValidateClusterName.
const CLUSTER_NAME = /^[a-zA-Z][a-zA-Z0-9-]+$/;
const TINKERBELL = 'TinkerbellDatacenterConfig';
const DOCKER = 'DockerDatacenterConfig';

export function validateClusterSpec(documents: readonly KubeObject[], cluster: KubeObject): SpecCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  unknownFields(cluster, CLUSTER_FIELDS, '', errors);
  const spec = isRecord(cluster.spec) ? cluster.spec : {};
  const dcKind = isRecord(spec.datacenterRef) ? String(spec.datacenterRef.kind ?? '') : '';

  // Types UnmarshalStrict refuses: kubernetesVersion is a string (after NormalizeKubernetesVersion).
  if (spec.kubernetesVersion !== undefined && typeof spec.kubernetesVersion !== 'string') {
    errors.push(`spec.kubernetesVersion must be a string like "1.32", not ${JSON.stringify(spec.kubernetesVersion)}`);
  }

  // validateClusterConfigName: ValidateClusterName, ValidateClusterNameLength.
  const name = cluster.metadata?.name;
  if (typeof name === 'string') {
    if (!CLUSTER_NAME.test(name)) errors.push(`${name} is not a valid cluster name: it must start with a letter and have only letters, digits and dashes, at least 2 characters`);
    if (name.length > 35) errors.push(`cluster name ${name} has ${name.length} characters; EKS Anywhere allows at most 35`);
  }

  const cp = isRecord(spec.controlPlaneConfiguration) ? spec.controlPlaneConfiguration : {};
  const external = isRecord(spec.externalEtcdConfiguration) ? spec.externalEtcdConfiguration : undefined;

  // validateControlPlaneEndpoint is left to eksctl: specs eksctl wrote always carry the endpoint.
  // validateExternalEtcdSupport.
  if (dcKind === TINKERBELL && external) errors.push('tinkerbell external etcd configuration is unsupported');
  // validateMachineGroupRefs.
  if (dcKind !== DOCKER) {
    if (!isRecord(cp.machineGroupRef)) errors.push('must specify machineGroupRef control plane machines');
    if (external && !isRecord(external.machineGroupRef)) errors.push('must specify machineGroupRef for etcd machines');
  }
  // validateControlPlaneReplicas.
  const cpCount = intField(cp.count, 'spec.controlPlaneConfiguration.count', errors) ?? 0;
  if (cpCount <= 0) errors.push('control plane node count must be positive');
  else if (!external && cpCount % 2 === 0) errors.push('control plane node count cannot be an even number when using stacked etcd topology');
  else if (!external && cpCount !== 3 && cpCount !== 5 && dcKind !== DOCKER) warnings.push('the recommended number of control plane nodes is 3 or 5');

  // validateWorkerNodeGroups (after setWorkerNodeGroupDefaults: the first group's name defaults to md-0,
  // an absent count to autoscalingConfiguration.minCount, else 1), validateAutoscalingConfig.
  const groups = Array.isArray(spec.workerNodeGroupConfigurations) ? spec.workerNodeGroupConfigurations : [];
  if (groups.length === 0) {
    if (dcKind === TINKERBELL) warnings.push('no worker node groups: pods will be scheduled on control-plane nodes');
    else errors.push(`WorkerNodeGroupConfigs cannot be empty for ${dcKind}`);
    if (Array.isArray(cp.taints) && cp.taints.length > 0) errors.push('cannot taint control plane when there is no worker node');
  }
  const seen = new Set<string>();
  let tainted = 0;
  groups.forEach((g: unknown, i: number) => {
    const group = isRecord(g) ? g : {};
    const path = `spec.workerNodeGroupConfigurations[${i}]`;
    const groupName = typeof group.name === 'string' && group.name !== '' ? group.name : i === 0 ? 'md-0' : '';
    if (groupName === '') errors.push('must specify name for worker nodes');
    if (dcKind !== DOCKER && !isRecord(group.machineGroupRef)) errors.push('must specify machineGroupRef for worker nodes');
    const auto = isRecord(group.autoscalingConfiguration) ? group.autoscalingConfiguration : undefined;
    const min = auto ? intField(auto.minCount, `${path}.autoscalingConfiguration.minCount`, errors) ?? 0 : undefined;
    const max = auto ? intField(auto.maxCount, `${path}.autoscalingConfiguration.maxCount`, errors) ?? 0 : undefined;
    const count = intField(group.count, `${path}.count`, errors) ?? min ?? 1;
    if (!auto && count < 0) errors.push('worker node count must be zero or greater if autoscaling is not enabled');
    if (min !== undefined && max !== undefined) {
      if (min < 0) errors.push('min count must be non negative');
      else if (min > max) errors.push('min count must be no greater than max count');
      else if (min > count) errors.push('min count must be less than or equal to count');
      else if (max < count) errors.push('max count must be greater than or equal to count');
    }
    if (groupName !== '' && seen.has(groupName)) errors.push('worker node group names must be unique');
    seen.add(groupName);
    const taints = Array.isArray(group.taints) ? group.taints : [];
    if (taints.some((t: unknown) => isRecord(t) && (t.effect === 'NoExecute' || t.effect === 'NoSchedule'))) tainted++;
  });
  const managementName = isRecord(spec.managementCluster) ? spec.managementCluster.name : undefined;
  const selfManaged = managementName === undefined || managementName === '' || managementName === name;
  if (groups.length > 0 && tainted === groups.length && selfManaged) {
    errors.push('at least one WorkerNodeGroupConfiguration must not have NoExecute and/or NoSchedule taints');
  }

  // validateEtcdReplicas.
  if (external) {
    const etcd = intField(external.count, 'spec.externalEtcdConfiguration.count', errors) ?? 0;
    if (etcd === 0) errors.push('no value set for etcd replicas');
    else if (etcd < 0) errors.push('etcd replicas cannot be a negative number');
    else if (etcd % 2 === 0) errors.push('external etcd count cannot be an even number');
    else if (etcd !== 3 && etcd !== 5 && dcKind !== DOCKER) warnings.push('the recommended size of an external etcd cluster is 3 or 5');
  }

  // validateEksaVersion.
  if (spec.bundlesRef !== undefined && spec.bundlesRef !== null && spec.eksaVersion !== undefined && spec.eksaVersion !== null) {
    errors.push('cannot pass both bundlesRef and eksaVersion. New clusters should use eksaVersion instead of bundlesRef');
  }

  // pkg/cluster/validate.go validateSameNamespace, for the datacenter and the referenced machine configs:
  // the raw namespaces must be equal (EKS-A does not default them on upgrade, so "" and "default" differ).
  const namespace = cluster.metadata?.namespace ?? '';
  const refs = [
    spec.datacenterRef,
    cp.machineGroupRef,
    external?.machineGroupRef,
    ...groups.map((g: unknown) => (isRecord(g) ? g.machineGroupRef : undefined)),
  ].filter(isRecord);
  const checked = new Set<KubeObject>();
  for (const ref of refs) {
    const doc = documents.find((d) => d.kind === ref.kind && d.metadata?.name === ref.name);
    if (!doc || checked.has(doc)) continue;
    checked.add(doc);
    if ((doc.metadata?.namespace ?? '') !== namespace) {
      errors.push(`${doc.kind} and Cluster objects must have the same namespace specified`);
    }
  }
  return { errors: [...new Set(errors)], warnings };
}

/**
 * Machine config and datacenter names: Kubernetes object names (DNS-1123 subdomains). EKS-A accepts a dot
 * in them; anything else a name could carry into a path or command is still refused.
 */
export function isConfigObjectName(name: unknown): name is string {
  return isDns1123Subdomain(name);
}
