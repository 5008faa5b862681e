import semver from 'semver';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../errors.js';
import { DATACENTER_KINDS, EKSA_GROUP, groupOf } from '../kube/kinds.js';
import type { KubeObject } from '../kube/types.js';
import { assertDns1123Label, describeValue } from '../kube/names.js';
import { normalizeKubernetesVersion } from './normalize.js';
import { isConfigObjectName, validateClusterSpec } from './validate-cluster.js';
import type { ClusterSpec, OsFamily, WorkerGroupSpec } from './types.js';

const KUBERNETES_VERSION = /^1\.\d{1,2}$/;
const OS_FAMILIES = new Set<OsFamily>(['ubuntu', 'redhat', 'bottlerocket']);
const FIX_SPEC = 'fix the cluster spec given with -f';

/** Text → validated spec; the file is read by spec-file/read-spec.ts. */
export function parseSpec(text: string, file: string): ClusterSpec {
  const documents = parseDocuments(normalizeKubernetesVersion(text), file);
  const clusters = documents.filter((d) => d.kind === 'Cluster' && groupOf(d.apiVersion) === EKSA_GROUP);
  if (clusters.length === 0) {
    throw new UsageError(`${file} has no EKS Anywhere Cluster document (apiVersion ${EKSA_GROUP}/v1alpha1, kind Cluster)`, {
      hint: 'pass -f with the spec eksctl anywhere create cluster wrote, <name>/<name>-eks-a-cluster.yaml',
    });
  }
  if (clusters.length > 1) {
    throw new UsageError(`${file} has ${clusters.length} Cluster documents; one spec upgrades one cluster`, { hint: FIX_SPEC });
  }
  const cluster = clusters[0]!;
  const spec = (cluster.spec ?? {}) as Record<string, any>;
  const name = assertDns1123Label(cluster.metadata?.name, 'cluster name', FIX_SPEC);
  const namespace = cluster.metadata?.namespace === undefined
    ? 'default'
    : assertDns1123Label(cluster.metadata.namespace, 'cluster namespace', FIX_SPEC);
  const mgmtName = spec.managementCluster?.name;
  const managementClusterName = mgmtName === undefined || mgmtName === '' ? name : assertDns1123Label(mgmtName, 'managementCluster.name', FIX_SPEC);

  const kubernetesVersion = String(spec.kubernetesVersion ?? '');
  if (!KUBERNETES_VERSION.test(kubernetesVersion)) {
    throw new UsageError(`spec.kubernetesVersion ${describeValue(spec.kubernetesVersion)} is not a Kubernetes version like "1.32"`, { hint: FIX_SPEC });
  }
  const eksaVersion = spec.eksaVersion === undefined || spec.eksaVersion === null ? undefined : String(spec.eksaVersion);
  if (eksaVersion !== undefined && semver.valid(eksaVersion) === null) {
    throw new UsageError(`spec.eksaVersion ${describeValue(eksaVersion)} is not a semantic version like "v0.22.0"`, { hint: FIX_SPEC });
  }

  const datacenterKind = String(spec.datacenterRef?.kind ?? '');
  const provider = DATACENTER_KINDS[datacenterKind];
  if (!provider) {
    throw new UsageError(`spec.datacenterRef.kind ${describeValue(datacenterKind)} is not an EKS Anywhere datacenter kind`, {
      hint: `use one of ${Object.keys(DATACENTER_KINDS).join(', ')}`,
    });
  }
  const datacenterName = spec.datacenterRef?.name;
  const datacenter = documents.find((d) => d.kind === datacenterKind && d.metadata?.name === datacenterName);
  const machineConfigs = documents.filter((d) => groupOf(d.apiVersion) === EKSA_GROUP && d.kind.endsWith('MachineConfig'));
  for (const doc of [...machineConfigs, ...(datacenter ? [datacenter] : [])]) {
    if (!isConfigObjectName(doc.metadata?.name)) {
      throw new UsageError(`${doc.kind} name ${describeValue(doc.metadata?.name)} is not a valid name (a Kubernetes object name: lowercase letters, digits, '-' and '.')`, { hint: FIX_SPEC });
    }
  }
  // The checks eksctl runs on the spec before it changes anything (validate-cluster.ts), all at once.
  const check = validateClusterSpec(documents, cluster);
  if (check.errors.length > 0) {
    throw new UsageError(`${file}: eksctl would refuse this spec: ${check.errors.join('; ')}`, { hint: FIX_SPEC });
  }

  const workerGroups: WorkerGroupSpec[] = ((spec.workerNodeGroupConfigurations ?? []) as any[]).map((group, index) => ({
    name: assertDns1123Label(group?.name ?? `md-${index}`, 'worker node group name', FIX_SPEC),
    count: typeof group?.count === 'number' ? group.count : undefined,
    kubernetesVersion: group?.kubernetesVersion === undefined ? undefined : String(group.kubernetesVersion),
    machineConfigName: group?.machineGroupRef?.name,
  }));
  for (const group of workerGroups) {
    if (group.kubernetesVersion !== undefined && !KUBERNETES_VERSION.test(group.kubernetesVersion)) {
      throw new UsageError(`worker group ${group.name} kubernetesVersion ${describeValue(group.kubernetesVersion)} is not like "1.32"`, { hint: FIX_SPEC });
    }
  }

  const cpConfigName = spec.controlPlaneConfiguration?.machineGroupRef?.name;
  const cpConfig = machineConfigs.find((m) => m.metadata.name === cpConfigName);
  const osFamily = cpConfig?.spec?.osFamily;
  const controlPlaneOs = OS_FAMILIES.has(osFamily) ? (osFamily as OsFamily) : undefined;

  return {
    file,
    documents,
    cluster,
    name,
    namespace,
    managementClusterName,
    isManagement: managementClusterName === name,
    kubernetesVersion,
    eksaVersion,
    workerGroups,
    externalEtcd: spec.externalEtcdConfiguration !== undefined && spec.externalEtcdConfiguration !== null,
    provider,
    datacenterKind,
    datacenter,
    machineConfigs,
    controlPlaneOs,
    warnings: check.warnings,
  };
}

// An EKS-A spec nests a few levels deep; the yaml parser's time and memory grow with nesting, so it is bounded first.
const MAX_FLOW_DEPTH = 64;
const MAX_INDENT = 256;
// Aliases expand on conversion: a few lines can name billions of nodes (the "billion laughs").
const MAX_ALIAS_COUNT = 100;

/**
 * Pure and linear: refuses a text whose nesting is deeper than any spec's, before the parser sees it. Flow
 * brackets are counted whatever quotes surround them (a spec has no long runs of brackets in its strings);
 * block nesting shows as indentation, `- ` and `? ` at the start of a line.
 */
export function checkNesting(text: string, file: string): void {
  let depth = 0;
  let line = 1;
  let lineStart = true;
  let column = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line += 1;
      lineStart = true;
      column = 0;
      continue;
    }
    if (lineStart) {
      const next = text.charCodeAt(i + 1);
      if (c === 32 || c === 9 || ((c === 45 || c === 63) && (next === 32 || next === 9))) {
        column += 1;
        if (column > MAX_INDENT) throw new UsageError(`${file} nests deeper than any EKS-A spec (indentation beyond ${MAX_INDENT} columns at line ${line})`, { hint: FIX_SPEC });
        continue;
      }
      lineStart = false;
    }
    if (c === 91 || c === 123) {
      depth += 1;
      if (depth > MAX_FLOW_DEPTH) throw new UsageError(`${file} nests deeper than any EKS-A spec (more than ${MAX_FLOW_DEPTH} levels of [ ] or { } at line ${line})`, { hint: FIX_SPEC });
    } else if ((c === 93 || c === 125) && depth > 0) depth -= 1;
  }
}

function parseDocuments(text: string, file: string): KubeObject[] {
  checkNesting(text, file);
  const parsed = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  const objects: KubeObject[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0];
      const where = at ? `line ${at.line}, column ${at.col}` : 'unknown position';
      const first = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new UsageError(`${file} is not valid YAML at ${where}: ${first}`, { hint: FIX_SPEC });
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    } catch (error) {
      // The yaml package throws a ReferenceError for an alias bomb (and for an alias to nothing).
      throw new UsageError(`${file} is not a usable spec: ${(error as Error).message} (YAML aliases are limited to ${MAX_ALIAS_COUNT})`, { hint: FIX_SPEC });
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new UsageError(`${file} has a document that is not a Kubernetes object`, { hint: FIX_SPEC });
    }
    const object = value as KubeObject;
    if (typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') {
      throw new UsageError(`${file} has a document without apiVersion/kind`, { hint: FIX_SPEC });
    }
    object.metadata = (object.metadata ?? {}) as KubeObject['metadata'];
    objects.push(object);
  }
  return objects;
}
