import type { KubeObject } from '../kube/types.js';

/** One object of the tree as the plan saw it: any change to it shows in resourceVersion (and generation for spec). */
export interface ObjectStamp {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly generation: number | null;
}

/** What a plan was made against: `--plan` refuses to apply it when any of this differs. */
export interface Fingerprint {
  readonly objects: readonly ObjectStamp[];
  readonly specSha256: string;
  readonly tools: Readonly<Record<string, string>>;
  /** The options that shape the plan (not --dry-run, --plan-out, --report, output or verbosity). */
  readonly flags: Readonly<Record<string, unknown>>;
}

/** The group of an apiVersion only: kubectl may serve another version of the same object on a later read. */
const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');
const keyOf = (o: Pick<ObjectStamp, 'kind' | 'apiVersion' | 'namespace' | 'name'>) => `${o.kind}.${group(o.apiVersion)} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;

export function stampObjects(items: readonly KubeObject[]): ObjectStamp[] {
  return items
    .map((o) => ({
      kind: o.kind,
      apiVersion: o.apiVersion,
      namespace: o.metadata.namespace ?? '',
      name: o.metadata.name,
      uid: String(o.metadata.uid ?? ''),
      resourceVersion: String(o.metadata.resourceVersion ?? ''),
      generation: typeof o.metadata.generation === 'number' ? o.metadata.generation : null,
    }))
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

/** JSON with object keys sorted at every depth: the same value always gives the same text (and sha256). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Every difference between the tree a plan was made against and the tree now, one line each, in a
 * stable order: objects added, removed or changed (which stamp), the spec, the tools, the flags.
 */
export function compareFingerprints(planned: Fingerprint, now: Fingerprint): string[] {
  const changes: string[] = [];
  const before = new Map(planned.objects.map((o) => [keyOf(o), o]));
  const after = new Map(now.objects.map((o) => [keyOf(o), o]));
  for (const [key, was] of before) {
    const is = after.get(key);
    if (!is) {
      changes.push(`${key} was removed`);
      continue;
    }
    if (is.uid !== was.uid) changes.push(`${key} was replaced (uid ${was.uid} → ${is.uid})`);
    else if (is.generation !== was.generation) changes.push(`${key} changed (generation ${was.generation} → ${is.generation})`);
    else if (is.resourceVersion !== was.resourceVersion) changes.push(`${key} changed (resourceVersion ${was.resourceVersion} → ${is.resourceVersion})`);
  }
  for (const key of after.keys()) if (!before.has(key)) changes.push(`${key} was added`);
  if (planned.specSha256 !== now.specSha256) changes.push(`the spec file changed (sha256 ${planned.specSha256.slice(0, 12)}… → ${now.specSha256.slice(0, 12)}…)`);
  for (const tool of new Set([...Object.keys(planned.tools), ...Object.keys(now.tools)])) {
    if (planned.tools[tool] !== now.tools[tool]) changes.push(`${tool} is ${now.tools[tool] ?? 'gone'}, the plan was made with ${planned.tools[tool] ?? 'none'}`);
  }
  for (const flag of new Set([...Object.keys(planned.flags), ...Object.keys(now.flags)])) {
    if (canonicalJson(planned.flags[flag]) !== canonicalJson(now.flags[flag])) {
      changes.push(`flag ${flag} is ${canonicalJson(now.flags[flag]) ?? 'not given'}, the plan was made with ${canonicalJson(planned.flags[flag]) ?? 'none'}`);
    }
  }
  return changes;
}
