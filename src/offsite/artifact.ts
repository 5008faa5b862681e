import { z } from 'zod';
import { OCI_MANIFEST_TYPE } from './oci-client.js';

// One backup set as one OCI artifact: the remote manifest (below) as the config blob, every file larger than
// PACKED_MAX as its own layer, and the small ones (the object files, manifest.json, RESTORE.md: most of a set by
// count) in one pack layer, a tar of their stored bytes (tar-pack.ts), each file encrypted on its own when the
// set was pushed with recipients. One blob per small file cost the registry a POST and a PUT each, several times
// the upload of the snapshots themselves (bench/push.mjs); a tar is what `oras push` of a folder makes too.
// The remote manifest names files and hashes, never contents; everything the set holds is in the layers.
export const ARTIFACT_TYPE = 'application/vnd.eksa-safe-upgrade.backup.v1';
export const CONFIG_TYPE = 'application/vnd.eksa-safe-upgrade.backup.config.v1+json';
export const LAYER_TYPE = 'application/vnd.eksa-safe-upgrade.file.v1';
export const LAYER_TYPE_AGE = 'application/vnd.eksa-safe-upgrade.file.v1.age';
/** The pack of small files: a tar whose entries are the files as stored (`<path>.age` when encrypted). */
export const PACK_TYPE = 'application/vnd.eksa-safe-upgrade.files.v1.tar';
export const PACK_TITLE = 'small-files.tar';
/** A file of up to this many bytes goes in the pack; a larger one (an etcd snapshot) is its own layer, streamed. */
export const PACKED_MAX = 1024 * 1024;
/** The most a packed file can take as stored: PACKED_MAX of plaintext, age's tags, and a header for many recipients. */
export const PACKED_STORED_MAX = 2 * PACKED_MAX;
export const TITLE = 'org.opencontainers.image.title';
export const ANNOTATION = {
  created: 'org.opencontainers.image.created',
  cluster: 'io.github.eksa-safe-upgrade.cluster',
  scope: 'io.github.eksa-safe-upgrade.scope',
  encrypted: 'io.github.eksa-safe-upgrade.encrypted',
} as const;

const sha = z.string().regex(/^[0-9a-f]{64}$/);
// A path inside the set: relative, '/'-separated, no '.', '..' or empty component.
const setPath = z.string().regex(/^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/);

/** 2: small files packed (`pack`, `stored.offset`); 1, one layer per file, was never released. */
export const REMOTE_MANIFEST_VERSION = 2 as const;
const storedSchema = z.object({
  size: z.number().int().nonnegative(),
  sha256: sha,
  /** Where the file's stored bytes start inside the pack; absent for a file stored on its own. */
  offset: z.number().int().nonnegative().optional(),
});
export const remoteManifestSchema = z.object({
  schemaVersion: z.literal(REMOTE_MANIFEST_VERSION),
  tool: z.object({ name: z.literal('eksa-safe-upgrade'), version: z.string() }),
  /** The set's folder name, and the tag. */
  set: z.string(),
  cluster: z.string(),
  managementCluster: z.string(),
  scope: z.string(),
  clusters: z.array(z.string()),
  createdAt: z.string(),
  pushedAt: z.string(),
  encryption: z.union([z.object({ format: z.literal('age'), recipients: z.array(z.string()).min(1) }), z.object({ format: z.literal('none') })]),
  /** Every file: its plaintext size and sha256 (as the set's manifest has them) and what is stored. */
  files: z.array(z.object({ path: setPath, size: z.number().int().nonnegative(), sha256: sha, stored: storedSchema })),
  /** The pack of small files as stored, when there is one. */
  pack: z.object({ size: z.number().int().nonnegative(), sha256: sha }).optional(),
});
export type RemoteManifest = z.infer<typeof remoteManifestSchema>;
export type RemoteFile = RemoteManifest['files'][number];

/**
 * Pure: the files stored in the pack, in the order of their offsets, or what makes the layout impossible. Each
 * packed file lies inside the pack, after at least one tar header, no two overlap, none is larger than a packed
 * file can be; a file with an offset needs a pack; no path is listed twice. A pull trusts these offsets only after
 * this check.
 */
export function packedFiles(remote: RemoteManifest): { files: RemoteFile[] } | { problem: string } {
  const seen = new Set<string>();
  for (const f of remote.files) {
    if (seen.has(f.path)) return { problem: `${f.path} is listed twice` };
    seen.add(f.path);
  }
  const packed = remote.files.filter((f) => f.stored.offset !== undefined).sort((a, b) => a.stored.offset! - b.stored.offset!);
  if (packed.length === 0) return { files: [] };
  if (!remote.pack) return { problem: `${packed.length} file(s) are said to be in a pack, and the set has none` };
  let end = 0;
  for (const f of packed) {
    const offset = f.stored.offset!;
    if (f.stored.size > PACKED_STORED_MAX) return { problem: `${f.path} is said to take ${f.stored.size} bytes in the pack, more than a packed file can` };
    if (offset < end + 512) return { problem: `${f.path} overlaps what comes before it in the pack` };
    end = offset + f.stored.size;
    if (end > remote.pack.size) return { problem: `${f.path} ends past the end of the pack (${end} > ${remote.pack.size} bytes)` };
  }
  return { files: packed };
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
}

const descriptorSchema = z.object({ mediaType: z.string(), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/), size: z.number().int().nonnegative(), annotations: z.record(z.string(), z.string()).optional() });
export const ociManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(OCI_MANIFEST_TYPE).optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type OciManifest = z.infer<typeof ociManifestSchema>;

/** Pure: the OCI manifest of a pushed set. */
export function buildOciManifest(remote: RemoteManifest, config: Descriptor, layers: readonly Descriptor[]): OciManifest {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_TYPE,
    artifactType: ARTIFACT_TYPE,
    config: { ...config, mediaType: CONFIG_TYPE },
    layers: [...layers],
    annotations: {
      [ANNOTATION.created]: remote.createdAt,
      [ANNOTATION.cluster]: remote.cluster,
      [ANNOTATION.scope]: remote.scope,
      [ANNOTATION.encrypted]: String(remote.encryption.format === 'age'),
    },
  };
}

/** Pure: the command that brings a pushed set back, for RESTORE.md and the report. */
export function pullCommand(urlAndSet: string, encrypted: boolean): string {
  return `eksa-safe-upgrade backups pull ${urlAndSet} --dir <management folder>${encrypted ? ' --identity <age identity file>' : ''}`;
}
