import { z } from 'zod';
import { OCI_MANIFEST_TYPE } from './oci-client.js';

// One backup set as one OCI artifact: the remote manifest (below) as the config blob, every file of the set
// (its manifest.json included) as one layer, encrypted when the set was pushed with recipients. The remote
// manifest names files and hashes, never contents; everything the set holds is in the layers.
export const ARTIFACT_TYPE = 'application/vnd.eksa-safe-upgrade.backup.v1';
export const CONFIG_TYPE = 'application/vnd.eksa-safe-upgrade.backup.config.v1+json';
export const LAYER_TYPE = 'application/vnd.eksa-safe-upgrade.file.v1';
export const LAYER_TYPE_AGE = 'application/vnd.eksa-safe-upgrade.file.v1.age';
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

export const REMOTE_MANIFEST_VERSION = 1 as const;
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
  files: z.array(z.object({ path: setPath, size: z.number().int().nonnegative(), sha256: sha, stored: z.object({ size: z.number().int().nonnegative(), sha256: sha }) })),
});
export type RemoteManifest = z.infer<typeof remoteManifestSchema>;

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
