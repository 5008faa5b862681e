// Pathname → what is asked for: a discovery/openapi document, or a resource request.
import { kindByResource } from './kinds.js';
import {
  VERSION, apiVersions, apiGroupList, apiGroupDoc, apiResourceList, openapiRoot, openapiGroupVersion,
} from './discovery.js';

/**
 * @typedef {{ type: 'static', body: any, contentType?: string, info?: undefined, namespace?: undefined, name?: undefined }
 *   | { type: 'notFound', info?: undefined, namespace?: undefined, name?: undefined }
 *   | { type: 'resource', info: import('./kinds.js').KindInfo, version: string, namespace?: string,
 *       name?: string, subresource?: string, watch: boolean }} Route
 */

const staticRoute = (body, contentType) => (body === undefined ? { type: 'notFound' } : { type: 'static', body, contentType });

/** @returns {Route} */
export function parseRoute(pathname) {
  switch (pathname) {
    case '/version': return staticRoute(VERSION);
    case '/api': return staticRoute(apiVersions());
    case '/apis': return staticRoute(apiGroupList());
    case '/openapi/v3': return staticRoute(openapiRoot());
    case '/healthz': case '/livez': case '/readyz': return staticRoute('ok', 'text/plain');
    default: break;
  }
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts[0] === 'openapi' && parts[1] === 'v3') {
    if (parts[2] === 'api' && parts.length === 4) return staticRoute(openapiGroupVersion('', parts[3]));
    if (parts[2] === 'apis' && parts.length === 5) return staticRoute(openapiGroupVersion(parts[3], parts[4]));
    return { type: 'notFound' };
  }
  let group;
  let version;
  let rest;
  if (parts[0] === 'api' && parts.length >= 2) {
    [group, version, rest] = ['', parts[1], parts.slice(2)];
  } else if (parts[0] === 'apis' && parts.length === 2) {
    return staticRoute(apiGroupDoc(parts[1]));
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
  } else {
    return { type: 'notFound' };
  }
  if (rest.length === 0) return staticRoute(apiResourceList(group, version));

  // Legacy `/watch/` path prefix, still accepted by the real server.
  const watch = rest[0] === 'watch';
  if (watch) rest = rest.slice(1);
  let namespace;
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  const info = kindByResource(group, resource ?? '');
  if (!info || !info.versions.includes(version) || extra.length > 0) return { type: 'notFound' };
  if (namespace !== undefined && !info.namespaced) return { type: 'notFound' };
  if (subresource !== undefined && !(subresource === 'status' && info.status)) return { type: 'notFound' };
  return { type: 'resource', info, version, namespace, name, subresource, watch };
}
