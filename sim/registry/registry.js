// A real CNCF distribution registry (Debian's `docker-registry`) on loopback for tests and benchmarks:
// TLS with a CA made by openssl here, htpasswd (bcrypt) auth, filesystem storage, deletes enabled.
// Never the system service: each call starts its own process with its own config in a temp folder.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REGISTRY_BINARY = process.env.EKSA_SIM_REGISTRY_BINARY ?? '/usr/bin/docker-registry';

function run(file, args, options = {}) {
  const r = spawnSync(file, args, { encoding: 'utf8', ...options });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** A bcrypt hash of `password` (the only hash distribution's htpasswd accepts); python3's crypt, no htpasswd needed. */
function bcrypt(password) {
  const script = 'import crypt,sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))';
  return run('python3', ['-W', 'ignore', '-c', script], { input: password }).trim();
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

/** A CA and a server certificate for 127.0.0.1 and localhost, signed by it. */
function makeCertificates(dir) {
  const f = (name) => path.join(dir, name);
  run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=eksa-safe-upgrade test mirror CA']);
  run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('ext.cnf')]);
  return { ca: readFileSync(f('ca.crt'), 'utf8'), cert: f('server.crt'), key: f('server.key') };
}

/**
 * Starts a registry: `{ host, ca, username, password, push(image), remove(image), close() }`. `host` is
 * `127.0.0.1:PORT`; images are pushed as tiny schema-2 manifests (one config blob, one layer).
 */
export async function startRegistry({ username = 'mirror-user', password = 'mirror-pass-s3cret' } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'esu-registry-'));
  const certs = makeCertificates(dir);
  writeFileSync(path.join(dir, 'htpasswd'), `${username}:${bcrypt(password)}\n`);
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  writeFileSync(config, [
    'version: 0.1',
    'log: { level: error, accesslog: { disabled: true } }',
    `storage: { filesystem: { rootdirectory: ${JSON.stringify(path.join(dir, 'data'))} }, delete: { enabled: true } }`,
    `http: { addr: "127.0.0.1:${port}", tls: { certificate: ${JSON.stringify(certs.cert)}, key: ${JSON.stringify(certs.key)} } }`,
    `auth: { htpasswd: { realm: test-mirror, path: ${JSON.stringify(path.join(dir, 'htpasswd'))} } }`,
    '',
  ].join('\n'));
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const host = `127.0.0.1:${port}`;
  const agent = new https.Agent({ ca: certs.ca, keepAlive: true, maxSockets: 16 });
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  const request = (method, url, { body, headers = {} } = {}) => new Promise((resolve, reject) => {
    const req = https.request(new URL(url, `https://${host}`), { method, agent, headers: { Authorization: auth, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${stderr}`);
    const up = await request('GET', '/v2/').then((r) => r.status === 200, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${host}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const digestOf = (text) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
  async function pushBlob(repo, content) {
    const digest = digestOf(content);
    const start = await request('POST', `/v2/${repo}/blobs/uploads/`);
    if (start.status !== 202) throw new Error(`blob upload to ${repo}: HTTP ${start.status} ${start.body}`);
    const location = new URL(start.headers.location, `https://${host}`);
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
    const del = await request('DELETE', `/v2/${repo}/manifests/${digest}`);
    if (del.status !== 202) throw new Error(`manifest DELETE ${image}: HTTP ${del.status} ${del.body}`);
  }

  async function close() {
    agent.destroy();
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }

  return { host, port, ca: certs.ca, username, password, push, remove, close };
}
