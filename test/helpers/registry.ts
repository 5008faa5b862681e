// The CNCF distribution registry (Debian docker-registry) on a loopback port, started by the test with its own
// temp config: htpasswd auth (bcrypt hash made by python3's crypt, no new dependency), plain HTTP or TLS with a
// test CA. Its storage folder is the test's to read (raw blobs). stop() ends only the process it started.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, makePki, type Pki } from './testbed.js';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface TestRegistry {
  readonly host: string;
  readonly storage: string;
  readonly pki: Pki | undefined;
  readonly user: string;
  readonly password: string;
  readonly process: ChildProcess;
  /** A Docker config folder holding these credentials (or others), for DOCKER_CONFIG. */
  dockerConfig(user?: string, password?: string): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and storage (after a kill). */
  restart(): Promise<TestRegistry>;
  stop(): Promise<void>;
}

export function registryAvailable(): boolean {
  const present = existsSync(REGISTRY_BIN) && existsSync('/usr/bin/age') && hasCrypt();
  if (!present && process.env.REQUIRE_REAL_TOOLS === '1') throw new Error('REQUIRE_REAL_TOOLS=1 but docker-registry, age or python3 crypt is missing (apt-get install docker-registry age)');
  return present;
}

function hasCrypt(): boolean {
  try {
    execFileSync('python3', ['-c', 'import crypt'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function bcrypt(password: string): string {
  return execFileSync('python3', ['-c', 'import crypt,sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1<<4)))'], { input: password })
    .toString()
    .trim();
}

async function waitUp(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not listen on ${port}: ${log()}`);
}

export async function startRegistry(options: { tls: boolean; port?: number; storage?: string; pki?: Pki }): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'esu-registry-'));
  const storage = options.storage ?? join(dir, 'storage');
  mkdirSync(storage, { recursive: true });
  const port = options.port ?? (await freePort());
  const user = 'backup-bot';
  const password = 'sim-secret-registry-password-7f3a';
  writeFileSync(join(dir, 'htpasswd'), `${user}:${bcrypt(password)}\n`);
  const pki = options.tls ? options.pki ?? makePki(join(dir, 'pki')) : undefined;
  const tls = pki ? `  tls:\n    certificate: ${pki.serverCert}\n    key: ${pki.serverKey}\n` : '';
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\nhttp:\n  addr: 127.0.0.1:${port}\n  secret: test-http-secret\n${tls}auth:\n  htpasswd:\n    realm: esu-test\n    path: ${join(dir, 'htpasswd')}\n`,
  );
  let log = '';
  const child = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  await waitUp(port, child, () => log);
  const host = `127.0.0.1:${port}`;
  const registry: TestRegistry = {
    host,
    storage,
    pki,
    user,
    password,
    process: child,
    dockerConfig(u = user, p = password) {
      const d = mkdtempSync(join(tmpdir(), 'esu-docker-config-'));
      writeFileSync(join(d, 'config.json'), JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${u}:${p}`).toString('base64') } } }));
      return d;
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
    restart: () => startRegistry({ ...options, port, storage, pki }),
    async stop() {
      await registry.kill('SIGTERM');
    },
  };
  return registry;
}
