import type { Readable } from 'node:stream';
import { printable } from '../errors.js';
import { ARTIFACT_TYPE, LAYER_TYPE, LAYER_TYPE_AGE, PACK_TITLE, PACK_TYPE, TITLE, buildOciManifest, ociManifestSchema, remoteManifestSchema, type RemoteManifest } from './artifact.js';
import { OciClient, RegistryError, type OciClientOptions } from './oci-client.js';
import type { OffsiteStore, Stored } from './store.js';

const MAX_CONFIG = 4 * 1024 * 1024;

/** An OCI repository as a store: one artifact per set, tagged with the set's name, the manifest put last. */
export class OciStore implements OffsiteStore {
  readonly display: string;
  readonly #client: OciClient;

  constructor(options: OciClientOptions) {
    this.#client = new OciClient(options);
    this.display = `oci://${options.host}/${options.repository}`;
  }

  open(): Promise<void> {
    return this.#client.ping();
  }

  close(): void {
    this.#client.close();
  }

  has(set: string): Promise<boolean> {
    return this.#client.manifestExists(set);
  }

  async putFile(_set: string, _path: string, _encrypted: boolean, body: Readable, known?: Stored): Promise<Stored> {
    // With the digest known, the registry checks it (no hashing here, one request less); else it is found as sent.
    const { digest, size } = known ? await this.#client.pushBlobKnown(body, `sha256:${known.sha256}`) : await this.#client.pushBlobStream(body);
    return { sha256: digest.slice('sha256:'.length), size };
  }

  putPack(set: string, body: Readable): Promise<Stored> {
    // A blob like any file's: the pack differs only in its layer's media type (commit).
    return this.putFile(set, PACK_TITLE, false, body);
  }

  async commit(set: string, remote: RemoteManifest, files: readonly (Stored & { path: string; encrypted: boolean })[]): Promise<string> {
    const config = await this.#client.pushBlobMonolithic(Buffer.from(`${JSON.stringify(remote, null, 2)}\n`));
    const layers = files.filter((f) => f.offset === undefined).map((f) => ({ mediaType: f.encrypted ? LAYER_TYPE_AGE : LAYER_TYPE, digest: `sha256:${f.sha256}`, size: f.size, annotations: { [TITLE]: f.path } }));
    if (remote.pack) layers.push({ mediaType: PACK_TYPE, digest: `sha256:${remote.pack.sha256}`, size: remote.pack.size, annotations: { [TITLE]: PACK_TITLE } });
    const manifest = buildOciManifest(remote, { mediaType: '', ...config }, layers);
    return this.#client.putManifest(set, Buffer.from(JSON.stringify(manifest)));
  }

  async manifest(set: string): Promise<{ remote: RemoteManifest; reference: string } | undefined> {
    const got = await this.#client.getManifest(set);
    if (!got) return undefined;
    let manifest;
    try {
      manifest = ociManifestSchema.parse(JSON.parse(got.body.toString('utf8')));
    } catch {
      throw new RegistryError(200, `${printable(set)} at ${this.display} is not an OCI image manifest`);
    }
    if (manifest.artifactType !== ARTIFACT_TYPE) throw new RegistryError(200, `${printable(set)} at ${this.display} is not a backup set of this tool (artifactType ${printable(String(manifest.artifactType))})`);
    if (manifest.config.size > MAX_CONFIG) throw new RegistryError(200, `the remote manifest of ${printable(set)} is ${manifest.config.size} bytes, more than a manifest holds`);
    const chunks: Buffer[] = [];
    for await (const chunk of await this.#client.getBlob(manifest.config.digest)) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const { createHash } = await import('node:crypto');
    if (`sha256:${createHash('sha256').update(body).digest('hex')}` !== manifest.config.digest) throw new RegistryError(200, `the remote manifest of ${printable(set)} does not match its digest`);
    const remote = remoteManifestSchema.parse(JSON.parse(body.toString('utf8')));
    // Every file the remote manifest lists is a layer with the same digest, or is in the pack, which is a layer
    // with the pack's digest: the two cannot disagree.
    const layers = new Map(manifest.layers.filter((l) => l.mediaType !== PACK_TYPE).map((l) => [l.annotations?.[TITLE], l]));
    if (remote.pack && !manifest.layers.some((l) => l.mediaType === PACK_TYPE && l.digest === `sha256:${remote.pack!.sha256}` && l.size === remote.pack!.size)) {
      throw new RegistryError(200, `${printable(set)} at ${this.display}: its pack of small files is not one of its layers`);
    }
    for (const f of remote.files) {
      if (f.stored.offset !== undefined) continue;
      const layer = layers.get(f.path);
      if (!layer || layer.digest !== `sha256:${f.stored.sha256}` || layer.size !== f.stored.size) {
        throw new RegistryError(200, `${printable(set)} at ${this.display}: file ${printable(f.path)} has no matching layer`);
      }
    }
    return { remote, reference: got.digest };
  }

  getFile(_set: string, _path: string, stored: Stored): Promise<Readable> {
    return this.#client.getBlob(`sha256:${stored.sha256}`);
  }

  getPack(set: string, stored: Stored): Promise<Readable> {
    return this.getFile(set, PACK_TITLE, stored);
  }

  list(): Promise<string[]> {
    return this.#client.listTags();
  }

  async remove(set: string): Promise<void> {
    const got = await this.#client.getManifest(set);
    if (got) await this.#client.deleteManifest(got.digest);
  }
}
