// Scenario `patches:` and `remove:`, applied to generated objects before the server loads them.
// A target names a kind (`Machine`, or `Cluster.cluster.x-k8s.io` where the kind is ambiguous, or
// `kind` + `apiVersion`), a name (`*` globs allowed) and optionally a namespace. A target that matches
// nothing is an error, so a typo cannot silently leave a scenario healthy.
import { kindFor, kindOfObject } from './kinds.js';
import { mergePatch } from './patch.js';
import { timestamp, tracksGeneration } from './store.js';
import { uidFor } from './generate/ids.js';

const PATCH_KEYS = new Set(['kind', 'apiVersion', 'name', 'namespace', 'patch', 'conditions']);
const REMOVE_KEYS = new Set(['kind', 'apiVersion', 'name', 'namespace']);

const globToRegExp = (glob) => new RegExp(`^${String(glob).split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

/** Indexes of the objects a target selects; throws when it selects none. */
function select(objects, target, where, allowedKeys) {
  const unknown = Object.keys(target ?? {}).filter((k) => !allowedKeys.has(k));
  if (unknown.length) throw new Error(`${where}: unknown key(s) ${unknown.join(', ')}`);
  if (!target?.kind || !target?.name) throw new Error(`${where}: kind and name are required`);
  const group = target.apiVersion?.includes('/') ? target.apiVersion.split('/')[0] : undefined;
  let info;
  try {
    info = kindFor(group ? `${target.kind}.${group}` : target.kind);
  } catch (e) {
    throw new Error(`${where}: ${e.message}`);
  }
  const name = globToRegExp(target.name);
  const hits = [];
  objects.forEach((o, i) => {
    if (kindOfObject(o) === info && name.test(o.metadata.name)
      && (target.namespace === undefined || o.metadata.namespace === target.namespace)) hits.push(i);
  });
  if (hits.length === 0) {
    throw new Error(`${where}: no ${info.kind}.${info.group || 'core'} named "${target.name}"${target.namespace ? ` in ${target.namespace}` : ''}`);
  }
  return hits;
}

/**
 * Upsert conditions by type into status.conditions, in the style the object already uses:
 * metav1 conditions (v1beta2: reason, message, observedGeneration) or CAPI v1beta1 ones (severity).
 */
export function upsertConditions(obj, updates, time) {
  const current = obj.status?.conditions ?? [];
  const metav1 = current.some((c) => 'observedGeneration' in c) || (current.length === 0 && /\/v1beta2$/.test(obj.apiVersion));
  const conditions = [...current];
  for (const u of updates) {
    if (!u?.type || !['True', 'False', 'Unknown'].includes(u.status)) {
      throw new Error(`condition ${JSON.stringify(u)} needs a type and status True|False|Unknown`);
    }
    const next = metav1
      ? { type: u.type, status: u.status, observedGeneration: obj.metadata.generation ?? 1, lastTransitionTime: time, reason: u.reason ?? u.type, message: u.message ?? '' }
      : {
        type: u.type,
        status: u.status,
        lastTransitionTime: time,
        ...(u.status !== 'True' ? { severity: u.severity ?? 'Warning', reason: u.reason ?? '' } : {}),
        ...(u.message ? { message: u.message } : {}),
      };
    const i = conditions.findIndex((c) => c.type === u.type);
    if (i === -1) conditions.push(next);
    else conditions[i] = next;
  }
  return { ...obj, status: { ...obj.status, conditions } };
}

/** Apply `patches:` in order: the JSON merge patch first, then the condition upserts. */
export function applyPatches(objects, patches, now = Date.now()) {
  if (!Array.isArray(patches)) throw new Error('patches must be a list');
  const out = [...objects];
  patches.forEach((p, n) => {
    const where = `patches[${n}] (${p?.kind} ${p?.name})`;
    if (p.patch === undefined && p.conditions === undefined) throw new Error(`${where}: needs patch or conditions`);
    for (const i of select(out, p, where, PATCH_KEYS)) {
      let obj = out[i];
      if (p.patch !== undefined) obj = mergePatch(obj, p.patch);
      if (p.conditions !== undefined) {
        if (!Array.isArray(p.conditions)) throw new Error(`${where}: conditions must be a list`);
        obj = upsertConditions(obj, p.conditions, timestamp(new Date(now)));
      }
      out[i] = obj;
    }
  });
  return out;
}

/** Apply `remove:`: drop every object a target selects. */
export function applyRemovals(objects, removals) {
  if (!Array.isArray(removals)) throw new Error('remove must be a list');
  const drop = new Set();
  removals.forEach((r, n) => {
    for (const i of select(objects, r, `remove[${n}] (${r?.kind} ${r?.name})`, REMOVE_KEYS)) drop.add(i);
  });
  return objects.filter((_, i) => !drop.has(i));
}

/**
 * Apply `add:`: objects the generator does not make (a Node, a Node without a Machine, an extra Machine, a
 * Namespace, an EKS-A object in another namespace…), given as they would be stored. The kind must be one the
 * server serves; a namespaced kind needs `metadata.namespace`; an object that already exists is an error.
 * `uid` and `creationTimestamp` are filled in when absent, `generation` 1 for custom resources; an
 * ownerReference without `uid` gets the uid of the object it names (same namespace; it must exist). Status is
 * kept as given (a Node with Ready False, a Machine in phase Failed…).
 */
export function applyAdditions(objects, additions, { seed = '', now = Date.now() } = {}) {
  if (!Array.isArray(additions)) throw new Error('add must be a list');
  const out = [...objects];
  const key = (o) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const taken = new Set(out.map(key));
  additions.forEach((a, n) => {
    const where = `add[${n}] (${a?.kind} ${a?.metadata?.name})`;
    if (!a || typeof a !== 'object' || !a.apiVersion || !a.kind || !a.metadata?.name) throw new Error(`${where}: apiVersion, kind and metadata.name are required`);
    const info = kindOfObject(a);
    if (!info) throw new Error(`${where}: the simulator does not serve ${a.kind} in ${a.apiVersion}`);
    if (info.namespaced && !a.metadata.namespace) throw new Error(`${where}: ${info.kind} is namespaced: metadata.namespace is required`);
    if (!info.namespaced && a.metadata.namespace) throw new Error(`${where}: ${info.kind} is not namespaced`);
    const obj = structuredClone(a);
    obj.metadata.uid ??= uidFor(seed, info.group, info.kind, obj.metadata.namespace ?? '', obj.metadata.name);
    obj.metadata.creationTimestamp ??= timestamp(new Date(now));
    if (tracksGeneration({ group: info.group }) && obj.metadata.generation === undefined) obj.metadata.generation = 1;
    for (const ref of obj.metadata.ownerReferences ?? []) {
      if (ref.uid) continue;
      const refGroup = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/')[0] : '';
      const owner = out.find((o) => o.kind === ref.kind && o.metadata.name === ref.name && (o.metadata.namespace ?? '') === (obj.metadata.namespace ?? '')
        && (String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/')[0] : '') === refGroup);
      if (!owner) throw new Error(`${where}: ownerReference ${ref.kind} ${ref.name} names no object`);
      ref.uid = owner.metadata.uid;
    }
    if (taken.has(key(obj))) throw new Error(`${where}: already exists`);
    taken.add(key(obj));
    out.push(obj);
  });
  return out;
}
