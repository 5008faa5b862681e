// Resource verbs over the store: list/watch, get, create, update, patch, delete (and delete-collection).
import { groupVersion } from './kinds.js';
import { apiError, statusBody } from './status.js';
import { parseLabelSelector, parseFieldSelector } from './selectors.js';
import { listJson, toJson } from './store.js';

const isDryRun = (query) => query.getAll('dryRun').includes('All');

/**
 * Answer one resource request. Returns `{ code, body }`, or undefined when it streams (watch).
 * @param {import('./store.js').ObjectStore} store
 * @param {Extract<import('./routes.js').Route, { type: 'resource' }>} route
 * @param {string} method
 * @param {URLSearchParams} query
 * @param {any} body
 * @param {import('node:http').ServerResponse} res
 */
export function handleResource(store, route, method, query, body, res) {
  const { info, version, namespace, name, subresource } = route;
  const dryRun = isDryRun(query);
  if (name === undefined) {
    if (method === 'GET' && (route.watch || /^(true|1)$/.test(query.get('watch') ?? ''))) {
      watch(store, route, query, res);
      return undefined;
    }
    if (method === 'GET') {
      const items = store.list(info, {
        namespace, labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector'),
      });
      return {
        code: 200,
        body: listJson({ apiVersion: groupVersion(info.group, version), kind: `${info.kind}List`, metadata: { resourceVersion: store.resourceVersion } }, items),
      };
    }
    if (method === 'POST') {
      if (info.namespaced && namespace === undefined) throw apiError.methodNotAllowed(method);
      return { code: 201, body: store.create(info, namespace, body, { version, dryRun }) };
    }
    if (method === 'DELETE') {
      const victims = store.list(info, {
        namespace, labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector'),
      });
      for (const v of victims) store.delete(info, v.metadata.namespace, v.metadata.name, { dryRun });
      return {
        code: 200,
        body: { apiVersion: groupVersion(info.group, version), kind: `${info.kind}List`, metadata: { resourceVersion: store.resourceVersion }, items: victims },
      };
    }
    throw apiError.methodNotAllowed(method);
  }
  if (info.namespaced && namespace === undefined) throw apiError.pathNotFound();
  switch (method) {
    case 'GET': {
      const obj = store.get(info, namespace, name);
      if (!obj) throw apiError.notFound(info, name);
      return { code: 200, body: toJson(obj) };
    }
    case 'PUT':
      return { code: 200, body: store.update(info, namespace, name, body, { subresource, dryRun }) };
    case 'PATCH':
      return { code: 200, body: store.patch(info, namespace, name, contentType(res), body ?? {}, { subresource, dryRun }) };
    case 'DELETE': {
      if (subresource) throw apiError.methodNotAllowed(method);
      const { deleted, object } = store.delete(info, namespace, name, { preconditions: body?.preconditions, dryRun });
      if (!deleted) return { code: 200, body: object };
      return {
        code: 200,
        body: statusBody(200, undefined, undefined, {
          name, ...(info.group ? { group: info.group } : {}), kind: info.resource, uid: object.metadata.uid,
        }),
      };
    }
    default:
      throw apiError.methodNotAllowed(method);
  }
}

/** The request's content type without parameters (`; charset=utf-8`). */
function contentType(res) {
  return String(res.req.headers['content-type'] ?? '').split(';')[0].trim();
}

/**
 * Stream watch events as newline-delimited JSON. Without a resourceVersion (or `0`) the current
 * objects come first as ADDED; with one, objects changed after it come first as MODIFIED.
 */
function watch(store, route, query, res) {
  const { info, namespace } = route;
  const matchLabels = parseLabelSelector(query.get('labelSelector'));
  const matchFields = parseFieldSelector(query.get('fieldSelector'));
  const wanted = (obj) => (!namespace || obj.metadata.namespace === namespace) && matchLabels(obj.metadata.labels) && matchFields(obj);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders(); // clients wait for the headers before they consider the watch established
  const sendEvent = (type, object) => res.write(`{"type":${JSON.stringify(type)},"object":${toJson(object)}}\n`);
  const since = query.get('resourceVersion');
  for (const obj of store.list(info, { namespace })) {
    if (!wanted(obj)) continue;
    if (!since || since === '0') sendEvent('ADDED', obj);
    else if (Number(obj.metadata.resourceVersion) > Number(since)) sendEvent('MODIFIED', obj);
  }
  const onChange = (event) => {
    if (event.info === info && wanted(event.object)) sendEvent(event.type, event.object);
  };
  store.on('change', onChange);
  const seconds = Number(query.get('timeoutSeconds')) || 1800;
  const timer = setTimeout(() => res.end(), seconds * 1000);
  timer.unref();
  res.on('close', () => {
    store.off('change', onChange);
    clearTimeout(timer);
  });
}
