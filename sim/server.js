// The simulated Kubernetes API server: real kubectl talks to it through a generated kubeconfig.
// Routing is on the pathname only (kubectl appends ?timeout=… and friends); answers are JSON only.
import http from 'node:http';
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import YAML from 'yaml';
import { ObjectStore, listJson } from './store.js';
import { ApiError, apiError, statusBody } from './status.js';
import { parseFaults, faultsFor } from './faults.js';
import { loadScenario } from './scenario.js';
import { parseRoute } from './routes.js';
import { handleResource } from './resources.js';
import { SelectorError } from './selectors.js';
import { PatchError } from './patch.js';
import { startControllers } from './controllers.js';
import { startAsyncUpgrades } from './upgrade/async.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_BODY = 64 * 1024 * 1024;

function send(res, code, body, contentType = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw apiError.badRequest('request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return /yaml/.test(req.headers['content-type'] ?? '') ? YAML.parse(text) : JSON.parse(text);
  } catch (e) {
    throw apiError.badRequest(`the request body is not valid ${/yaml/.test(req.headers['content-type'] ?? '') ? 'YAML' : 'JSON'}: ${e.message}`);
  }
}

/** The Status answer of an error thrown while handling a request. */
function errorAnswer(e) {
  if (e instanceof ApiError) return { code: e.code, body: e.toStatus() };
  const code = e instanceof SelectorError ? 400 : e instanceof PatchError ? 422 : 500;
  const reason = { 400: 'BadRequest', 422: 'Invalid', 500: 'InternalError' }[code];
  return { code, body: statusBody(code, reason, e?.message ?? String(e)) };
}

/**
 * Start the simulated API server.
 * @param {{ scenario: string | object, host?: string, port?: number, journalFile?: string, workloads?: number, seed?: string }} options
 *   scenario: a scenario name (`healthy`), a path to a scenario YAML, or a scenario from `loadScenario`.
 */
export async function startSimServer({ scenario, host = '127.0.0.1', port = 0, journalFile, workloads, seed } = {}) {
  const given = scenario && typeof scenario === 'object' && Array.isArray(scenario.objects);
  const world = given ? scenario : loadScenario(scenario ?? 'healthy', { workloads, seed });
  const store = new ObjectStore();
  store.setMaxListeners(0);
  // Objects of a scenario loaded here belong to this server alone and need no copy.
  store.load(world.objects, { adopt: !given });
  let faults = parseFaults(world.faults);
  const controllers = startControllers(store, world.controllers);
  const upgrades = startAsyncUpgrades(store);

  const journal = (entry) => {
    if (journalFile) appendFileSync(journalFile, `${JSON.stringify({ source: 'apiserver', ...entry, time: new Date().toISOString() })}\n`);
  };

  async function control(req, res, pathname) {
    if (pathname === '/__sim/objects' && req.method === 'GET') {
      return send(res, 200, listJson({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: store.resourceVersion } }, store.all()));
    }
    if (pathname === '/__sim/faults' && req.method === 'GET') return send(res, 200, faults.map(({ remaining, ...f }) => f));
    if (pathname === '/__sim/faults' && req.method === 'POST') {
      try {
        faults = parseFaults((await readBody(req)) ?? []);
      } catch (e) {
        return send(res, 400, statusBody(400, 'BadRequest', e.message));
      }
      return send(res, 200, faults.map(({ remaining, ...f }) => f));
    }
    if (pathname === '/__sim/upgrades' && req.method === 'GET') return send(res, 200, upgrades.list());
    if (pathname === '/__sim/upgrades' && req.method === 'POST') {
      try {
        return send(res, 202, upgrades.start((await readBody(req)) ?? {}));
      } catch (e) {
        return send(res, e.code ?? 400, statusBody(e.code ?? 400, e.code === 404 ? 'NotFound' : 'BadRequest', e.message));
      }
    }
    if (pathname === '/__sim/scenario' && req.method === 'GET') {
      const { objects, ...rest } = world;
      return send(res, 200, rest);
    }
    return send(res, 404, statusBody(404, 'NotFound', `no simulator endpoint ${req.method} ${pathname}`));
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://sim');
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (pathname.startsWith('/__sim/')) return control(req, res, pathname);

    const route = parseRoute(pathname);
    if (WRITE_METHODS.has(req.method ?? '')) {
      journal({ method: req.method, path: pathname, ...(url.searchParams.has('dryRun') ? { dryRun: true } : {}) });
    }
    const fault = faultsFor(faults, {
      method: req.method ?? 'GET', pathname, info: route.info, namespace: route.namespace, name: route.name,
    });
    if (await withhold(fault, req, res)) return;
    const body = await readBody(req);
    if (route.type === 'static') {
      if (req.method !== 'GET') throw apiError.methodNotAllowed(req.method);
      return deliver(fault.after, req, res, { code: 200, body: route.body, contentType: route.contentType });
    }
    if (route.type === 'notFound') throw apiError.pathNotFound();
    if (!fault.after) {
      const answer = handleResource(store, route, req.method ?? 'GET', url.searchParams, body, res);
      // With real etcd behind the store, a write is answered once it is in etcd (sim/etcd/mirror.js).
      if (answer && WRITE_METHODS.has(req.method ?? '')) await store.flushed();
      if (answer) send(res, answer.code, answer.body);
      return;
    }
    // A `when: after` fault: the request is processed (a write lands), then its answer is delayed, replaced or lost.
    let answer;
    try {
      answer = handleResource(store, route, req.method ?? 'GET', url.searchParams, body, res);
    } catch (e) {
      answer = errorAnswer(e);
    }
    if (answer && WRITE_METHODS.has(req.method ?? '')) await store.flushed();
    if (answer) return deliver(fault.after, req, res, answer);
  }

  /** Applies the effects of an outcome; true when the answer was replaced or will never come. */
  async function withhold(outcome, req, res) {
    if (outcome.latencyMs > 0) await sleep(outcome.latencyMs, undefined, { ref: false });
    if (outcome.hang) return true; // never answered; close() drops the connection
    if (outcome.drop) {
      req.socket.destroy(); // the client sees the connection end without an answer
      return true;
    }
    if (outcome.error) {
      const { status, reason, message } = outcome.error;
      send(res, status, statusBody(status, reason, message));
      return true;
    }
    return false;
  }

  async function deliver(after, req, res, answer) {
    if (after && (await withhold(after, req, res))) return;
    send(res, answer.code, answer.body, answer.contentType);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (res.headersSent) return res.destroy();
      const answer = errorAnswer(e);
      send(res, answer.code, answer.body);
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  let closing;
  return {
    url,
    port: address.port,
    store,
    scenario: world,
    /** Replace the fault list (validated; throws on a malformed entry). */
    setFaults(list) {
      faults = parseFaults(list);
    },
    /** The current fault list. */
    faults: () => faults.map(({ remaining, ...f }) => f),
    /** Stop listening and drop every connection, hanging and watching ones included. */
    close() {
      closing ??= new Promise((resolve) => {
        controllers.stop();
        upgrades.stop();
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
