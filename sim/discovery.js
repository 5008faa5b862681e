// Legacy discovery and minimal OpenAPI v3 documents, derived from the kind table. kubectl falls back
// from aggregated to legacy discovery when /api and /apis answer plain JSON (never answer 406).
import { KINDS, groups, kindsAt, groupVersion } from './kinds.js';

/** The dispatcher kubectl on the test machines picks its bundled 1.32 client from this answer. */
export const VERSION = Object.freeze({
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0',
  gitCommit: 'eksa-sim',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
});

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const apiVersions = () => ({
  kind: 'APIVersions',
  apiVersion: 'v1',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
});

function apiGroup(name, versions) {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

export const apiGroupList = () => ({
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [...groups()].map(([name, versions]) => apiGroup(name, versions)),
});

/** `/apis/<group>`, or undefined for an unknown group. */
export function apiGroupDoc(name) {
  const versions = groups().get(name);
  return versions ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(name, versions) } : undefined;
}

/** `/api/v1` or `/apis/<group>/<version>`, or undefined when nothing is served there. */
export function apiResourceList(group, version) {
  const kinds = kindsAt(group, version);
  if (kinds.length === 0) return undefined;
  const resources = kinds.flatMap((k) => [
    {
      name: k.resource,
      singularName: k.singular,
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: VERBS,
      ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
      ...(k.group.includes('cluster.x-k8s.io') ? { categories: ['cluster-api'] } : {}),
    },
    ...(k.status ? [{ name: `${k.resource}/status`, singularName: '', namespaced: k.namespaced, kind: k.kind, verbs: ['get', 'patch', 'update'] }] : []),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

const docPath = (group, version) => (group ? `apis/${group}/${version}` : `api/${version}`);

/** `/openapi/v3`: one entry per group/version. */
export function openapiRoot() {
  const paths = {};
  for (const k of KINDS) {
    for (const v of k.versions) {
      const p = docPath(k.group, v);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=SIM${k.versions.length}${v}` };
    }
  }
  return { paths };
}

/**
 * `/openapi/v3/<api|apis/group>/<version>`: per kind a `patch` operation carrying its GVK and the
 * `fieldValidation` parameter — what kubectl needs to trust server-side validation for create/replace.
 */
export function openapiGroupVersion(group, version) {
  const kinds = kindsAt(group, version);
  if (kinds.length === 0) return undefined;
  const paths = {};
  for (const k of kinds) {
    const base = `/${docPath(group, version)}${k.namespaced ? '/namespaces/{namespace}' : ''}/${k.resource}/{name}`;
    paths[base] = {
      patch: {
        'x-kubernetes-group-version-kind': { group, version, kind: k.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
        responses: {},
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: {} } };
}
