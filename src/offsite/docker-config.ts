// Registry credentials as oras and crane find them: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`;
// per registry `credHelpers`, then `auths` (base64 `auth`, or `username`/`password`), then the default
// `credsStore`. A credential helper is `docker-credential-<name> get` with the host on stdin
// (https://github.com/docker/docker-credential-helpers, client/client.go Get) and answers {Username, Secret}.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { read } from '../command.js';
import { EnvironmentError, printable } from '../errors.js';
import type { Runner } from '../runner/runner.js';
import type { RegistryCredentials } from './oci-client.js';

const configSchema = z.object({
  auths: z.record(z.string(), z.object({ auth: z.string().optional(), username: z.string().optional(), password: z.string().optional(), identitytoken: z.string().optional() })).optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
  credsStore: z.string().optional(),
});
type DockerConfig = z.infer<typeof configSchema>;

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return path.join(env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker'), 'config.json');
}

/** Pure: how the config answers for `host` — credentials, a helper to ask, or nothing. */
export function lookupAuth(config: DockerConfig, host: string): { credentials: RegistryCredentials } | { helper: string } | undefined {
  const helper = config.credHelpers?.[host];
  if (helper) return { helper };
  const keys = [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.username !== undefined && entry.password !== undefined) return { credentials: { username: entry.username, password: entry.password } };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } };
    }
    // An entry without credentials (docker writes `{}` when a credsStore holds them): the store answers.
  }
  return config.credsStore ? { helper: config.credsStore } : undefined;
}

/** The credentials for `host`, or undefined (anonymous). A config that does not parse is an error, not anonymity. */
export async function registryCredentials(host: string, env: NodeJS.ProcessEnv, runner: Runner | undefined): Promise<RegistryCredentials | undefined> {
  const file = dockerConfigPath(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EnvironmentError(`cannot read ${printable(file)}: ${printable((error as Error).message)}`, { hint: 'fix its permissions, or point DOCKER_CONFIG at another folder' });
  }
  let config: DockerConfig;
  try {
    config = configSchema.parse(JSON.parse(text));
  } catch {
    throw new EnvironmentError(`${printable(file)} is not a Docker config (JSON with auths, credHelpers, credsStore)`, { hint: 'fix it, or point DOCKER_CONFIG at another folder' });
  }
  const found = lookupAuth(config, host);
  if (!found) return undefined;
  if ('credentials' in found) return found.credentials;
  if (!runner) return undefined;
  if (!/^[a-zA-Z0-9_.-]+$/.test(found.helper)) throw new EnvironmentError(`${printable(file)} names the credential helper ${JSON.stringify(printable(found.helper))}, which is not a helper name`, { hint: 'fix credHelpers/credsStore' });
  const result = await runner.run(read([`docker-credential-${found.helper}`, 'get'], `registry credentials for ${host}`, { input: host, timeoutMs: 30_000 }), {
    failAs: 'Environment',
    hint: `log in to ${host} (docker login / oras login), or fix the credential helper`,
  });
  try {
    const doc = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
    if (typeof doc.Username === 'string' && typeof doc.Secret === 'string') return { username: doc.Username, password: doc.Secret };
  } catch {
    // below
  }
  throw new EnvironmentError(`docker-credential-${found.helper} answered something other than {Username, Secret} for ${host}`, { hint: 'check the helper with: docker-credential-<name> get' });
}
