// A real CNCF distribution registry (Debian's `docker-registry`) on loopback, the one start for tests, benchmarks
// and the simulator: plain HTTP or TLS (a CA made by openssl here, or the caller's certificate), htpasswd (bcrypt)
// auth or none, filesystem storage, deletes enabled, upload purging off (a purge could remove the half-sent uploads
// a test looks at). Never the system service: each call starts its own process with its own config in a temp
// folder, and kill/stop/close end only that process.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bcrypt from 'bcryptjs';

export const REGISTRY_BINARY = process.env.EKSA_SIM_REGISTRY_BINARY ?? '/usr/bin/docker-registry';

function run(file, args, options = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', ...options });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/**
 * An htpasswd line. distribution's htpasswd accepts only bcrypt (golang.org/x/crypto/bcrypt reads $2a$ and the
 * $2b$ bcryptjs writes); cost 4, the lowest it takes, as the hash guards a throwaway password on loopback.
 */
export function htpasswdLine(username, password) {
  return `${username}:${bcrypt.hashSync(password, 4)}\n`;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A CA and a server certificate for 127.0.0.1 and localhost, signed by it: `{ certificate, key, ca }` files. */
function makeCertificates(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (name) => path.join(dir, name);
  run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=eksa-safe-upgrade test mirror CA']);
  run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('ext.cnf')]);
  return { certificate: f('server.crt'), key: f('server.key'), ca: f('ca.crt') };
}

/** config.yml; paths and strings JSON-quoted (JSON is YAML). */
function configYaml({ port, storage, logLevel, tls, htpasswd }) {
  const q = JSON.stringify;
  return [
    'version: 0.1',
    `log: { level: ${logLevel}, accesslog: { disabled: true } }`,
    `storage: { filesystem: { rootdirectory: ${q(storage)} }, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: false } } }`,
    `http: { addr: "127.0.0.1:${port}", secret: eksa-safe-upgrade-test-secret${tls ? `, tls: { certificate: ${q(tls.certificate)}, key: ${q(tls.key)} }` : ''} }`,
    ...(htpasswd ? [`auth: { htpasswd: { realm: eksa-safe-upgrade-test, path: ${q(htpasswd)} } }`] : []),
    '',
  ].join('\n');
}

/**
 * Starts a registry and resolves once it answers `GET /v2/` (with the credentials when auth is on, so a hash it
 * cannot read fails here, not in the test). Options, all optional:
 * - `tls`: `true` (default: a CA made here), `false` (plain HTTP), or `{ certificate, key, ca }` files to serve;
 * - `auth`: htpasswd on (default) or off; `username`, `password`: the one account;
 * - `port`, `storage`: given to start again where a killed one was (default: a free port, a temp folder);
 * - `logLevel`: distribution's log level (default `error`).
 *
 * Resolves to `{ host, port, storage, tls, ca, caFile, auth, username, password, process, push(image),
 * remove(image), dockerConfig(user?, password?), kill(signal?), restart(), stop(), close() }`. `host` is
 * `127.0.0.1:PORT`; `ca` is the CA's PEM text and `caFile` its path (both undefined without TLS); pushed images
 * are tiny schema-2 manifests (one config blob, one layer). `stop()` ends the process and keeps its files (the
 * test reads the storage); `close()` also removes the temp folder (never a `storage` the caller gave).
 */
export async function startRegistry(options = {}) {
  const { tls = true, auth = true, username = 'mirror-user', password = 'mirror-pass-s3cret', logLevel = 'error' } = options;
  const dir = mkdtempSync(path.join(tmpdir(), 'esu-registry-'));
  try {
    const storage = options.storage ?? path.join(dir, 'storage');
    mkdirSync(storage, { recursive: true });
    const certs = tls === true ? makeCertificates(path.join(dir, 'pki')) : tls || undefined;
    const htpasswd = auth ? path.join(dir, 'htpasswd') : undefined;
    if (htpasswd) writeFileSync(htpasswd, htpasswdLine(username, password), { mode: 0o600 });
    const port = options.port ?? (await freePort());
    const config = path.join(dir, 'config.yml');
    writeFileSync(config, configYaml({ port, storage, logLevel, tls: certs, htpasswd }));
    const settings = { dir, config, port, storage, certs, auth: Boolean(auth), username, password };
    return await launch(settings);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function launch(settings) {
  const { dir, config, port, storage, certs, auth, username, password } = settings;
  // A bare environment: distribution reads REGISTRY_* variables as config overrides, and tests set some of those
  // names (REGISTRY_USERNAME…) for the CLI they run.
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  let log = '';
  const keep = (d) => (log = (log + d).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const spawned = new Promise((resolve) => {
    child.once('error', (e) => resolve(e));
    child.once('spawn', () => resolve(undefined));
  });
  const failedToSpawn = await spawned;
  if (failedToSpawn) throw new Error(`cannot start ${REGISTRY_BINARY}: ${failedToSpawn.message}`);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stopped = () => child.exitCode !== null || child.signalCode !== null;

  const host = `127.0.0.1:${port}`;
  const scheme = certs ? 'https' : 'http';
  const ca = certs ? readFileSync(certs.ca, 'utf8') : undefined;
  const agent = certs ? new https.Agent({ ca, keepAlive: true, maxSockets: 16 }) : new http.Agent({ keepAlive: true, maxSockets: 16 });
  const authorization = auth ? { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` } : {};

  const request = (method, url, { body, headers = {} } = {}) => new Promise((resolve, reject) => {
    const req = (certs ? https : http).request(new URL(url, `${scheme}://${host}`), { method, agent, headers: { ...authorization, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });

  async function kill(signal = 'SIGKILL') {
    agent.destroy();
    if (stopped()) return;
    child.kill(signal);
    await exited;
  }

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (stopped()) throw new Error(`docker-registry exited ${child.exitCode ?? child.signalCode}: ${log}`);
    const status = await request('GET', '/v2/').then((r) => r.status, () => undefined);
    if (status === 200) break;
    if (status !== undefined) {
      await kill();
      throw new Error(`docker-registry on ${host} answered GET /v2/ with HTTP ${status}${auth ? ' to its own htpasswd credentials' : ''}: ${log}`);
    }
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`docker-registry did not answer on ${host}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const digestOf = (text) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
  async function pushBlob(repo, content) {
    const digest = digestOf(content);
    const start = await request('POST', `/v2/${repo}/blobs/uploads/`);
    if (start.status !== 202) throw new Error(`blob upload to ${repo}: HTTP ${start.status} ${start.body}`);
    const location = new URL(start.headers.location, `${scheme}://${host}`);
    location.searchParams.set('digest', digest);
    const put = await request('PUT', location.href, { body: content, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': Buffer.byteLength(content) } });
    if (put.status !== 201) throw new Error(`blob PUT to ${repo}: HTTP ${put.status} ${put.body}`);
    return { digest, size: Buffer.byteLength(content) };
  }

  /** `host/repo:tag` (the host part must be this registry's). */
  function split(image) {
    const rest = image.slice(image.indexOf('/') + 1);
    const colon = rest.lastIndexOf(':');
    return { repo: rest.slice(0, colon), tag: rest.slice(colon + 1) };
  }

  const digests = new Map();
  async function push(image) {
    const { repo, tag } = split(image);
    const configBlob = await pushBlob(repo, JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} }));
    const layer = await pushBlob(repo, `layer of ${image}`);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: configBlob.size, digest: configBlob.digest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.size, digest: layer.digest }],
    });
    const put = await request('PUT', `/v2/${repo}/manifests/${tag}`, { body: manifest, headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' } });
    if (put.status !== 201) throw new Error(`manifest PUT ${image}: HTTP ${put.status} ${put.body}`);
    digests.set(image, put.headers['docker-content-digest']);
  }

  async function remove(image) {
    const { repo } = split(image);
    const digest = digests.get(image);
    if (digest === undefined) throw new Error(`remove ${image}: not pushed by this handle`);
    const del = await request('DELETE', `/v2/${repo}/manifests/${digest}`);
    if (del.status !== 202) throw new Error(`manifest DELETE ${image}: HTTP ${del.status} ${del.body}`);
  }

  /** A Docker config folder (for DOCKER_CONFIG) holding these credentials, or the ones given. */
  function dockerConfig(user = username, secret = password) {
    const d = mkdtempSync(path.join(tmpdir(), 'esu-docker-config-'));
    writeFileSync(path.join(d, 'config.json'), JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${secret}`).toString('base64') } } }), { mode: 0o600 });
    return d;
  }

  return {
    host,
    port,
    storage,
    tls: Boolean(certs),
    ca,
    caFile: certs?.ca,
    auth,
    username,
    password,
    process: child,
    push,
    remove,
    dockerConfig,
    kill,
    /** Starts it again with the same config: port, storage, certificate, credentials (after a kill). */
    restart: () => launch(settings),
    stop: () => kill('SIGTERM'),
    async close() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
