// Every HTTP request of the OCI distribution API lives here: blob push (monolithic and streamed), manifest
// put and get, tag checks, tag listing, blob download, and the registry's auth (Basic, and Bearer tokens
// from the realm the registry names). Bodies stream: a blob goes from its source to the socket with
// backpressure, and a download comes back as a stream, so memory does not grow with a set's size.
// Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md (push, pull, content discovery).
import { createHash } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { printable } from '../errors.js';
import { parseChallenge } from '../www-authenticate.js';

export const OCI_MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';
/** The largest manifest or error body read into memory: OCI manifests are a few KiB. */
const MAX_SMALL_BODY = 4 * 1024 * 1024;

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export interface OciClientOptions {
  /** host[:port] as written in the URL. */
  readonly host: string;
  readonly repository: string;
  /** Plain HTTP (loopback tests only); HTTPS otherwise. */
  readonly insecure: boolean;
  /** PEM of an extra CA, trusted beside the system CAs. */
  readonly ca?: string;
  readonly credentials?: RegistryCredentials;
}

/** A request the registry answered with an error, or could not be made at all. */
export class RegistryError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
    /** The registry refused the credentials (or asked for some and had none). */
    readonly unauthorized = false,
  ) {
    super(message);
  }
}

/** The registry refused a blob because what it received does not have the digest we named. */
export function digestRefused(error: unknown): boolean {
  return error instanceof RegistryError && error.status === 400 && /DIGEST_INVALID/.test(error.message);
}

/** The error codes and messages of a distribution-API error body, terminal-safe, one line. */
export function describeErrorBody(body: string): string {
  try {
    const doc = JSON.parse(body) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
    if (Array.isArray(doc.errors) && doc.errors.length > 0) {
      return printable(doc.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ')).slice(0, 500);
    }
  } catch {
    // not JSON: the first line of it
  }
  return printable(body.trim().split('\n')[0] ?? '').slice(0, 500);
}


interface Sent {
  readonly response: IncomingMessage;
  readonly status: number;
}

export class OciClient {
  readonly #options: OciClientOptions;
  readonly #base: URL;
  readonly #agent: http.Agent;
  #authorization: string | undefined;

  constructor(options: OciClientOptions) {
    this.#options = options;
    this.#base = new URL(`${options.insecure ? 'http' : 'https'}://${options.host}`);
    this.#agent = options.insecure
      ? new http.Agent({ keepAlive: true })
      : new https.Agent({ keepAlive: true, ca: options.ca ? [...rootCertificates, options.ca] : undefined });
  }

  get repository(): string {
    return this.#options.repository;
  }

  close(): void {
    this.#agent.destroy();
  }

  /** One request. `body` is a Buffer (retried once after an auth challenge) or a stream (auth must be settled first). */
  async #send(method: string, url: URL, headers: Record<string, string>, body?: Buffer | Readable): Promise<Sent> {
    const attempt = async (): Promise<Sent> => {
      const lib = url.protocol === 'http:' ? http : https;
      const all: Record<string, string | number> = { ...headers };
      if (this.#authorization && url.host === this.#base.host) all.authorization = this.#authorization;
      if (Buffer.isBuffer(body)) all['content-length'] = body.length;
      else if (body === undefined && (method === 'PUT' || method === 'POST' || method === 'PATCH')) all['content-length'] = 0;
      return new Promise<Sent>((resolve, reject) => {
        const request = lib.request(url, { method, headers: all, agent: url.host === this.#base.host ? this.#agent : undefined }, (response) =>
          resolve({ response, status: response.statusCode ?? 0 }),
        );
        request.on('error', (error) => reject(new RegistryError(undefined, `${method} ${this.#where(url)}: ${printable(error.message)}`)));
        if (body === undefined) request.end();
        else if (Buffer.isBuffer(body)) request.end(body);
        else pipeline(body, request).catch((error: Error) => request.destroy(error));
      });
    };
    let sent = await attempt();
    if (sent.status === 401 && !(body !== undefined && !Buffer.isBuffer(body))) {
      const challenge = sent.response.headers['www-authenticate'];
      await drain(sent.response);
      if (typeof challenge !== 'string' || !(await this.#authenticate(challenge, this.#authorization !== undefined))) {
        throw this.#unauthorized(sent.status);
      }
      sent = await attempt();
      if (sent.status === 401) {
        await drain(sent.response);
        throw this.#unauthorized(401);
      }
    } else if (sent.status === 401) {
      await drain(sent.response);
      throw this.#unauthorized(401);
    }
    return sent;
  }

  #unauthorized(status: number): RegistryError {
    const who = this.#options.credentials ? `the credentials of ${this.#options.credentials.username.replace(/[^\w.@-]/g, '?')}` : 'no credentials';
    return new RegistryError(status, `${this.#options.host} refused ${who} for ${this.#options.repository} (HTTP ${status})`, true);
  }

  /** Answers a challenge: Basic with the credentials, or a Bearer token from the realm. false when it cannot. */
  async #authenticate(header: string, triedAlready: boolean): Promise<boolean> {
    const { scheme, params } = parseChallenge(header);
    const creds = this.#options.credentials;
    const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
    if (scheme === 'basic') {
      if (!basic || triedAlready) return false;
      this.#authorization = basic;
      return true;
    }
    if (scheme !== 'bearer' || !params.realm) return false;
    const realm = new URL(params.realm);
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', params.scope ?? `repository:${this.#options.repository}:pull,push`);
    const lib = realm.protocol === 'http:' ? http : https;
    const token = await new Promise<string | undefined>((resolve, reject) => {
      const request = lib.request(realm, { method: 'GET', headers: basic ? { authorization: basic } : {}, agent: realm.protocol === this.#base.protocol ? this.#agent : undefined }, (response) => {
        readSmall(response)
          .then((text) => {
            if (response.statusCode !== 200) return resolve(undefined);
            const doc = JSON.parse(text) as { token?: string; access_token?: string };
            resolve(doc.token ?? doc.access_token);
          })
          .catch(reject);
      });
      request.on('error', (error) => reject(new RegistryError(undefined, `token request to ${printable(realm.host)}: ${printable(error.message)}`)));
      request.end();
    });
    if (!token) return false;
    this.#authorization = `Bearer ${token}`;
    return true;
  }

  #where(url: URL): string {
    return printable(`${url.host}${url.pathname}`);
  }

  #url(pathname: string): URL {
    return new URL(`/v2/${this.#options.repository}/${pathname}`, this.#base);
  }

  async #fail(what: string, sent: Sent): Promise<never> {
    const body = await readSmall(sent.response).catch(() => '');
    throw new RegistryError(sent.status, `${what}: HTTP ${sent.status}${body ? ` ${describeErrorBody(body)}` : ''}`, sent.status === 401 || sent.status === 403);
  }

  /** GET /v2/: the registry answers and takes our credentials (auth settled before any streamed body). */
  async ping(): Promise<void> {
    const sent = await this.#send('GET', new URL('/v2/', this.#base), {});
    if (sent.status !== 200) return this.#fail(`${this.#options.host} is not an OCI registry`, sent);
    await drain(sent.response);
    // A registry with token auth challenges /v2/ with a scope-less realm; settle the repository scope now.
    const scoped = await this.#send('GET', this.#url('tags/list?n=1'), {});
    await drain(scoped.response);
  }

  async blobExists(digest: string): Promise<boolean> {
    const sent = await this.#send('HEAD', this.#url(`blobs/${digest}`), {});
    await drain(sent.response);
    if (sent.status === 200) return true;
    if (sent.status === 404) return false;
    return this.#fail(`HEAD blob ${digest}`, sent);
  }

  async #startUpload(): Promise<URL> {
    const sent = await this.#send('POST', this.#url('blobs/uploads/'), {});
    if (sent.status !== 202) return this.#fail('starting a blob upload', sent);
    await drain(sent.response);
    return this.#location(sent);
  }

  #location(sent: Sent): URL {
    const location = sent.response.headers.location;
    if (!location) throw new RegistryError(sent.status, 'the registry answered an upload without a Location');
    return new URL(location, this.#base);
  }

  async #finishUpload(location: URL, digest: string, body?: Buffer): Promise<void> {
    location.searchParams.set('digest', digest);
    const sent = await this.#send('PUT', location, { 'content-type': 'application/octet-stream' }, body);
    if (sent.status !== 201) return this.#fail(`completing blob ${digest}`, sent);
    await drain(sent.response);
  }

  /** A small blob in one request (its digest known in advance); not sent again when the registry has it. */
  async pushBlobMonolithic(data: Buffer): Promise<{ digest: string; size: number }> {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    if (!(await this.blobExists(digest))) await this.#finishUpload(await this.#startUpload(), digest, data);
    return { digest, size: data.length };
  }

  /**
   * A blob from a stream whose digest is not known until its end (ciphertext made as it is sent): one
   * streamed PATCH while hashing, then the closing PUT names the digest, which the registry checks.
   */
  async pushBlobStream(source: Readable): Promise<{ digest: string; size: number }> {
    const location = await this.#startUpload();
    const hash = createHash('sha256');
    let size = 0;
    source.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    const sent = await this.#send('PATCH', location, { 'content-type': 'application/octet-stream' }, source);
    if (sent.status !== 202) return this.#fail('uploading a blob', sent);
    await drain(sent.response);
    const digest = `sha256:${hash.digest('hex')}`;
    await this.#finishUpload(this.#location(sent), digest);
    return { digest, size };
  }

  /**
   * A blob from a stream whose digest is known before it is read (a plaintext file, from the set's manifest):
   * one streamed PUT naming the digest, which the registry checks against what it received (the distribution
   * spec's "MUST"), so nothing is hashed here. A file that changed since its digest was taken fails that check:
   * see digestRefused.
   */
  async pushBlobKnown(source: Readable, digest: string): Promise<{ digest: string; size: number }> {
    const location = await this.#startUpload();
    let size = 0;
    source.on('data', (chunk: Buffer) => (size += chunk.length));
    location.searchParams.set('digest', digest);
    const sent = await this.#send('PUT', location, { 'content-type': 'application/octet-stream' }, source);
    if (sent.status !== 201) return this.#fail(`completing blob ${digest}`, sent);
    await drain(sent.response);
    return { digest, size };
  }

  /** PUT the manifest under `reference` (a tag): the last request of a push, so a tag means every blob is there. */
  async putManifest(reference: string, manifest: Buffer, mediaType = OCI_MANIFEST_TYPE): Promise<string> {
    const sent = await this.#send('PUT', this.#url(`manifests/${encodeURIComponent(reference)}`), { 'content-type': mediaType }, manifest);
    if (sent.status !== 201) return this.#fail(`putting manifest ${reference}`, sent);
    await drain(sent.response);
    return `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  }

  async manifestExists(reference: string): Promise<boolean> {
    const sent = await this.#send('HEAD', this.#url(`manifests/${encodeURIComponent(reference)}`), { accept: OCI_MANIFEST_TYPE });
    await drain(sent.response);
    if (sent.status === 200) return true;
    if (sent.status === 404) return false;
    return this.#fail(`HEAD manifest ${reference}`, sent);
  }

  /** The manifest's bytes and digest (checked against the bytes when the reference is a digest). */
  async getManifest(reference: string): Promise<{ body: Buffer; digest: string } | undefined> {
    const sent = await this.#send('GET', this.#url(`manifests/${encodeURIComponent(reference)}`), { accept: OCI_MANIFEST_TYPE });
    if (sent.status === 404) {
      await drain(sent.response);
      return undefined;
    }
    if (sent.status !== 200) return this.#fail(`getting manifest ${reference}`, sent);
    const body = await readSmallBuffer(sent.response);
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (reference.startsWith('sha256:') && reference !== digest) throw new RegistryError(200, `manifest ${reference} has digest ${digest}`);
    return { body, digest };
  }

  /** A blob as a stream (a redirect to storage followed once, without our credentials). */
  async getBlob(digest: string): Promise<Readable> {
    let sent = await this.#send('GET', this.#url(`blobs/${digest}`), {});
    if ([301, 302, 303, 307, 308].includes(sent.status)) {
      await drain(sent.response);
      sent = await this.#send('GET', this.#location(sent), {});
    }
    if (sent.status !== 200) return this.#fail(`getting blob ${digest}`, sent);
    return sent.response;
  }

  /** Every tag of the repository, following the `Link` pages. */
  async listTags(): Promise<string[]> {
    const tags: string[] = [];
    let next: URL | undefined = this.#url('tags/list?n=1000');
    while (next) {
      const sent = await this.#send('GET', next, {});
      if (sent.status === 404) {
        await drain(sent.response);
        return tags;
      }
      if (sent.status !== 200) return this.#fail('listing tags', sent);
      const doc = JSON.parse((await readSmallBuffer(sent.response)).toString('utf8')) as { tags?: string[] | null };
      tags.push(...(doc.tags ?? []));
      const link = /<([^>]+)>;\s*rel="next"/.exec(String(sent.response.headers.link ?? ''));
      next = link ? new URL(link[1]!, this.#base) : undefined;
    }
    return tags;
  }

  /** DELETE a manifest by digest (the registry must allow deletes); its tag goes with it. */
  async deleteManifest(digest: string): Promise<void> {
    const sent = await this.#send('DELETE', this.#url(`manifests/${digest}`), {});
    if (sent.status !== 202 && sent.status !== 200) return this.#fail(`deleting manifest ${digest}`, sent);
    await drain(sent.response);
  }
}

async function drain(response: IncomingMessage): Promise<void> {
  response.resume();
  if (response.complete) return;
  await new Promise<void>((resolve) => {
    response.once('end', resolve);
    response.once('error', () => resolve());
    response.once('close', resolve);
  });
}

async function readSmallBuffer(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > MAX_SMALL_BODY) {
      response.destroy();
      throw new RegistryError(response.statusCode, `the registry's answer is larger than ${MAX_SMALL_BODY} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readSmall(response: IncomingMessage): Promise<string> {
  return (await readSmallBuffer(response)).toString('utf8');
}
