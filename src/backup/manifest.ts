import { z } from 'zod';

/** Version of the manifest.json format; bump on any incompatible change and document it in the README. */
export const MANIFEST_SCHEMA_VERSION = 1 as const;
export const MANIFEST_FILE = 'manifest.json';

/** One off-site copy: where (credentials never in it), the digest or ETag, how long, and how it was encrypted. */
export const pushRecordSchema = z.object({
  url: z.string(),
  reference: z.string(),
  at: z.string(),
  durationMs: z.number(),
  encrypted: z.boolean(),
  recipients: z.array(z.string()),
});
export type PushEntry = z.infer<typeof pushRecordSchema>;

const reason = z.object({ code: z.string(), object: z.string(), message: z.string() });

export const manifestSchema = z.object({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  tool: z.object({ name: z.literal('eksa-safe-upgrade'), version: z.string() }),
  state: z.enum(['complete', 'failed']),
  error: z.string().optional(),
  /** UTC instant; the folder name carries local time, as EKS-A names it. */
  createdAt: z.string(),
  folderTimestamp: z.string(),
  managementCluster: z.string(),
  spec: z.object({ cluster: z.string(), role: z.enum(['management', 'workload']), files: z.array(z.string()) }),
  scope: z.object({
    kind: z.enum(['whole-tree', 'management-only', 'workload']),
    clusters: z.array(z.string()),
    summary: z.string(),
    leftOut: z.array(z.object({ cluster: z.string(), reasons: z.array(reason) })),
    /** Set when the whole-tree move failed and the set fell back to the management cluster. */
    fallbackFrom: z.object({ kind: z.literal('whole-tree'), error: z.string() }).optional(),
  }),
  clusters: z.array(
    z.object({
      name: z.string(),
      role: z.enum(['management', 'workload']),
      kubernetesVersion: z.string().optional(),
      eksaVersion: z.string().optional(),
      ready: z.boolean(),
      reasons: z.array(reason),
      paused: z.object({ eksa: z.boolean(), capi: z.boolean() }),
    }),
  ),
  tools: z.object({ kubectl: z.string(), eksctl: z.string() }),
  clusterctl: z.object({
    source: z.enum(['image', 'binary']),
    image: z.string().optional(),
    binary: z.string().optional(),
    releaseManifest: z.string().optional(),
    bundleManifestUrl: z.string().optional(),
    argv: z.array(z.string()),
  }),
  /** What the graph check demands, per cluster: `Kind/namespace/name` keys. */
  expected: z.record(z.string(), z.object({ capi: z.array(z.string()), eksa: z.array(z.string()) })),
  pauseRestore: z.array(z.object({ cluster: z.string(), what: z.string(), before: z.boolean(), after: z.boolean(), action: z.string() })),
  files: z.array(z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
  /** One verified snapshot per cluster in scope (`etcd/<cluster>-<member>.db`, or `etcd/<cluster>/<member>.db` where flat names could collide). */
  etcd: z.array(
    z.object({
      cluster: z.string(),
      member: z.string(),
      address: z.string(),
      topology: z.enum(['external', 'stacked']),
      os: z.enum(['ubuntu', 'redhat', 'bottlerocket']),
      file: z.string(),
      size: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      revision: z.number().optional(),
      totalKeys: z.number().optional(),
      dbSize: z.number().optional(),
      durationMs: z.number(),
      failedAttempts: z.array(z.object({ member: z.string(), address: z.string(), reason: z.string() })),
    }),
  ).default([]),
  /** How node host keys were checked: against the newest earlier set's known_hosts, or a change accepted by flag. */
  hostKeys: z.object({ checkedAgainst: z.string().optional(), acceptChanged: z.boolean() }).optional(),
  /** `--skip-etcd-backup --reason`: the only way a set has no snapshots, and why. */
  etcdSkipped: z.object({ reason: z.string() }).optional(),
  /** Off-site copies made of this set (`--push`, `backups push`), added after it was complete: this file is not in `files`. */
  pushes: z.array(pushRecordSchema).optional(),
  /**
   * `--drill`: the drill the backup ran on the set before writing this manifest (a later `drill` writes
   * `<set>.drill.json` only). RESTORE.md records it too.
   */
  drill: z
    .object({
      drilledAt: z.string(),
      ok: z.boolean(),
      problems: z.array(z.string()),
      snapshots: z.array(
        z.object({
          cluster: z.string(),
          member: z.string(),
          ok: z.boolean(),
          revision: z.number().optional(),
          totalKeys: z.number().optional(),
          registryKeys: z.number().optional(),
          problems: z.array(z.string()),
        }),
      ),
    })
    .optional(),
});

export type BackupManifest = z.infer<typeof manifestSchema>;

export function parseManifest(text: string): BackupManifest {
  return manifestSchema.parse(JSON.parse(text));
}
