import http from 'node:http';
import https from 'node:https';
import { EnvironmentError } from '../errors.js';
import { parseChallenge } from '../www-authenticate.js';
import { mapLimit } from '../map-limit.js';
import type { ImageReference } from './mirror.js';

/**
 * The registry side of the mirror check: `HEAD /v2/<repo>/manifests/<ref>` over HTTPS with the mirror's CA,
 * Basic or Bearer (token service) auth as the registry asks. HTTP requests are not commands: like the
 * release-manifest fetch, they do not go through the runner. Secrets never reach an error message.
 */

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export interface RegistryClientOptions {
  readonly ca: string | undefined;
  readonly insecureSkipVerify: boolean;
  readonly credentials: RegistryCredentials | undefined;
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Test beds: plain HTTP (never from a spec; EKS-A mirrors are HTTPS). */
  readonly plainHttp?: boolean;
}

export type ManifestState = 'present' | 'missing';

interface Reply {
  readonly status: number;
  readonly challenge: string | undefined;
  readonly body?: string;
}

const CREDENTIALS_HINT = 'set REGISTRY_USERNAME and REGISTRY_PASSWORD (as eksctl anywhere reads them) or log in with docker login to the mirror';


export class RegistryClient {
  private readonly agent: http.Agent;
  private readonly tokens = new Map<string, Promise<string>>();
  private scheme: 'none' | 'basic' | 'bearer' = 'none';
  private bearer: { realm: string; service: string | undefined } | undefined;

  constructor(private readonly registry: string, private readonly options: RegistryClientOptions) {
    const common = { keepAlive: true, maxSockets: options.concurrency };
    this.agent = options.plainHttp
      ? new http.Agent(common)
      : new https.Agent({ ...common, ...(options.ca ? { ca: options.ca } : {}), rejectUnauthorized: !options.insecureSkipVerify });
  }

  close(): void {
    this.agent.destroy();
  }

  /** Every reference's state, at most `concurrency` requests in flight. */
  async check(refs: readonly ImageReference[]): Promise<ManifestState[]> {
    // The first request learns the auth scheme, so the others do not each take a 401 first.
    if (refs.length === 0) return [];
    const first = await this.head(refs[0]!);
    const rest = await mapLimit(refs.slice(1), this.options.concurrency, (ref) => this.head(ref));
    return [first, ...rest];
  }

  private basic(): string | undefined {
    const c = this.options.credentials;
    return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
  }

  private async authorization(repository: string): Promise<string | undefined> {
    if (this.scheme === 'basic') return this.basic();
    if (this.scheme === 'bearer') return `Bearer ${await this.token(repository)}`;
    return undefined;
  }

  async head(ref: ImageReference): Promise<ManifestState> {
    const path = `/v2/${ref.repository}/manifests/${ref.reference}`;
    let reply = await this.request('HEAD', this.url(path), await this.authorization(ref.repository));
    if (reply.status === 401 && this.scheme === 'none') {
      const challenge = parseChallenge(reply.challenge ?? '');
      if (challenge.scheme === 'bearer' && challenge.params['realm']) {
        this.scheme = 'bearer';
        this.bearer = { realm: challenge.params['realm'], service: challenge.params['service'] };
      } else {
        this.scheme = 'basic';
      }
      if (this.options.credentials === undefined && this.scheme === 'basic') throw this.denied(401, false);
      reply = await this.request('HEAD', this.url(path), await this.authorization(ref.repository));
    }
    if (reply.status === 200) return 'present';
    if (reply.status === 404) return 'missing';
    if (reply.status === 401 || reply.status === 403) throw this.denied(reply.status, this.options.credentials !== undefined);
    throw new EnvironmentError(`the registry mirror ${this.registry} answered HTTP ${reply.status} to HEAD ${path}`, {
      hint: 'check the mirror is a Docker/OCI registry (v2 API) and that it is healthy',
    });
  }

  private denied(status: number, withCredentials: boolean): EnvironmentError {
    return new EnvironmentError(
      withCredentials
        ? `the registry mirror ${this.registry} refused the credentials (HTTP ${status})`
        : `the registry mirror ${this.registry} requires credentials (HTTP ${status}) and none were found`,
      { hint: CREDENTIALS_HINT },
    );
  }

  private url(path: string): URL {
    return new URL(`${this.options.plainHttp ? 'http' : 'https'}://${this.registry}${path}`);
  }

  private token(repository: string): Promise<string> {
    const scope = `repository:${repository}:pull`;
    let pending = this.tokens.get(scope);
    if (!pending) {
      pending = this.fetchToken(scope);
      this.tokens.set(scope, pending);
    }
    return pending;
  }

  private async fetchToken(scope: string): Promise<string> {
    const bearer = this.bearer!;
    const url = new URL(bearer.realm);
    if (bearer.service) url.searchParams.set('service', bearer.service);
    url.searchParams.set('scope', scope);
    const reply = await this.request('GET', url, this.basic());
    if (reply.status === 401 || reply.status === 403) throw this.denied(reply.status, this.options.credentials !== undefined);
    let token: unknown;
    try {
      const body = JSON.parse(reply.body ?? '') as { token?: unknown; access_token?: unknown };
      token = body.token ?? body.access_token;
    } catch {
      token = undefined;
    }
    if (reply.status !== 200 || typeof token !== 'string') {
      throw new EnvironmentError(`the token service of the registry mirror ${this.registry} (${url.origin}${url.pathname}) answered HTTP ${reply.status} without a token`, { hint: CREDENTIALS_HINT });
    }
    return token;
  }

  private request(method: 'HEAD' | 'GET', url: URL, authorization: string | undefined): Promise<Reply> {
    const transport = url.protocol === 'http:' ? http : https;
    const sameHost = url.host === this.registry;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method,
          // A token service on another host gets its own connection (and TLS defaults plus the mirror CA).
          ...(sameHost ? { agent: this.agent } : this.options.ca ? { ca: this.options.ca, rejectUnauthorized: !this.options.insecureSkipVerify } : {}),
          headers: {
            Accept: [
              'application/vnd.oci.image.index.v1+json',
              'application/vnd.oci.image.manifest.v1+json',
              'application/vnd.docker.distribution.manifest.list.v2+json',
              'application/vnd.docker.distribution.manifest.v2+json',
            ].join(', '),
            ...(authorization ? { Authorization: authorization } : {}),
          },
          timeout: this.options.timeoutMs,
          ...(this.options.signal ? { signal: this.options.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const challenge = res.headers['www-authenticate'];
            resolve({ status: res.statusCode ?? 0, challenge: Array.isArray(challenge) ? challenge[0] : challenge, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)));
      req.on('error', (error: Error & { code?: string }) => {
        reject(new EnvironmentError(`cannot reach the registry mirror ${this.registry}: ${error.code ? `${error.code}: ` : ''}${error.message}`, {
          hint: 'check the mirror endpoint and port, and its CA (registryMirrorConfiguration.caCertContent, or insecureSkipVerify)',
        }));
      });
      req.end();
    });
  }
}
