// Scenario `patches:` and `remove:`, applied to generated objects before the server loads them.
// A target names a kind (`Machine`, or `Cluster.cluster.x-k8s.io` where the kind is ambiguous, or
// `kind` + `apiVersion`), a name (`*` globs allowed) and optionally a namespace. A target that matches
// nothing is an error, so a typo cannot silently leave a scenario healthy.
import { kindFor, kindOfObject } from './kinds.js';
import { mergePatch } from './patch.js';
import { timestamp } from './store.js';

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
