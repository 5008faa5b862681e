// Setting conditions the way each contract keeps them: CAPI v1beta1 / EKS-A conditions (severity and
// reason only when not True) and metav1 conditions (reason, message, observedGeneration always). A CAPI
// object carries both lists; where each lives depends on the object's apiVersion.

/** @typedef {{ type: string, status: 'True' | 'False' | 'Unknown', reason?: string, message?: string, severity?: string }} ConditionUpdate */

const CAPI_GROUPS = ['cluster.x-k8s.io/', 'controlplane.cluster.x-k8s.io/', 'bootstrap.cluster.x-k8s.io/'];

/** Paths (under status) of an object's v1beta1-style and metav1-style condition lists. */
export function conditionPaths(obj) {
  const apiVersion = String(obj.apiVersion ?? '');
  if (!CAPI_GROUPS.some((g) => apiVersion.startsWith(g))) return { v1: ['conditions'], v2: undefined };
  return apiVersion.endsWith('/v1beta2')
    ? { v1: ['deprecated', 'v1beta1', 'conditions'], v2: ['conditions'] }
    : { v1: ['conditions'], v2: ['v1beta2', 'conditions'] };
}

/**
 * Upsert by type. lastTransitionTime moves only when the status changes, as the condition setters do.
 * @param {any[] | undefined} list
 * @param {ConditionUpdate[]} updates
 * @param {{ metav1: boolean, generation: number, time: string }} style
 */
export function upsertConditions(list, updates, { metav1, generation, time }) {
  const out = [...(list ?? [])];
  for (const u of updates) {
    const i = out.findIndex((c) => c.type === u.type);
    const previous = i === -1 ? undefined : out[i];
    const lastTransitionTime = previous?.status === u.status ? previous.lastTransitionTime : time;
    const next = metav1
      ? { type: u.type, status: u.status, observedGeneration: generation, lastTransitionTime, reason: u.reason ?? u.type, message: u.message ?? '' }
      : {
        type: u.type,
        status: u.status,
        lastTransitionTime,
        ...(u.status !== 'True' ? { severity: u.severity ?? 'Info', reason: u.reason ?? '' } : {}),
        ...(u.status !== 'True' && u.message ? { message: u.message } : {}),
      };
    if (i === -1) out.push(next);
    else out[i] = next;
  }
  return out;
}

const getPath = (root, path) => path.reduce((v, k) => (v && typeof v === 'object' ? v[k] : undefined), root);

/** `{a: {b: {c: value}}}` for path [a, b, c]: a merge patch that touches only that field. */
const nest = (path, value) => path.reduceRight((inner, key) => ({ [key]: inner }), value);

/** Merge patches that touch different fields into one (maps merged, anything else replaced). */
export function mergePatches(...patches) {
  return patches.reduce((out, p) => mergeInto(out, p), {});
}

function mergeInto(target, patch) {
  for (const [k, v] of Object.entries(patch)) {
    target[k] = v && typeof v === 'object' && !Array.isArray(v) && target[k] && typeof target[k] === 'object' ? mergeInto({ ...target[k] }, v) : v;
  }
  return target;
}

/**
 * A status merge patch that upserts `v1` updates into the object's v1beta1-style list and `v2` updates into
 * its metav1 list (ignored for kinds that have only one contract), touching nothing else: the controllers'
 * status.observedGeneration must never be written back stale.
 * @param {any} obj
 * @param {{ v1?: ConditionUpdate[], v2?: ConditionUpdate[] }} updates
 * @param {string} time
 */
export function conditionsPatch(obj, { v1 = [], v2 = [] }, time) {
  const paths = conditionPaths(obj);
  const generation = obj.metadata?.generation ?? 1;
  const status = obj.status ?? {};
  const patch = {};
  if (v1.length) mergeInto(patch, nest(paths.v1, upsertConditions(getPath(status, paths.v1), v1, { metav1: false, generation, time })));
  if (v2.length && paths.v2) mergeInto(patch, nest(paths.v2, upsertConditions(getPath(status, paths.v2), v2, { metav1: true, generation, time })));
  return patch;
}
