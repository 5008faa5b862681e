// The off-site tests' registry: sim/registry/registry.js (Debian's docker-registry on loopback) with the backup
// bot's htpasswd account, plain HTTP or TLS with the test PKI from testbed.ts, typed as these tests use it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGISTRY_BINARY, startRegistry as startLoopbackRegistry, type Registry } from '../../sim/registry/registry.js';
import { makePki, type Pki } from './testbed.js';

export const REGISTRY_BIN = REGISTRY_BINARY;
const AGE_BIN = '/usr/bin/age';

export interface TestRegistry {
  readonly host: string;
  readonly storage: string;
  readonly pki: Pki | undefined;
  readonly user: string;
  readonly password: string;
  readonly process: Registry['process'];
  /** A Docker config folder holding these credentials (or others), for DOCKER_CONFIG. */
  dockerConfig(user?: string, password?: string): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and storage (after a kill). */
  restart(): Promise<TestRegistry>;
  /** Ends it and removes its temp folders. */
  stop(): Promise<void>;
}

export function registryAvailable(): boolean {
  const present = existsSync(REGISTRY_BIN) && existsSync(AGE_BIN);
  if (!present && process.env.REQUIRE_REAL_TOOLS === '1') throw new Error('REQUIRE_REAL_TOOLS=1 but docker-registry or age is missing (apt-get install docker-registry age)');
  return present;
}

export async function startRegistry(options: { tls: boolean; port?: number; storage?: string; pki?: Pki }): Promise<TestRegistry> {
  const pkiDir = options.tls && !options.pki ? mkdtempSync(join(tmpdir(), 'esu-registry-pki-')) : undefined;
  try {
    const pki = options.pki ?? (pkiDir ? makePki(pkiDir) : undefined);
    const registry = await startLoopbackRegistry({
      tls: pki ? { certificate: pki.serverCert, key: pki.serverKey, ca: pki.ca } : false,
      username: 'backup-bot',
      password: 'sim-secret-registry-password-7f3a',
      logLevel: 'warn',
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.storage === undefined ? {} : { storage: options.storage }),
    });
    return typed(registry, pki, pkiDir);
  } catch (e) {
    if (pkiDir) rmSync(pkiDir, { recursive: true, force: true });
    throw e;
  }
}

function typed(registry: Registry, pki: Pki | undefined, pkiDir: string | undefined): TestRegistry {
  return {
    host: registry.host,
    storage: registry.storage,
    pki,
    user: registry.username,
    password: registry.password,
    process: registry.process,
    dockerConfig: (user, password) => registry.dockerConfig(user, password),
    kill: (signal) => registry.kill(signal),
    restart: async () => typed(await registry.restart(), pki, pkiDir),
    async stop() {
      await registry.close();
      if (pkiDir) rmSync(pkiDir, { recursive: true, force: true });
    },
  };
}
