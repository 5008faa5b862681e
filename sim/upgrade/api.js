// The few API calls the upgrade driver and the fake eksctl make, over the in-process store (the server's own
// controllers) or over the standard Kubernetes REST API (the fake eksctl, a separate process that only
// knows the server from its kubeconfig). Kinds are named like `kcp` or `Cluster.anywhere.eks.amazonaws.com`.
import { kindFor, groupVersion } from '../kinds.js';

/**
 * @typedef {object} UpgradeApi
 * @property {(kind: string, namespace: string | undefined, name: string) => Promise<any>} get  undefined when not found
 * @property {(kind: string, options?: { namespace?: string, labelSelector?: string }) => Promise<any[]>} list
 * @property {(kind: string, namespace: string | undefined, name: string, patch: object, options?: { status?: boolean }) => Promise<any>} patch  a JSON merge patch
 * @property {(kind: string, namespace: string | undefined, body: object) => Promise<any>} create
 */

/** @returns {UpgradeApi} */
export function storeApi(store) {
  return {
    get: async (kind, namespace, name) => store.get(kind, namespace, name),
    list: async (kind, { namespace, labelSelector } = {}) => [...store.list(kind, { namespace, labelSelector })],
    patch: async (kind, namespace, name, patch, { status = false } = {}) => store.patch(kind, namespace, name, 'merge', patch, status ? { subresource: 'status' } : {}),
    create: async (kind, namespace, body) => store.create(kind, namespace, body),
  };
}

export class ApiRequestError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/**
 * @param {string} server base URL, e.g. http://127.0.0.1:PORT
 * @returns {UpgradeApi}
 */
export function restApi(server, { timeoutMs = 30_000 } = {}) {
  const pathOf = (kind, namespace, name, subresource) => {
    const info = kindFor(kind);
    const base = info.group ? `/apis/${groupVersion(info.group, info.versions[0])}` : `/api/${info.versions[0]}`;
    const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${info.resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}${subresource ? `/${subresource}` : ''}`;
  };
  async function request(method, path, body, contentType = 'application/json') {
    let response;
    try {
      response = await fetch(`${server}${path}`, {
        method,
        headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': contentType }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = error?.cause?.code === 'ECONNREFUSED' ? `dial tcp ${new URL(server).host}: connect: connection refused` : (error?.cause?.message ?? error.message);
      throw new ApiRequestError(`${method} ${server}${path}: ${reason}`, 0);
    }
    const text = await response.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new ApiRequestError(json?.message ?? `${method} ${path}: HTTP ${response.status}`, response.status);
    return json;
  }
  return {
    async get(kind, namespace, name) {
      try {
        return await request('GET', pathOf(kind, namespace, name));
      } catch (error) {
        if (error.code === 404) return undefined;
        throw error;
      }
    },
    async list(kind, { namespace, labelSelector } = {}) {
      const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
      const info = kindFor(kind);
      const body = await request('GET', `${pathOf(kind, namespace)}${query}`);
      // Typed list items come without apiVersion/kind on a real server; keep ours whole.
      return (body?.items ?? []).map((item) => ({ apiVersion: groupVersion(info.group, info.versions[0]), kind: info.kind, ...item }));
    },
    patch: (kind, namespace, name, patch, { status = false } = {}) => request('PATCH', pathOf(kind, namespace, name, status ? 'status' : undefined), patch, 'application/merge-patch+json'),
    create: (kind, namespace, body) => request('POST', pathOf(kind, namespace), body),
  };
}
