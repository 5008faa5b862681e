import { z } from 'zod';
import type { ExitCodeName } from '../exit-codes.js';
import type { ReasonCode } from '../readiness/reason.js';
import type { SkewRule } from '../skew/skew.js';
import type { StepStatus } from './step-timer.js';

/** Version of the evidence record; bump on any incompatible change, with a new schema file beside the old. */
export const EVIDENCE_SCHEMA_VERSION = 1 as const;
/** The committed JSON Schema, relative to the repository root. */
export const EVIDENCE_SCHEMA_FILE = `schema/evidence-report.v${EVIDENCE_SCHEMA_VERSION}.schema.json`;

// The enums below must list every member of the union they mirror: a member added there and not
// here fails to compile, so the schema cannot silently reject a record the code produces.
type Exhaustive<T extends string, A extends readonly T[]> = [T] extends [A[number]] ? A : never;
const enumOf =
  <T extends string>() =>
  <const A extends readonly [T, ...T[]]>(values: A & Exhaustive<T, A>) =>
    z.enum(values);

/** One outcome per exit name; success is `upgraded`, or `dry-run` when nothing was written. */
export type Outcome =
  | 'upgraded' | 'dry-run' | 'nothing-to-upgrade' | 'plan-stale' | 'not-ready' | 'skew' | 'locked' | 'backup-failed' | 'etcd-snapshot-failed'
  | 'verify-failed' | 'upgrade-failed' | 'not-confirmed' | 'not-attempted' | 'interrupted' | 'usage' | 'environment' | 'internal';

export const OUTCOME_OF_FAILURE: Record<Exclude<ExitCodeName, 'Success'>, Outcome> = {
  Internal: 'internal',
  Usage: 'usage',
  Environment: 'environment',
  NotReady: 'not-ready',
  Skew: 'skew',
  Locked: 'locked',
  BackupFailed: 'backup-failed',
  EtcdSnapshotFailed: 'etcd-snapshot-failed',
  VerifyFailed: 'verify-failed',
  UpgradeFailed: 'upgrade-failed',
  NotConfirmed: 'not-confirmed',
  PlanStale: 'plan-stale',
  NotAttempted: 'not-attempted',
  Interrupted: 'interrupted',
};

const outcome = enumOf<Outcome>()([
  'upgraded', 'dry-run', 'nothing-to-upgrade', 'plan-stale', 'not-ready', 'skew', 'locked', 'backup-failed', 'etcd-snapshot-failed',
  'verify-failed', 'upgrade-failed', 'not-confirmed', 'not-attempted', 'interrupted', 'usage', 'environment', 'internal',
]);
const reasonCode = enumOf<ReasonCode>()([
  'eksa-not-ready', 'failure-message', 'generation-behind', 'paused', 'capi-cluster-missing',
  'capi-not-provisioned', 'control-plane-not-ready', 'etcd-not-ready', 'workers-rolling-out', 'machine-failed',
  'images-missing', 'gitops-suspended', 'gitops-not-ready',
]);
const skewRule = enumOf<SkewRule>()([
  'kubernetes-downgrade', 'kubernetes-minor-step', 'worker-kubernetes', 'eksa-downgrade', 'eksa-minor-step',
  'eksa-major', 'management-behind-workload', 'invalid-version',
]);
const stepStatus = enumOf<StepStatus>()(['ok', 'skipped', 'failed']);

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().nonnegative();
const role = z.enum(['management', 'workload']);
const reason = z.strictObject({ code: reasonCode, object: z.string(), message: z.string() });
const leftOut = z.strictObject({ cluster: z.string(), reasons: z.array(reason) });

const verdict = z.strictObject({
  name: z.string(),
  role,
  namespace: z.string(),
  kubernetesVersion: z.string().optional(),
  eksaVersion: z.string().optional(),
  ready: z.boolean(),
  paused: z.strictObject({ eksa: z.boolean(), capi: z.boolean() }),
  reasons: z.array(reason),
});

const scope = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('whole-tree'), clusters: z.array(z.string()), summary: z.string() }),
  z.strictObject({ kind: z.literal('management-only'), clusters: z.array(z.string()), leftOut: z.array(leftOut), summary: z.string() }),
  z.strictObject({ kind: z.literal('workload'), clusters: z.array(z.string()), summary: z.string() }),
  z.strictObject({ kind: z.literal('stop'), blocking: z.array(leftOut), summary: z.string(), hint: z.string() }),
]);

const lock = z.discriminatedUnion('heldBy', [
  z.strictObject({
    heldBy: z.literal('this-run').describe('our lease; in a dry run only looked at, never taken'),
    holder: z.string(),
    acquireTime: z.string().nullable(),
    dryRun: z.boolean(),
    leaseSeconds: count,
    renewals: count,
    takeover: z.strictObject({ previousHolder: z.string(), previousAcquireTime: z.string().nullable(), staleSeconds: z.number() }).optional(),
    lost: z.string().optional().describe('why the lock was lost while the run held it'),
    released: z.boolean(),
    releaseNote: z.string().optional(),
  }),
  z.strictObject({
    heldBy: z.literal('another-run').describe('the lease that refused this run (outcome locked)'),
    holder: z.string(),
    acquireTime: z.string().nullable(),
    expiresInSeconds: z.number(),
    ciJobUrl: z.string().optional(),
  }),
]);

/** `--push`: the off-site copies of one set; the fleet record carries the same per cluster. */
export const pushesSchema = z.array(
  z.strictObject({
    url: z.string().describe('oci://… or s3://…, credentials redacted'),
    ok: z.boolean().describe('false only with --push-optional: the run went on after the failure'),
    reference: z.string().optional().describe('the OCI manifest digest (sha256:…) or the S3 ETag (etag:…)'),
    durationMs: count.optional(),
    encrypted: z.boolean(),
    recipients: z.array(z.string()).describe('age recipients (public keys) the copy is encrypted to'),
    error: z.string().optional(),
  }),
);

const backup = z.strictObject({
  dir: z.string(),
  state: z.enum(['planned', 'partial', 'complete', 'failed']).describe('planned: dry run; partial: the run ended while it was written'),
  reused: z.boolean().optional().describe('an existing verified set was used instead of a new one'),
  files: z.array(z.strictObject({ path: z.string(), size: count, sha256 })),
  etcd: z.array(z.strictObject({ cluster: z.string(), member: z.string(), file: z.string(), sha256, size: count })),
  pushes: pushesSchema.optional().describe('--push: every off-site copy of the set'),
});

const condition = z.strictObject({ type: z.string(), status: z.string(), reason: z.string().optional(), message: z.string().optional() });

const confirm = z.strictObject({
  confirmed: z.boolean(),
  polls: count,
  durationMs: count,
  lastError: z.string().optional(),
  clusters: z.array(
    z.strictObject({
      name: z.string(),
      found: z.boolean(),
      ready: z.boolean(),
      generation: z.number().int().nullable(),
      observedGeneration: z.number().int().nullable(),
      kubernetesVersion: z.string().nullable(),
      eksaVersion: z.string().nullable(),
      conditions: z.array(condition),
      failureMessage: z.string().optional(),
      reason: z.string().optional().describe('what it still waited for at the last poll'),
    }),
  ),
});

export const evidenceSchema = z
  .strictObject({
    schemaVersion: z.literal(EVIDENCE_SCHEMA_VERSION),
    tool: z.strictObject({ name: z.literal('eksa-safe-upgrade'), version: z.string() }),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    command: z.enum(['cluster', 'management-components']),
    dryRun: z.boolean(),
    inputs: z.strictObject({
      specFile: z.string().nullable(),
      cluster: z.string().nullable(),
      role: role.nullable(),
      managementCluster: z.string().nullable(),
      kubeconfig: z.string().nullable(),
      onUnready: z.enum(['fallback', 'fail']).nullable(),
      flags: z.array(z.string()).describe('our own flags as given, secret values redacted'),
      passThrough: z.array(z.string()).describe('flags passed through to eksctl, secret values redacted'),
      specWarnings: z
        .array(z.string())
        .describe('what eksctl warns about in the spec and goes on (e.g. an external etcd count other than 3 or 5); [] when none or the spec was not read'),
      etcdSkipped: z
        .strictObject({ reason: z.string() })
        .optional()
        .describe('--skip-etcd-backup and its --reason (or EKSA_SAFE_UPGRADE_REASON): present only when the etcd backup was skipped'),
      imageCheckSkipped: z
        .strictObject({ reason: z.string() })
        .optional()
        .describe('--skip-image-check and its --reason: present only when the registry mirror check was skipped'),
    }),
    tools: z
      .strictObject({
        kubectl: z.string(),
        eksctl: z.string(),
        clusterctl: z.strictObject({ source: z.enum(['image', 'binary']), image: z.string().optional(), binary: z.string().optional() }).optional(),
      })
      .nullable(),
    plan: z
      .strictObject({ components: z.array(z.strictObject({ name: z.string(), oldVersion: z.string(), newVersion: z.string() })) })
      .nullable()
      .describe('eksctl anywhere upgrade plan: the component versions the upgrade changes'),
    steps: z.array(z.strictObject({ name: z.string(), status: stepStatus, durationMs: count, reason: z.string().optional() })),
    verdicts: z.array(verdict),
    skew: z.array(z.strictObject({ cluster: z.string(), rule: skewRule, message: z.string() })),
    scope: scope.nullable(),
    lock: lock.nullable(),
    backup: backup.nullable(),
    handoff: z
      .strictObject({
        argv: z.array(z.string()).describe('secret values redacted'),
        exitCode: z.number().int().nullable().describe('eksctl exit code; null when it did not run (dry run) or did not end'),
        signal: z.string().optional(),
        durationMs: count,
        interrupted: z.boolean(),
        skipped: z.boolean(),
      })
      .nullable(),
    confirm: confirm.nullable(),
    runPlan: z
      .strictObject({
        sha256: sha256.describe('of the plan as --plan-out writes it'),
        fingerprintSha256: sha256.describe('of what the plan was made against: every object of the tree, the spec, tools, flags'),
        actions: z.array(z.string()).describe('the plan\'s actions, in order'),
        appliedFrom: z.string().nullable().describe('the --plan file this run applied unchanged; null when planned in this run'),
      })
      .nullable()
      .describe('the plan this run rendered (dry run) or applied; null when the run stopped before its plan was made'),
    forcedUnlock: z
      .strictObject({ previousHolder: z.string(), deleted: z.boolean() })
      .nullable()
      .describe('--force-unlock: whose lease was deleted before the lock was taken; null without it'),
    outcome,
    exitCode: z.number().int().nonnegative(),
    error: z.strictObject({ message: z.string(), hint: z.string().optional() }).nullable(),
  })
  .meta({
    title: 'eksa-safe-upgrade evidence record',
    description: 'What one upgrade run did and saw: inputs, versions, every step, verdicts, scope, lock, backup, hand-off, confirmation, outcome.',
  });

export type Evidence = z.infer<typeof evidenceSchema>;

/** The JSON Schema text committed as EVIDENCE_SCHEMA_FILE; scripts/gen-schema.mjs writes it from dist/. */
export function evidenceJsonSchemaText(): string {
  return `${JSON.stringify(z.toJSONSchema(evidenceSchema), null, 2)}\n`;
}
