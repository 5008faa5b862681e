// The management cluster's API objects kept in its real etcd, the way kube-apiserver stores them: custom
// resources at /registry/<group>/<resource>/<namespace>/<name> as JSON without resourceVersion (the
// apiserver derives it from the key's mod_revision), built-in kinds at /registry/<resource>/…, and the
// resourceVersion of each write = the etcd revision the write made. Writes go through etcd's JSON gateway
// (/v3/kv/*, on the client port, TLS with the cluster's client certificate): no process per write.
// The store stays synchronous: each change is queued in order, and the API server answers a write only
// once the queue is drained (store.flushed()), so a client that saw its write sees it in etcd too.
import { readFileSync } from 'node:fs';
import https from 'node:https';

// k8s.io/kubernetes pkg/registry: built-in kinds keep their resource name as the prefix (no group), nodes are
// stored as "minions" (pkg/registry/core/node/storage); CRDs and custom resources are group/resource.
const BUILTIN_GROUPS = new Set(['', 'coordination.k8s.io']);
const PREFIX_OVERRIDES = { nodes: 'minions' };

/** The etcd key kube-apiserver stores an object of this kind under. */
export function registryKey(info, namespace, name) {
  const resource = BUILTIN_GROUPS.has(info.group) ? (PREFIX_OVERRIDES[info.resource] ?? info.resource) : `${info.group}/${info.resource}`;
  return info.namespaced ? `/registry/${resource}/${namespace}/${name}` : `/registry/${resource}/${name}`;
}

/** The value as stored: the object without resourceVersion. */
export function registryValue(object) {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}

const TXN_OPS = 128;
const b64 = (text) => Buffer.from(text).toString('base64');

function gateway(pki) {
  const agent = new https.Agent({ ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), keepAlive: true });
  return (endpoint, path, body) =>
    new Promise((resolve, reject) => {
      const req = https.request(new URL(path, endpoint), { method: 'POST', agent, headers: { 'Content-Type': 'application/json' }, timeout: 10_000 }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`etcd ${path}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text));
          } catch (error) {
            reject(error);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`etcd ${path}: timed out`)));
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
}

/**
 * Mirror `store` into the cluster's etcd: every object now (one transaction, whose revision becomes every
 * object's resourceVersion), then every change as it happens.
 * @param {import('../store.js').ObjectStore} store
 * @param {{ pki: { ca: string, clientCert: string, clientKey: string }, endpoints: () => string[], log?: (line: string) => void }} target
 *   endpoints: the client URLs of the members running now, tried in order.
 */
export async function mirrorStoreToEtcd(store, { pki, endpoints, log = (line) => process.stderr.write(`${line}\n`) }) {
  const post = gateway(pki);
  const send = async (path, body) => {
    let last;
    for (const endpoint of endpoints()) {
      try {
        return await post(endpoint, path, body);
      } catch (error) {
        last = error;
      }
    }
    throw last ?? new Error('no etcd member is running');
  };
  const { kindOfObject } = await import('../kinds.js');
  // etcd takes at most 128 operations per transaction (--max-txn-ops): one revision per batch of objects.
  const objects = store.all();
  const revisionOf = new Map();
  for (let start = 0; start < objects.length; start += TXN_OPS) {
    const batch = objects.slice(start, start + TXN_OPS);
    const puts = batch.map((o) => ({ requestPut: { key: b64(registryKey(kindOfObject(o), o.metadata.namespace, o.metadata.name)), value: b64(registryValue(o)) } }));
    const answer = await send('/v3/kv/txn', { success: puts });
    for (const o of batch) revisionOf.set(o, Number(answer.header.revision));
  }
  store.rebase((o) => revisionOf.get(o));

  let queue = Promise.resolve();
  let warned = false;
  const onChange = ({ type, info, object }) => {
    const key = b64(registryKey(info, object.metadata.namespace, object.metadata.name));
    queue = queue
      .then(() => (type === 'DELETED' ? send('/v3/kv/deleterange', { key }) : send('/v3/kv/put', { key, value: b64(registryValue(object)) })))
      // Someone else wrote to this etcd (a test's marker): later writes take etcd's revision again.
      .then((answer) => store.advanceTo(Number(answer.header.revision)))
      .catch((error) => {
        if (!warned) log(`sim: etcd mirror: ${error.message} (later writes are not in etcd either)`);
        warned = true;
      });
  };
  store.on('change', onChange);
  store.setFlush(() => queue);
  return {
    flushed: () => queue,
    stop() {
      store.off('change', onChange);
      store.setFlush(undefined);
    },
  };
}
