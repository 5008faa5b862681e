// A small Kubernetes REST client over fetch, with client-go's error texts and clusterctl's retry loops.
// It speaks only the standard API (discovery, list, get, merge-patch, create), never the simulator's internals.

import { typeInfo } from './object-graph.js';

const REQUEST_TIMEOUT_MS = 30_000;
// clusterctl's backoffs (client.go newReadBackoff / newWriteBackoff), with the sleeps scaled down 1000x so a
// test of a persistent failure takes a fraction of a second instead of 15-40 s.
const BACKOFF_SCALE = 0.001;
export const READ_BACKOFF = { durationMs: 250, factor: 1.5, steps: 9 };
export const WRITE_BACKOFF = { durationMs: 500, factor: 1.5, steps: 10 };

export const CORE_TYPES = {
  Secret: { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  ConfigMap: { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
  Namespace: { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
};

export class KubeError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** retryWithExponentialBackoff: every attempt fails → `action failed after N attempts: <last error>`. */
export async function retry(backoff, operation) {
  let delay = backoff.durationMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= backoff.steps) {
        throw new KubeError(`action failed after ${attempt} attempts: ${error.message}`, error.status);
      }
      await new Promise((r) => setTimeout(r, delay * BACKOFF_SCALE));
      delay *= backoff.factor;
    }
  }
}

function typesFromCrds(crds) {
  const types = new Map();
  for (const crd of crds) {
    const { group, names, scope } = crd.spec ?? {};
    const storage = (crd.spec?.versions ?? []).find((v) => v.storage);
    if (!group || !names?.kind || !storage) continue;
    const info = typeInfo(group, names.kind, scope !== 'Cluster');
    const labels = crd.metadata?.labels ?? {};
    if ('clusterctl.cluster.x-k8s.io/move-hierarchy' in labels) info.forceMoveHierarchy = true;
    // A move-hierarchy type is force-moved too.
    info.forceMove = info.forceMoveHierarchy || 'clusterctl.cluster.x-k8s.io/move' in labels;
    types.set(`${group}/${names.kind}`, { ...info, version: storage.name, resource: names.plural });
  }
  return types;
}

export class KubeClient {
  /** @param {{ server: string, env: NodeJS.ProcessEnv }} options */
  constructor({ server, env }) {
    this.server = server;
    // Inside a container without --network host, 127.0.0.1 is the container itself: nothing listens there.
    this.loopbackUnreachable = env.EKSA_SIM_CONTAINER_NETWORK !== undefined && env.EKSA_SIM_CONTAINER_NETWORK !== 'host';
  }

  async request(method, path, body, contentType = 'application/json') {
    const url = `${this.server}${path}`;
    const goMethod = method[0] + method.slice(1).toLowerCase();
    const host = new URL(this.server).host;
    if (this.loopbackUnreachable && /^(127\.|localhost|\[::1\])/.test(new URL(this.server).hostname)) {
      throw new KubeError(`${goMethod} "${url}": dial tcp ${host}: connect: connection refused`);
    }
    let response;
    try {
      response = await fetch(url, {
        method,
        headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': contentType }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const code = error?.cause?.code;
      const reason =
        code === 'ECONNREFUSED'
          ? `dial tcp ${host}: connect: connection refused`
          : error?.name === 'TimeoutError'
            ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
            : (error?.cause?.message ?? error.message);
      throw new KubeError(`${goMethod} "${url}": ${reason}`);
    }
    const text = await response.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const message =
        json?.kind === 'Status' && json.message
          ? json.message
          : response.status === 404
            ? 'the server could not find the requested resource'
            : `an error on the server (${JSON.stringify(text.trim().slice(0, 200))}) has prevented the request from succeeding`;
      throw new KubeError(message, response.status);
    }
    return json;
  }

  pathOf(type, namespace, name, version = type.version) {
    const base = type.group ? `/apis/${type.group}/${version}` : `/api/${version}`;
    const ns = type.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${type.resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  }

  /**
   * The move types of this API server, as getDiscoveryTypes finds them: the storage version of every CRD
   * labelled `clusterctl.cluster.x-k8s.io` (its `…/move` and `…/move-hierarchy` labels make it force-moved),
   * plus core Secret and ConfigMap.
   * @returns {Promise<Map<string, any>>} keyed `${group}/${kind}`
   */
  async moveTypes() {
    const selector = encodeURIComponent('clusterctl.cluster.x-k8s.io');
    const crds = await this.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions?labelSelector=${selector}`);
    const types = typesFromCrds(crds?.items ?? []);
    for (const core of [CORE_TYPES.Secret, CORE_TYPES.ConfigMap]) types.set(`/${core.kind}`, { ...typeInfo('', core.kind, true), ...core });
    return types;
  }

  async list(type, namespace) {
    const body = await this.request('GET', this.pathOf(type, namespace));
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;
    // List items of typed lists come without apiVersion/kind; the graph needs them.
    return (body?.items ?? []).map((item) => ({ apiVersion, kind: type.kind, ...item }));
  }

  get(type, namespace, name, version) {
    return this.request('GET', this.pathOf(type, namespace, name, version));
  }

  mergePatch(type, namespace, name, patch) {
    return this.request('PATCH', this.pathOf(type, namespace, name), patch, 'application/merge-patch+json');
  }

  create(type, namespace, obj, version) {
    return this.request('POST', this.pathOf(type, namespace, undefined, version), obj);
  }
}
