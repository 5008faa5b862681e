// An S3 bucket (or an S3-compatible store with --s3-endpoint) as a store. Layout under the prefix:
//   <set>/files/<path>[.age]        every file of the set larger than a packed one, uploaded multipart as it streams
//   <set>/pack/small-files.tar      the pack of the small files (artifact.ts)
//   <set>/remote-manifest.json      written last: a set is there when this is
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform } from 'node:stream';
import { DeleteObjectsCommand, HeadBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PACK_TITLE, remoteManifestSchema, type RemoteManifest } from './artifact.js';
import { RegistryError } from './oci-client.js';
import type { OffsiteStore, Stored } from './store.js';

const MANIFEST_KEY = 'remote-manifest.json';
const PART_SIZE = 8 * 1024 * 1024;

export interface S3StoreOptions {
  readonly bucket: string;
  readonly prefix: string;
  readonly endpoint: string | undefined;
  readonly env: NodeJS.ProcessEnv;
}

function s3Error(what: string, error: unknown): RegistryError {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const unauthorized = status === 401 || status === 403 || /InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied/.test(e.name ?? '');
  const named = e.name && e.name !== 'Unknown' ? `${e.name}${e.message && e.message !== 'UnknownError' ? `: ${e.message}` : ''}` : `HTTP ${status ?? 'error'}`;
  return new RegistryError(status, `${what}: ${named}`, unauthorized);
}

export class S3Store implements OffsiteStore {
  readonly display: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  constructor(options: S3StoreOptions) {
    this.#bucket = options.bucket;
    this.#prefix = options.prefix;
    this.display = `s3://${options.bucket}/${options.prefix}`;
    const env = options.env;
    const config: S3ClientConfig = { region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1' };
    if (options.endpoint) {
      config.endpoint = options.endpoint;
      config.forcePathStyle = true;
    }
    // The standard chain reads the process environment; the command's own environment wins when it names keys.
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      config.credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
    }
    this.#client = new S3Client(config);
  }

  #key(set: string, rest: string): string {
    return `${this.#prefix}/${set}/${rest}`;
  }

  async open(): Promise<void> {
    await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket })).catch((e) => Promise.reject(s3Error(`opening bucket ${this.#bucket}`, e)));
  }

  close(): void {
    this.#client.destroy();
  }

  async has(set: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(set, MANIFEST_KEY) }));
      return true;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw s3Error(`checking ${set}`, error);
    }
  }

  // S3 does not check a sha256 it is not sent, so what is sent is always hashed here (`known` is not used).
  putFile(set: string, path: string, encrypted: boolean, body: Readable): Promise<Stored> {
    return this.#upload(set, `files/${path}${encrypted ? '.age' : ''}`, path, body);
  }

  putPack(set: string, body: Readable): Promise<Stored> {
    return this.#upload(set, `pack/${PACK_TITLE}`, PACK_TITLE, body);
  }

  async #upload(set: string, rest: string, what: string, body: Readable): Promise<Stored> {
    const hash = createHash('sha256');
    let size = 0;
    const counted = body.pipe(
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      }),
    );
    body.on('error', (e) => counted.destroy(e));
    const upload = new Upload({ client: this.#client, params: { Bucket: this.#bucket, Key: this.#key(set, rest), Body: counted }, partSize: PART_SIZE, queueSize: 2 });
    try {
      await upload.done();
    } catch (error) {
      throw s3Error(`uploading ${what}`, error);
    }
    return { sha256: hash.digest('hex'), size };
  }

  async commit(set: string, remote: RemoteManifest): Promise<string> {
    try {
      const out = await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(set, MANIFEST_KEY), Body: `${JSON.stringify(remote, null, 2)}\n`, ContentType: 'application/json' }));
      return `etag:${(out.ETag ?? '').replace(/"/g, '')}`;
    } catch (error) {
      throw s3Error(`writing the remote manifest of ${set}`, error);
    }
  }

  async manifest(set: string): Promise<{ remote: RemoteManifest; reference: string } | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(set, MANIFEST_KEY) }));
      const text = await out.Body!.transformToString();
      return { remote: remoteManifestSchema.parse(JSON.parse(text)), reference: `etag:${(out.ETag ?? '').replace(/"/g, '')}` };
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.$metadata?.httpStatusCode === 404 || e.name === 'NoSuchKey') return undefined;
      throw s3Error(`reading the remote manifest of ${set}`, error);
    }
  }

  async getPack(set: string): Promise<Readable> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(set, `pack/${PACK_TITLE}`) }));
      return (out.Body as Readable).pipe(new PassThrough());
    } catch (error) {
      throw s3Error(`getting the pack of ${set}`, error);
    }
  }

  async getFile(set: string, path: string): Promise<Readable> {
    // Which name it was stored under follows from the remote manifest's encryption; try the encrypted one first.
    for (const key of [this.#key(set, `files/${path}.age`), this.#key(set, `files/${path}`)]) {
      try {
        const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
        return (out.Body as Readable).pipe(new PassThrough());
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw s3Error(`getting ${path}`, error);
      }
    }
    throw new RegistryError(404, `${this.display}/${set} has no file ${path}`);
  }

  async #keys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token })).catch((e) => Promise.reject(s3Error(`listing ${this.display}`, e)));
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async list(): Promise<string[]> {
    const base = `${this.#prefix}/`;
    return (await this.#keys(base))
      .map((k) => k.slice(base.length))
      .filter((k) => /^[^/]+\/remote-manifest\.json$/.test(k))
      .map((k) => k.slice(0, k.indexOf('/')))
      .sort();
  }

  async remove(set: string): Promise<void> {
    // The manifest first: a set half removed is no longer a set.
    const keys = await this.#keys(this.#key(set, ''));
    const ordered = [this.#key(set, MANIFEST_KEY), ...keys.filter((k) => !k.endsWith(`/${MANIFEST_KEY}`))];
    for (let i = 0; i < ordered.length; i += 1000) {
      await this.#client.send(new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: ordered.slice(i, i + 1000).map((Key) => ({ Key })) } })).catch((e) => Promise.reject(s3Error(`removing ${set}`, e)));
    }
  }
}
