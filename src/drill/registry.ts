// Pure: what the keys and values of a restored etcd say, as kube-apiserver lays them out. Keys:
// /registry/<resource>/[<namespace>/]<name> for built-in kinds, /registry/<group>/<resource>/[<namespace>/]<name>
// for custom resources (k8s.io/apiextensions-apiserver pkg/registry/customresource: the prefix is
// group/resource). Custom resources are JSON; built-ins are protobuf (`k8s\0…`) or encrypted (`k8s:enc:…`).

/** One key/value of `etcdctl get -w json` (base64 as etcdctl prints it). */
export interface RawKv {
  readonly key: string;
  readonly value?: string;
  readonly mod_revision?: number;
}

export interface DecodedKv {
  readonly key: string;
  readonly value?: Buffer;
  readonly modRevision: number;
}

/** Parses `etcdctl get … -w json`: the revision of the read and its key/values (base64 decoded). */
export function parseGetJson(text: string): { revision: number; count: number; kvs: DecodedKv[] } {
  const data = JSON.parse(text) as { header?: { revision?: number }; count?: number; kvs?: RawKv[] };
  const kvs = (data.kvs ?? []).map((kv) => ({
    key: Buffer.from(kv.key, 'base64').toString('utf8'),
    ...(kv.value === undefined ? {} : { value: Buffer.from(kv.value, 'base64') }),
    modRevision: Number(kv.mod_revision ?? 0),
  }));
  return { revision: Number(data.header?.revision ?? 0), count: Number(data.count ?? kvs.length), kvs };
}

/** Parses `etcdctl endpoint status -w json` of one endpoint: its revision. */
export function parseEndpointRevision(text: string): number {
  const data = JSON.parse(text) as Array<{ Status?: { header?: { revision?: number } } }>;
  const revision = data[0]?.Status?.header?.revision;
  if (typeof revision !== 'number') throw new Error(`unexpected endpoint status: ${text.trim().slice(0, 200)}`);
  return revision;
}

/** The resource a registry key belongs to: `clusters.cluster.x-k8s.io`, `secrets`; undefined outside /registry/. */
export function resourceOfKey(key: string): string | undefined {
  const parts = key.split('/');
  if (parts[0] !== '' || parts[1] !== 'registry' || !parts[2]) return undefined;
  // A group has a dot (cluster.x-k8s.io); a built-in resource name never does.
  return parts[2].includes('.') && parts[3] ? `${parts[3]}.${parts[2]}` : parts[2];
}

/** Keys per resource, sorted by resource. */
export function countByResource(keys: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) {
    const resource = resourceOfKey(key);
    if (resource !== undefined) counts.set(resource, (counts.get(resource) ?? 0) + 1);
  }
  return Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** An object as etcd holds it, when its value is JSON (custom resources always are). */
export interface StoredObject {
  readonly key: string;
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | undefined;
  /** kube-apiserver's resourceVersion of it: the key's mod_revision. */
  readonly modRevision: number;
}

const groupOf = (apiVersion: unknown) => (typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/** The object of a key/value, or undefined when the value is not a JSON object (protobuf, encrypted). */
export function storedObject(kv: DecodedKv): StoredObject | undefined {
  if (!kv.value || kv.value[0] !== 0x7b /* { */) return undefined;
  let object: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; uid?: unknown } };
  try {
    object = JSON.parse(kv.value.toString('utf8'));
  } catch {
    return undefined;
  }
  const m = object.metadata ?? {};
  if (typeof object.kind !== 'string' || typeof m.name !== 'string') return undefined;
  return {
    key: kv.key,
    group: groupOf(object.apiVersion),
    kind: object.kind,
    namespace: typeof m.namespace === 'string' ? m.namespace : '',
    name: m.name,
    uid: typeof m.uid === 'string' ? m.uid : undefined,
    modRevision: kv.modRevision,
  };
}

/** One object of the set's capi/ or eksa/ folder. */
export interface FileObject {
  /** `capi/Cluster_eksa-system_mgmt.yaml` */
  readonly file: string;
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** clusterctl keeps uid and resourceVersion; the eksa/ export strips them (it is for `kubectl apply`). */
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
}

// The built-in kinds clusterctl moves (Secrets and ConfigMaps of a cluster) and their registry prefixes.
const BUILTIN_PREFIX: Record<string, string> = { Secret: 'secrets', ConfigMap: 'configmaps', Namespace: 'namespaces' };

/** The registry prefix to read for the objects of these files: one per custom resource group, one per built-in kind. */
export function prefixesFor(objects: readonly FileObject[]): string[] {
  const prefixes = new Set<string>();
  for (const o of objects) {
    if (o.group === '') {
      const resource = BUILTIN_PREFIX[o.kind];
      if (resource) prefixes.add(`/registry/${resource}/`);
    } else {
      prefixes.add(`/registry/${o.group}/`);
    }
  }
  return [...prefixes].sort();
}

export interface CrossCheck {
  /** Objects of the files with no object in etcd: the snapshot does not hold what the files say. */
  readonly missingFromEtcd: string[];
  readonly uidMismatch: string[];
  /** etcd's copy is older than the file's (mod_revision < resourceVersion): the snapshot predates the files. */
  readonly olderInEtcd: string[];
  /** Objects in etcd, of a kind and namespace the files hold, that no file holds (created after the files). */
  readonly etcdOnly: string[];
  /** Objects matched in both halves. */
  readonly matched: number;
  /** Objects found by key only: a protobuf or encrypted value, whose uid cannot be read here. */
  readonly keyOnly: number;
}

const describe = (o: { group: string; kind: string; namespace: string; name: string }) =>
  `${o.kind}${o.group ? `.${o.group}` : ''} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;

/**
 * Pure: every object of the files must be in etcd with the same uid and a resourceVersion not older than the
 * file's; objects of the same kinds and namespaces found in etcd only are listed too.
 */
export function crossCheck(files: readonly FileObject[], kvs: readonly DecodedKv[]): CrossCheck {
  const byIdentity = new Map<string, StoredObject>();
  const keys = new Set<string>();
  for (const kv of kvs) {
    keys.add(kv.key);
    const stored = storedObject(kv);
    if (stored) byIdentity.set(`${stored.group}|${stored.kind}|${stored.namespace}|${stored.name}`, stored);
  }
  const missingFromEtcd: string[] = [];
  const uidMismatch: string[] = [];
  const olderInEtcd: string[] = [];
  const seen = new Set<string>();
  let matched = 0;
  let keyOnly = 0;
  for (const o of files) {
    const id = `${o.group}|${o.kind}|${o.namespace}|${o.name}`;
    const stored = byIdentity.get(id);
    if (!stored) {
      const builtin = o.group === '' ? BUILTIN_PREFIX[o.kind] : undefined;
      const key = builtin && `/registry/${builtin}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
      if (key && keys.has(key)) keyOnly++;
      else missingFromEtcd.push(`${describe(o)} (${o.file})`);
      continue;
    }
    seen.add(id);
    if (o.uid !== undefined && stored.uid !== o.uid) {
      uidMismatch.push(`${describe(o)}: uid ${stored.uid ?? 'none'} in etcd, ${o.uid} in ${o.file}`);
      continue;
    }
    const rv = o.resourceVersion === undefined ? NaN : Number(o.resourceVersion);
    if (Number.isSafeInteger(rv) && stored.modRevision < rv) {
      olderInEtcd.push(`${describe(o)}: resourceVersion ${stored.modRevision} in etcd, ${rv} in ${o.file}`);
      continue;
    }
    matched++;
  }
  const covered = new Set(files.map((o) => `${o.group}|${o.kind}|${o.namespace}`));
  const etcdOnly = [...byIdentity]
    .filter(([id, s]) => !seen.has(id) && covered.has(`${s.group}|${s.kind}|${s.namespace}`))
    .map(([, s]) => `${describe(s)} (${s.key})`)
    .sort();
  return { missingFromEtcd, uidMismatch, olderInEtcd, etcdOnly, matched, keyOnly };
}

export const KUBE_SYSTEM_KEY = '/registry/namespaces/kube-system';
const CLUSTER_PREFIXES = ['/registry/cluster.x-k8s.io/clusters/', '/registry/anywhere.eks.amazonaws.com/clusters/'];

/**
 * Pure: is this the etcd of a Kubernetes cluster, and of the one it claims? Every cluster has kube-system; where
 * Cluster objects are stored (the management cluster), one must carry the cluster's name.
 */
export function sanityProblems(cluster: string, keys: readonly string[]): string[] {
  const problems: string[] = [];
  if (!keys.includes(KUBE_SYSTEM_KEY)) problems.push(`no ${KUBE_SYSTEM_KEY}: not the etcd of a Kubernetes cluster`);
  const clusterKeys = keys.filter((k) => CLUSTER_PREFIXES.some((p) => k.startsWith(p)));
  if (clusterKeys.length > 0 && !clusterKeys.some((k) => k.split('/').at(-1) === cluster)) {
    const names = [...new Set(clusterKeys.map((k) => k.split('/').at(-1)))].sort().slice(0, 5);
    problems.push(`its Cluster objects are ${names.join(', ')}, none named ${cluster}`);
  }
  return problems;
}
