// Scenarios: a compact YAML description of a management tree (see README.md), expanded by the
// generator into every object the simulated API server serves, then patched and pruned.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import YAML from 'yaml';
import { generateWorld } from './generate/world.js';
import { PROVIDERS } from './generate/providers.js';
import { applyAdditions, applyPatches, applyRemovals } from './scenario-patches.js';
import { mergePatch } from './patch.js';
import { DEFAULT_RECONCILE_DELAY_MS } from './controllers.js';
import { normalizeEksctlBlock } from './eksctl/config.js';

export const SIM_DIR = path.dirname(fileURLToPath(import.meta.url));
export const SCENARIO_DIR = path.join(SIM_DIR, 'scenarios');

const TOP_KEYS = new Set(['name', 'description', 'extends', 'provider', 'management', 'upgradeTo', 'clusters',
  'clusterDefaults', 'patches', 'add', 'remove', 'faults', 'eksctl', 'clusterctl', 'controllers']);
const CLUSTER_KEYS = new Set(['name', 'kubernetesVersion', 'eksaVersion', 'os', 'etcd', 'controlPlane', 'etcdCount', 'workers', 'shape',
  'provider', 'namespace', 'specFile']);
const SPEC_FILE_KEYS = new Set(['kubernetesVersion', 'eksaVersion', 'workers', 'patch', 'unquotedKubernetesVersion']);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A scenario name (`healthy` or `healthy.yaml` → sim/scenarios/healthy.yaml) or a path, made absolute. */
export function resolveScenarioPath(ref) {
  if (/[\\/]/.test(ref)) return path.resolve(ref);
  if (/\.ya?ml$/.test(ref)) return existsSync(ref) ? path.resolve(ref) : path.join(SCENARIO_DIR, ref);
  return path.join(SCENARIO_DIR, `${ref}.yaml`);
}

/** Read a scenario file and the files it `extends:` (paths relative to the file), merged. */
export function readScenarioDefinition(file, seen = []) {
  const abs = path.resolve(file);
  if (seen.includes(abs)) throw new Error(`scenario extends cycle: ${[...seen, abs].join(' -> ')}`);
  let raw;
  try {
    raw = YAML.parse(readFileSync(abs, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read scenario ${abs}: ${e.message}`);
  }
  if (!isObject(raw)) throw new Error(`scenario ${abs}: expected a mapping at the top`);
  const unknown = Object.keys(raw).filter((k) => !TOP_KEYS.has(k));
  if (unknown.length) throw new Error(`scenario ${abs}: unknown key(s) ${unknown.join(', ')}`);
  const own = { ...raw, name: raw.name ?? path.basename(abs).replace(/\.ya?ml$/, '') };
  if (!raw.extends) return { ...own, file: abs };
  const parent = readScenarioDefinition(path.resolve(path.dirname(abs), String(raw.extends)), [...seen, abs]);
  const { extends: _extends, ...child } = own;
  return {
    ...parent,
    ...child,
    // Patches and removals accumulate along the chain (the parent's first); maps merge; the rest overrides.
    clusterDefaults: { ...parent.clusterDefaults, ...child.clusterDefaults },
    upgradeTo: { ...parent.upgradeTo, ...child.upgradeTo },
    controllers: { ...parent.controllers, ...child.controllers },
    patches: [...(parent.patches ?? []), ...(child.patches ?? [])],
    add: [...(parent.add ?? []), ...(child.add ?? [])],
    remove: [...(parent.remove ?? []), ...(child.remove ?? [])],
    file: abs,
  };
}

/** `n` ready workload clusters `w-0001`…: ubuntu, stacked etcd, 1 control-plane node, one md-0 worker. */
export function generateWorkloads(n, template = {}) {
  return Array.from({ length: n }, (_, i) => ({
    name: `w-${String(i + 1).padStart(4, '0')}`,
    os: 'ubuntu',
    etcd: 'stacked',
    controlPlane: 1,
    workers: [{ name: 'md-0', count: 1 }],
    ...template,
  }));
}

function fail(where, message) {
  throw new Error(`${where}: ${message}`);
}

/** `specFile:` of a cluster entry: how the written spec differs from the live objects (README). */
function normalizeSpecFile(raw, where) {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) fail(where, 'specFile must be a mapping');
  const unknown = Object.keys(raw).filter((k) => !SPEC_FILE_KEYS.has(k));
  if (unknown.length) fail(where, `unknown key(s) specFile.${unknown.join(', specFile.')} (known: ${[...SPEC_FILE_KEYS].join(', ')})`);
  for (const k of ['kubernetesVersion', 'eksaVersion']) {
    if (raw[k] !== undefined && raw[k] !== null && typeof raw[k] !== 'string') fail(where, `specFile.${k} must be a quoted string (or null to leave it out)`);
  }
  if (raw.workers !== undefined && (!isObject(raw.workers) || !Object.values(raw.workers).every(isObject))) {
    fail(where, 'specFile.workers must map worker group names to merge patches');
  }
  if (raw.patch !== undefined && !isObject(raw.patch)) fail(where, 'specFile.patch must be a mapping (a JSON merge patch of the Cluster document)');
  if (raw.unquotedKubernetesVersion !== undefined && typeof raw.unquotedKubernetesVersion !== 'boolean') fail(where, 'specFile.unquotedKubernetesVersion must be true or false');
  return raw;
}

function normalizeCluster(raw, scenarioProvider) {
  const where = `cluster ${JSON.stringify(raw?.name ?? raw)}`;
  if (!isObject(raw)) fail(where, 'must be a mapping');
  const unknown = Object.keys(raw).filter((k) => !CLUSTER_KEYS.has(k));
  if (unknown.length) fail(where, `unknown key(s) ${unknown.join(', ')}`);
  const c = {
    kubernetesVersion: '1.31', eksaVersion: 'v0.22.0', os: 'ubuntu', etcd: 'stacked', controlPlane: 1,
    workers: [{ name: 'md-0', count: 1 }], shape: 'v1beta2', ...raw,
  };
  const provider = c.provider ?? scenarioProvider;
  if (!PROVIDERS[provider]) fail(where, `provider must be one of ${Object.keys(PROVIDERS).join(', ')}`);
  // provider and namespace stay absent when not given (the scenario's provider, `default`).
  if (c.namespace !== undefined && (typeof c.namespace !== 'string' || !DNS_LABEL.test(c.namespace))) fail(where, 'namespace must be a DNS-1123 label');
  if (c.specFile === undefined) delete c.specFile;
  else c.specFile = normalizeSpecFile(c.specFile, where);
  if (typeof c.name !== 'string' || !DNS_LABEL.test(c.name)) fail(where, 'name must be a DNS-1123 label');
  if (typeof c.kubernetesVersion !== 'string' || !/^1\.\d+$/.test(c.kubernetesVersion)) fail(where, 'kubernetesVersion must be a quoted string like "1.31"');
  if (typeof c.eksaVersion !== 'string' || !/^v\d+\.\d+\.\d+/.test(c.eksaVersion)) fail(where, 'eksaVersion must look like v0.22.0');
  if (!['ubuntu', 'redhat', 'bottlerocket'].includes(c.os)) fail(where, 'os must be ubuntu, redhat or bottlerocket');
  if (!['stacked', 'external'].includes(c.etcd)) fail(where, 'etcd must be stacked or external');
  if (!['v1beta2', 'v1beta1'].includes(c.shape)) fail(where, 'shape must be v1beta2 or v1beta1');
  if (!Number.isInteger(c.controlPlane) || c.controlPlane < 1) fail(where, 'controlPlane must be a positive integer');
  if (c.etcd === 'external') {
    c.etcdCount ??= 3;
    if (!Number.isInteger(c.etcdCount) || c.etcdCount < 1) fail(where, 'etcdCount must be a positive integer');
    if (provider === 'tinkerbell') fail(where, 'external etcd is not supported on Tinkerbell (bare metal)');
    if (provider === 'docker') fail(where, 'external etcd on Docker is not simulated');
  } else {
    delete c.etcdCount;
  }
  if (!Array.isArray(c.workers)) fail(where, 'workers must be a list');
  const groups = new Set();
  c.workers = c.workers.map((w) => {
    if (!isObject(w) || typeof w.name !== 'string' || !DNS_LABEL.test(w.name)) fail(where, `worker group ${JSON.stringify(w)} needs a DNS-1123 name`);
    if (['cp', 'etcd'].includes(w.name) || groups.has(w.name)) fail(where, `worker group name "${w.name}" is reserved or repeated`);
    groups.add(w.name);
    const count = w.count ?? 1;
    if (!Number.isInteger(count) || count < 0) fail(where, `worker group ${w.name}: count must be an integer >= 0`);
    if (w.kubernetesVersion !== undefined && !/^1\.\d+$/.test(String(w.kubernetesVersion))) fail(where, `worker group ${w.name}: kubernetesVersion must be a quoted string`);
    return { name: w.name, count, ...(w.kubernetesVersion ? { kubernetesVersion: w.kubernetesVersion } : {}) };
  });
  return c;
}

/** `controllers:`: `{ reconcileDelayMs }`, how long after a spec change observedGeneration catches up. */
function normalizeControllers(raw, where) {
  const c = raw ?? {};
  if (!isObject(c)) fail(where, 'controllers must be a mapping');
  const unknown = Object.keys(c).filter((k) => k !== 'reconcileDelayMs');
  if (unknown.length) fail(where, `unknown key(s) controllers.${unknown.join(', controllers.')} (known: reconcileDelayMs)`);
  const delay = c.reconcileDelayMs ?? DEFAULT_RECONCILE_DELAY_MS;
  if (!Number.isInteger(delay) || delay < 0) fail(where, 'controllers.reconcileDelayMs must be a whole number >= 0');
  return { reconcileDelayMs: delay };
}

/**
 * Validate a merged definition and fill in defaults.
 * @param {any} def
 * @param {{ workloads?: number }} [options]
 */
export function normalizeDefinition(def, { workloads = 0 } = {}) {
  const where = `scenario ${def?.name ?? '(unnamed)'}`;
  if (!isObject(def)) fail(where, 'must be a mapping');
  const provider = def.provider ?? 'vsphere';
  if (!PROVIDERS[provider]) fail(where, `provider must be one of ${Object.keys(PROVIDERS).join(', ')}`);
  if (!Array.isArray(def.clusters) || def.clusters.length === 0) fail(where, 'clusters must be a non-empty list');
  const defaults = def.clusterDefaults ?? {};
  let raw = def.clusters.map((c) => ({ ...defaults, ...c }));
  const management = def.management ?? raw[0]?.name;
  const mgmtRaw = raw.find((c) => c.name === management);
  if (!mgmtRaw) fail(where, `management cluster "${management}" is not among the clusters`);
  if (workloads > 0) {
    const mgmt = normalizeCluster(mgmtRaw, provider);
    raw = [...raw, ...generateWorkloads(workloads, { ...defaults, kubernetesVersion: mgmt.kubernetesVersion, eksaVersion: mgmt.eksaVersion })];
  }
  // The management cluster always comes first: it gets cluster index 0 and the first addresses.
  const ordered = [mgmtRaw, ...raw.filter((c) => c !== mgmtRaw)];
  const clusters = ordered.map((c) => normalizeCluster(c, provider));
  const names = new Set();
  for (const c of clusters) {
    if (names.has(c.name)) fail(where, `cluster name ${c.name} is repeated`);
    names.add(c.name);
  }
  const mgmt = /** @type {any} */ (clusters[0]);
  const upgradeTo = {
    kubernetesVersion: String(def.upgradeTo?.kubernetesVersion ?? mgmt.kubernetesVersion),
    eksaVersion: String(def.upgradeTo?.eksaVersion ?? mgmt.eksaVersion),
  };
  return {
    name: String(def.name ?? 'scenario'),
    description: String(def.description ?? ''),
    file: def.file,
    provider,
    management,
    upgradeTo,
    clusters,
    patches: def.patches ?? [],
    add: def.add ?? [],
    remove: def.remove ?? [],
    faults: def.faults ?? [],
    eksctl: normalizeEksctlBlock(def.eksctl, where),
    clusterctl: def.clusterctl ?? {},
    controllers: normalizeControllers(def.controllers, where),
  };
}

/**
 * Expand a definition (an object as in the YAML, `extends` already merged) into a scenario.
 * @param {any} def
 * @param {{ workloads?: number, seed?: string, now?: number }} [options]
 */
export function buildScenario(def, { workloads = 0, seed, now } = {}) {
  const normal = normalizeDefinition(def, { workloads });
  const runSeed = seed ?? randomBytes(8).toString('hex');
  let objects = generateWorld(normal, { seed: runSeed, now: now ?? Date.now() });
  objects = applyAdditions(objects, normal.add, { seed: runSeed, now: now ?? Date.now() });
  objects = applyPatches(objects, normal.patches, now ?? Date.now());
  objects = applyRemovals(objects, normal.remove);
  return { ...normal, workloads, seed: runSeed, objects };
}

/**
 * Load a scenario by name (`healthy`), path, or definition object.
 * @param {string | object} ref
 * @param {{ workloads?: number, seed?: string, now?: number }} [options]
 */
export function loadScenario(ref, options = {}) {
  const def = typeof ref === 'string' ? readScenarioDefinition(resolveScenarioPath(ref)) : ref;
  return buildScenario(def, options);
}

// EKS-A objects by namespace/kind/name, built once per object list (spec files are written for every
// cluster, and a 500-workload world has ~14k objects).
const eksaIndexes = new WeakMap();
function eksaIndex(objects) {
  let index = eksaIndexes.get(objects);
  if (!index) {
    index = new Map();
    for (const o of objects) {
      if (o.apiVersion.startsWith('anywhere.eks.amazonaws.com/') && o.metadata.namespace) index.set(`${o.metadata.namespace}/${o.kind}/${o.metadata.name}`, o);
    }
    eksaIndexes.set(objects, index);
  }
  return index;
}

/** Apply a cluster entry's `specFile:` to the Cluster document of its spec file. */
function applySpecFile(main, specFile) {
  if (!specFile) return main;
  let out = main;
  for (const k of ['kubernetesVersion', 'eksaVersion']) {
    if (specFile[k] === null) delete out.spec[k];
    else if (specFile[k] !== undefined) out.spec[k] = specFile[k];
  }
  if (specFile.workers) {
    const groups = out.spec.workerNodeGroupConfigurations ?? [];
    for (const name of Object.keys(specFile.workers)) {
      if (!groups.some((g) => g.name === name)) throw new Error(`specFile.workers: the cluster ${main.metadata.name} has no worker group ${name}`);
    }
    out.spec.workerNodeGroupConfigurations = groups.map((g) => (specFile.workers[g.name] ? mergePatch(g, specFile.workers[g.name]) : g));
  }
  if (specFile.patch) out = mergePatch(out, specFile.patch);
  return out;
}

/**
 * The documents of `<cluster>/<cluster>-eks-a-cluster.yaml`: the EKS-A Cluster (with the scenario's
 * `upgradeTo` versions, then the cluster entry's `specFile:`), its datacenter config and machine configs,
 * with only name (and namespace, when not `default`) and spec kept. Undefined when the scenario removed the
 * cluster's EKS-A object.
 */
export function specDocuments(scenario, clusterName) {
  const index = eksaIndex(scenario.objects);
  const entry = scenario.clusters?.find((c) => c.name === clusterName);
  const namespace = entry?.namespace ?? 'default';
  const find = (kind, name) => index.get(`${namespace}/${kind}/${name}`);
  const cluster = find('Cluster', clusterName);
  if (!cluster) return undefined;
  const doc = (o) => ({
    apiVersion: o.apiVersion, kind: o.kind,
    metadata: { name: o.metadata.name, ...(namespace !== 'default' ? { namespace } : {}) },
    spec: structuredClone(o.spec),
  });
  let main = doc(cluster);
  main.spec.kubernetesVersion = scenario.upgradeTo.kubernetesVersion;
  main.spec.eksaVersion = scenario.upgradeTo.eksaVersion;
  main = applySpecFile(main, entry?.specFile);
  const refs = [
    cluster.spec.datacenterRef,
    cluster.spec.controlPlaneConfiguration?.machineGroupRef,
    cluster.spec.externalEtcdConfiguration?.machineGroupRef,
    ...(cluster.spec.workerNodeGroupConfigurations ?? []).map((w) => w.machineGroupRef),
  ].filter(Boolean);
  const seen = new Set();
  const related = refs.flatMap((r) => {
    const key = `${r.kind}/${r.name}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const o = find(r.kind, r.name);
    return o ? [doc(o)] : [];
  });
  return [main, ...related];
}

/**
 * Multi-document YAML as eksctl writes cluster specs. `unquotedKubernetesVersion`: every
 * `kubernetesVersion: "1.30"` is written `kubernetesVersion: 1.30`, as hand-written specs often are (a YAML
 * float; EKS-A quotes it back before parsing, NormalizeKubernetesVersion).
 */
export function specYaml(documents, { unquotedKubernetesVersion = false } = {}) {
  const text = documents.map((d) => YAML.stringify(d, { lineWidth: 0 })).join('---\n');
  return unquotedKubernetesVersion ? text.replace(/^(\s*(?:- )?kubernetesVersion: )["']?(\d+\.\d+)["']?$/gm, '$1$2') : text;
}

/** The text of a cluster's spec file (undefined when the scenario removed its EKS-A Cluster). */
export function specFileText(scenario, clusterName) {
  const docs = specDocuments(scenario, clusterName);
  if (!docs) return undefined;
  const entry = scenario.clusters?.find((c) => c.name === clusterName);
  return specYaml(docs, { unquotedKubernetesVersion: entry?.specFile?.unquotedKubernetesVersion === true });
}
