// The object store behind the simulated API server: one bucket per resource, objects frozen so
// nobody can change them behind the store's back. Every write bumps one global resourceVersion,
// as etcd does; a write that changes nothing keeps the old one (kubectl's "patched (no change)").
import { EventEmitter } from 'node:events';
import { randomUUID, randomBytes } from 'node:crypto';
import { kindFor, kindOfObject, groupVersion } from './kinds.js';
import { parseLabelSelector, parseFieldSelector } from './selectors.js';
import { mergePatch, jsonPatch, deepEqual } from './patch.js';
import { apiError } from './status.js';

export const PATCH_TYPES = {
  'application/merge-patch+json': 'merge',
  // Strategic merge patch differs from a merge patch only for lists with merge keys; our kinds do
  // not rely on that, so it is applied as a merge patch.
  'application/strategic-merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
};

const deepFreeze = (value) => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};

// Stored objects are frozen and replaced on every write, so their JSON can be cached by identity:
// big lists are then string joins, not re-serialisations.
const jsonCache = new WeakMap();

/** JSON text of a stored object (cached) or of any other value. */
export function toJson(value) {
  if (value === null || typeof value !== 'object' || !Object.isFrozen(value)) return JSON.stringify(value);
  let text = jsonCache.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    jsonCache.set(value, text);
  }
  return text;
}

/** JSON text of a list object whose items are stored objects. */
export function listJson(head, items) {
  const start = JSON.stringify({ ...head, items: [] });
  return `${start.slice(0, -3)}[${items.map(toJson).join(',')}]}`;
}

/** RFC 3339 without fractions, as Kubernetes writes timestamps. */
export const timestamp = (date = new Date()) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Generation is a field of custom resources; built-in kinds here (Secret, Lease, …) have none. */
export const tracksGeneration = (info) => info.group !== '' && info.group !== 'coordination.k8s.io';

/** What metadata.generation counts: everything except metadata and status. */
const specPart = ({ metadata, status, ...rest }) => rest;

const keyOf = (namespace, name) => `${namespace ?? ''}/${name}`;

/** metadata is a typed Go struct even for custom resources: empty maps and lists are omitted. */
function tidyMetadata(m) {
  for (const field of ['labels', 'annotations', 'finalizers', 'ownerReferences', 'managedFields']) {
    const v = m[field];
    if (v !== undefined && (v === null || (typeof v === 'object' && Object.keys(v).length === 0))) delete m[field];
  }
}

export class ObjectStore extends EventEmitter {
  /** @type {Map<string, Map<string, any>>} */
  #buckets = new Map();
  #rv = 0;
  /** @type {((info: any, next: any) => void) | undefined} */
  #onGenerationBump;

  /**
   * A controller that reconciles within the write itself: `hook(info, next)` runs when a write bumps
   * metadata.generation, before the object is stored, and may change `next.status`. Undefined removes it.
   */
  setGenerationHook(hook) {
    this.#onGenerationBump = hook;
  }

  /** @type {(() => Promise<unknown>) | undefined} */
  #flush;

  /**
   * What a write waits for before it is answered (the etcd mirror's queue, sim/etcd/mirror.js); undefined
   * removes it.
   */
  setFlush(flush) {
    this.#flush = flush;
  }

  /** Resolves once every write so far is wherever the store mirrors it (at once without a mirror). */
  async flushed() {
    await this.#flush?.();
  }

  /**
   * Every object takes `revisionOf(object)` as its resourceVersion and later writes count on from the
   * highest (etcd's revision now, lower than the counter of the load): the objects were just written to etcd
   * at those revisions. No change events: nothing changed, and nobody watches yet.
   */
  rebase(revisionOf) {
    let highest = 0;
    for (const bucket of this.#buckets.values()) {
      for (const [key, obj] of bucket) {
        const revision = revisionOf(obj);
        highest = Math.max(highest, revision);
        bucket.set(key, deepFreeze({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } }));
      }
    }
    this.#rv = highest;
  }

  /** Later writes count on from `revision` when etcd is ahead of the store (another client wrote to it). */
  advanceTo(revision) {
    if (revision > this.#rv) this.#rv = revision;
  }

  /** The current global resourceVersion, as a string like Kubernetes'. */
  get resourceVersion() {
    return String(this.#rv);
  }

  #bucket(info) {
    const id = `${info.group}/${info.resource}`;
    let bucket = this.#buckets.get(id);
    if (!bucket) {
      bucket = new Map();
      this.#buckets.set(id, bucket);
    }
    return bucket;
  }

  #put(info, obj, type) {
    const frozen = deepFreeze(obj);
    this.#bucket(info).set(keyOf(frozen.metadata.namespace, frozen.metadata.name), frozen);
    this.emit('change', { type, info, object: frozen });
    return frozen;
  }

  /**
   * Seed objects as they are (uid, generation, status kept); only resourceVersion is assigned.
   * With `adopt`, the objects themselves are stored (and frozen) instead of copies.
   */
  load(objects, { adopt = false } = {}) {
    for (const source of objects) {
      const info = kindOfObject(source);
      if (!info) throw new Error(`unknown kind ${source?.apiVersion}/${source?.kind} (${source?.metadata?.name})`);
      const obj = adopt ? source : structuredClone(source);
      const m = obj.metadata;
      if (this.#bucket(info).has(keyOf(m.namespace, m.name))) {
        throw new Error(`duplicate ${info.kind} ${m.namespace ?? ''}/${m.name}`);
      }
      m.uid ??= randomUUID();
      m.creationTimestamp ??= timestamp();
      if (tracksGeneration(info)) m.generation ??= 1;
      m.resourceVersion = String(++this.#rv);
      this.#put(info, obj, 'ADDED');
    }
  }

  /** Objects of one resource, sorted by namespace and name like the real server (etcd key order). */
  list(ref, { namespace, labelSelector, fieldSelector } = {}) {
    const info = kindFor(ref);
    const matchLabels = parseLabelSelector(labelSelector);
    const matchFields = parseFieldSelector(fieldSelector);
    const items = [];
    for (const obj of this.#bucket(info).values()) {
      if (namespace && obj.metadata.namespace !== namespace) continue;
      if (matchLabels(obj.metadata.labels) && matchFields(obj)) items.push(obj);
    }
    return items.sort((a, b) => compareKeys(a.metadata, b.metadata));
  }

  get(ref, namespace, name) {
    const info = kindFor(ref);
    return this.#bucket(info).get(keyOf(info.namespaced ? namespace : undefined, name));
  }

  /** Every stored object, resource by resource. */
  all() {
    return [...this.#buckets.values()].flatMap((bucket) => [...bucket.values()]);
  }

  #mustGet(info, namespace, name) {
    const current = this.get(info, namespace, name);
    if (!current) throw apiError.notFound(info, name);
    return current;
  }

  create(ref, namespace, body, { version, dryRun = false } = {}) {
    const info = kindFor(ref);
    const obj = structuredClone(checkBody(info, body));
    obj.apiVersion ??= groupVersion(info.group, version ?? info.versions[0]);
    obj.kind ??= info.kind;
    const m = (obj.metadata ??= {});
    if (!m.name && m.generateName) m.name = `${m.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    if (!m.name) throw apiError.invalid(info, '', 'metadata.name: Required value: name or generateName is required');
    if (info.namespaced) {
      if (m.namespace && namespace && m.namespace !== namespace) throw apiError.namespaceMismatch();
      m.namespace = namespace ?? m.namespace;
      if (!m.namespace) throw apiError.invalid(info, m.name, 'metadata.namespace: Required value');
      if (!this.get('namespaces', undefined, m.namespace)) throw apiError.notFound(kindFor('namespaces'), m.namespace);
    } else {
      delete m.namespace;
    }
    if (this.get(info, m.namespace, m.name)) throw apiError.alreadyExists(info, m.name);
    // A kind with a status subresource ignores status on create (clusterctl restores rely on this).
    if (info.status) delete obj.status;
    for (const field of ['resourceVersion', 'deletionTimestamp', 'uid', 'creationTimestamp', 'generation']) delete m[field];
    tidyMetadata(m);
    m.uid = randomUUID();
    m.creationTimestamp = timestamp();
    if (tracksGeneration(info)) m.generation = 1;
    if (dryRun) return deepFreeze({ ...obj, metadata: { ...m, resourceVersion: this.resourceVersion } });
    m.resourceVersion = String(++this.#rv);
    return this.#put(info, obj, 'ADDED');
  }

  /** PUT. `subresource: 'status'` replaces only status; the main resource keeps the stored status. */
  update(ref, namespace, name, body, { subresource, dryRun = false } = {}) {
    const info = kindFor(ref);
    const current = this.#mustGet(info, namespace, name);
    const incoming = checkBody(info, body);
    if (incoming.metadata?.name !== undefined && incoming.metadata.name !== name) {
      throw apiError.badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    }
    const rv = incoming.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) throw apiError.conflict(info, name);
    return this.#replace(info, current, incoming, subresource, dryRun);
  }

  /** PATCH with a content type from PATCH_TYPES (or the short names `merge` / `json` / `strategic`). */
  patch(ref, namespace, name, type, patch, { subresource, dryRun = false } = {}) {
    const info = kindFor(ref);
    const current = this.#mustGet(info, namespace, name);
    const kind = PATCH_TYPES[type] ?? (type === 'strategic' ? 'merge' : type);
    let patched;
    if (kind === 'merge') patched = mergePatch(current, patch);
    else if (kind === 'json') patched = jsonPatch(current, patch);
    else throw apiError.unsupportedMediaType(type);
    checkBody(info, patched);
    const rv = patched.metadata?.resourceVersion;
    if (rv !== current.metadata.resourceVersion) {
      if (rv === undefined) patched = { ...patched, metadata: { ...patched.metadata, resourceVersion: current.metadata.resourceVersion } };
      else throw apiError.conflict(info, name);
    }
    if (patched.metadata?.name !== name || patched.metadata?.namespace !== current.metadata.namespace) {
      throw apiError.badRequest('metadata.name and metadata.namespace cannot be changed by a patch');
    }
    return this.#replace(info, current, patched, subresource, dryRun);
  }

  #replace(info, current, incoming, subresource, dryRun) {
    let next;
    if (subresource === 'status') {
      next = structuredClone({ ...current, status: incoming.status });
      if (incoming.status === undefined) delete next.status;
    } else {
      next = structuredClone({ ...incoming, apiVersion: incoming.apiVersion ?? current.apiVersion, kind: current.kind });
      if (info.status) {
        if (current.status === undefined) delete next.status;
        else next.status = structuredClone(current.status);
      }
      const m = (next.metadata ??= {});
      for (const field of ['uid', 'creationTimestamp', 'namespace', 'name', 'deletionTimestamp', 'generation']) {
        if (current.metadata[field] === undefined) delete m[field];
        else m[field] = current.metadata[field];
      }
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    tidyMetadata(next.metadata);
    if (deepEqual(next, current)) return current;
    const bumped = tracksGeneration(info) && !deepEqual(specPart(next), specPart(current));
    if (bumped) next.metadata.generation = (current.metadata.generation ?? 0) + 1;
    if (dryRun) return deepFreeze(next);
    if (bumped) this.#onGenerationBump?.(info, next);
    next.metadata.resourceVersion = String(++this.#rv);
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers?.length)) {
      this.#bucket(info).delete(keyOf(next.metadata.namespace, next.metadata.name));
      this.emit('change', { type: 'DELETED', info, object: deepFreeze(next) });
      return next;
    }
    return this.#put(info, next, 'MODIFIED');
  }

  /**
   * DELETE. An object with finalizers only gets a deletionTimestamp and goes once they are removed.
   * @returns {{ deleted: boolean, object: any }}
   */
  delete(ref, namespace, name, { preconditions, dryRun = false } = {}) {
    const info = kindFor(ref);
    const current = this.#mustGet(info, namespace, name);
    if (preconditions?.uid && preconditions.uid !== current.metadata.uid) {
      throw apiError.conflict(info, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (preconditions?.resourceVersion && preconditions.resourceVersion !== current.metadata.resourceVersion) {
      throw apiError.conflict(info, name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion}`);
    }
    if (dryRun) return { deleted: !(current.metadata.finalizers?.length), object: current };
    if (current.metadata.finalizers?.length) {
      if (current.metadata.deletionTimestamp) return { deleted: false, object: current };
      const next = structuredClone(current);
      next.metadata.deletionTimestamp = timestamp();
      next.metadata.resourceVersion = String(++this.#rv);
      return { deleted: false, object: this.#put(info, next, 'MODIFIED') };
    }
    this.#bucket(info).delete(keyOf(current.metadata.namespace, name));
    ++this.#rv;
    this.emit('change', { type: 'DELETED', info, object: current });
    return { deleted: true, object: current };
  }
}

function compareKeys(a, b) {
  const na = a.namespace ?? '';
  const nb = b.namespace ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function checkBody(info, body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw apiError.badRequest('the body of the request must be a JSON object');
  if (body.kind !== undefined && body.kind !== info.kind) {
    throw apiError.badRequest(`the kind of the object (${body.kind}) does not match the resource (${info.kind})`);
  }
  return body;
}
