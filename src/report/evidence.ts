import type { ClusterctlInfo } from '../capi/move-command.js';
import type { ConfirmResult } from '../confirm/index.js';
import { isSafeUpgradeError } from '../errors.js';
import type { EtcdSnapshotEntry } from '../etcd/types.js';
import { ExitCode, type ExitCodeName } from '../exit-codes.js';
import type { HandoffResult } from '../handoff/run-handoff.js';
import type { UpgradePlanResult } from '../handoff/upgrade-plan.js';
import { LockedError } from '../lock/errors.js';
import type { LockRecord } from '../lock/index.js';
import type { LeftOut, OnUnready, ScopeDecision } from '../policy/scope.js';
import type { ClusterVerdict } from '../readiness/verdict.js';
import { redactArgv, redactUrls } from '../command.js';
import type { SkewViolation } from '../skew/skew.js';
import type { ClusterSpec } from '../spec/types.js';
import type { ToolVersions } from '../tools/versions.js';
import { EVIDENCE_SCHEMA_VERSION, OUTCOME_OF_FAILURE, evidenceSchema, type Evidence, type Outcome } from './evidence-schema.js';
import type { StepRecord } from './step-timer.js';

export { EVIDENCE_SCHEMA_FILE, EVIDENCE_SCHEMA_VERSION, evidenceJsonSchemaText, evidenceSchema, type Evidence, type Outcome } from './evidence-schema.js';

/** The backup as far as it got. `files` and `etcd` are empty until the set is written. */
export interface BackupPart {
  readonly dir: string;
  readonly state: 'planned' | 'partial' | 'complete' | 'failed';
  readonly reused?: boolean;
  readonly files?: readonly { readonly path: string; readonly size: number; readonly sha256: string }[];
  readonly etcd?: readonly EtcdSnapshotEntry[];
  /** `--push`: every off-site copy, done or (with --push-optional) failed. */
  readonly pushes?: readonly { readonly url: string; readonly ok: boolean; readonly reference?: string; readonly durationMs?: number; readonly encrypted: boolean; readonly recipients: readonly string[]; readonly error?: string }[];
}

/**
 * Everything a run may know when it ends. Only the first six are always known; a run that fails
 * early leaves the rest out, and the record says null (or []) for them.
 */
export interface EvidenceParts {
  readonly command: Evidence['command'];
  readonly toolVersion: string;
  readonly dryRun: boolean;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly exit: ExitCodeName;
  /** What ended the run; its message and hint become `error` (ignored on success). */
  readonly error?: unknown;
  readonly inputs?: {
    readonly specFile?: string;
    readonly kubeconfig?: string;
    readonly onUnready?: OnUnready;
    /** Our own flags as given (argv form); secret values are redacted here. */
    readonly flags?: readonly string[];
    /** The flags passed through to eksctl; secret values are redacted here. */
    readonly passThrough?: readonly string[];
    /** `--skip-etcd-backup --reason` (from the flag or EKSA_SAFE_UPGRADE_REASON): why no etcd snapshot was taken. */
    readonly etcdSkipReason?: string;
    /** `--skip-image-check --reason`: why the registry mirror was not checked. */
    readonly imageCheckSkipReason?: string;
  };
  readonly spec?: Pick<ClusterSpec, 'file' | 'name' | 'isManagement' | 'managementClusterName' | 'warnings'>;
  readonly tools?: ToolVersions;
  readonly clusterctl?: ClusterctlInfo;
  readonly plan?: UpgradePlanResult;
  readonly steps?: readonly StepRecord[];
  readonly verdicts?: readonly ClusterVerdict[];
  readonly skew?: readonly SkewViolation[];
  readonly scope?: ScopeDecision;
  readonly lock?: LockRecord;
  readonly backup?: BackupPart;
  /** The hand-off command's argv (redacted here) and, once eksctl ended, its result. */
  readonly handoff?: { readonly argv: readonly string[]; readonly result?: HandoffResult };
  readonly confirm?: ConfirmResult;
  readonly runPlan?: NonNullable<Evidence['runPlan']>;
  readonly forcedUnlock?: NonNullable<Evidence['forcedUnlock']>;
  /** eksctl's plan and the spec showed nothing to change: stopped before any write. */
  readonly nothingToUpgrade?: boolean;
}

export function outcomeOf(exit: ExitCodeName, dryRun: boolean, nothingToUpgrade = false): Outcome {
  if (exit === 'Success') return nothingToUpgrade ? 'nothing-to-upgrade' : dryRun ? 'dry-run' : 'upgraded';
  return OUTCOME_OF_FAILURE[exit];
}

function describeError(error: unknown): Evidence['error'] {
  if (error === undefined || error === null) return null;
  // A message can quote a flag's URL (a release manifest that could not be fetched): its credentials go.
  if (isSafeUpgradeError(error)) return error.hint === undefined ? { message: redactUrls(error.message) } : { message: redactUrls(error.message), hint: redactUrls(error.hint) };
  return { message: redactUrls(error instanceof Error ? error.message : String(error)) };
}

// Spread helper: optional fields are left out rather than written as undefined.
const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [P in K]: V }));

function lockOf(lock: LockRecord | undefined, error: unknown): Evidence['lock'] {
  if (lock) {
    return {
      heldBy: 'this-run',
      holder: lock.holder,
      acquireTime: lock.acquireTime ?? null,
      dryRun: lock.dryRun,
      leaseSeconds: lock.leaseSeconds,
      renewals: lock.renewals,
      ...opt('takeover', lock.takeover && { ...lock.takeover, previousAcquireTime: lock.takeover.previousAcquireTime ?? null }),
      ...opt('lost', lock.lost),
      released: lock.release?.released ?? false,
      ...opt('releaseNote', lock.release?.note),
    };
  }
  if (error instanceof LockedError && error.holding) {
    const h = error.holding;
    return { heldBy: 'another-run', holder: h.holder, acquireTime: h.acquireTime ?? null, expiresInSeconds: h.expiresInSeconds, ...opt('ciJobUrl', h.ciJobUrl) };
  }
  return null;
}

function scopeOf(scope: ScopeDecision): NonNullable<Evidence['scope']> {
  const leftOut = (list: readonly LeftOut[]) =>
    list.map((l) => ({ cluster: l.cluster, reasons: l.reasons.map((r) => ({ code: r.code, object: r.object, message: r.message })) }));
  switch (scope.kind) {
    case 'stop':
      return { kind: 'stop', blocking: leftOut(scope.blocking), summary: scope.summary, hint: scope.hint };
    case 'management-only':
      return { kind: 'management-only', clusters: [...scope.clusters], leftOut: leftOut(scope.leftOut), summary: scope.summary };
    default:
      return { kind: scope.kind, clusters: [...scope.clusters], summary: scope.summary };
  }
}

function confirmOf(c: ConfirmResult): NonNullable<Evidence['confirm']> {
  return {
    confirmed: c.confirmed,
    polls: c.polls,
    durationMs: Math.round(c.durationMs),
    ...opt('lastError', c.lastError),
    clusters: c.clusters.map((o) => ({
      name: o.name,
      found: o.found,
      ready: o.ready,
      generation: o.generation ?? null,
      observedGeneration: o.observedGeneration ?? null,
      kubernetesVersion: o.kubernetesVersion ?? null,
      eksaVersion: o.eksaVersion ?? null,
      conditions: o.conditions.map((k) => ({ type: k.type, status: k.status, ...opt('reason', k.reason), ...opt('message', k.message) })),
      ...opt('failureMessage', o.failureMessage),
      ...opt('reason', o.reason),
    })),
  };
}

function handoffOf(h: NonNullable<EvidenceParts['handoff']>): NonNullable<Evidence['handoff']> {
  const r = h.result;
  return {
    argv: redactArgv(h.argv),
    exitCode: r && !r.skipped ? r.exitCode : null,
    ...opt('signal', r?.signal),
    durationMs: Math.round(r?.durationMs ?? 0),
    interrupted: r?.interrupted ?? false,
    skipped: r?.skipped ?? false,
  };
}

/**
 * The evidence record of a run, from whatever parts it got to. Argv is redacted here, whatever the
 * caller passed. The result is checked against the schema: a record that does not validate is a bug.
 */
export function buildEvidence(parts: EvidenceParts): Evidence {
  const { spec, inputs = {}, tools, backup } = parts;
  const evidence: Evidence = {
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    tool: { name: 'eksa-safe-upgrade', version: parts.toolVersion },
    startedAt: parts.startedAt.toISOString(),
    finishedAt: parts.finishedAt.toISOString(),
    command: parts.command,
    dryRun: parts.dryRun,
    inputs: {
      specFile: spec?.file ?? inputs.specFile ?? null,
      cluster: spec?.name ?? null,
      role: spec ? (spec.isManagement ? 'management' : 'workload') : null,
      managementCluster: spec?.managementClusterName ?? null,
      kubeconfig: inputs.kubeconfig ?? null,
      onUnready: inputs.onUnready ?? null,
      flags: redactArgv(inputs.flags ?? []),
      passThrough: redactArgv(inputs.passThrough ?? []),
      specWarnings: [...(spec?.warnings ?? [])],
      ...(inputs.etcdSkipReason !== undefined ? { etcdSkipped: { reason: redactUrls(inputs.etcdSkipReason) } } : {}),
      ...(inputs.imageCheckSkipReason !== undefined ? { imageCheckSkipped: { reason: redactUrls(inputs.imageCheckSkipReason) } } : {}),
    },
    tools: tools
      ? {
          kubectl: tools.kubectl,
          eksctl: tools.eksctl,
          ...opt('clusterctl', parts.clusterctl && { source: parts.clusterctl.source, ...opt('image', parts.clusterctl.image), ...opt('binary', parts.clusterctl.binary) }),
        }
      : null,
    plan: parts.plan ? { components: parts.plan.components.map((c) => ({ name: c.name, oldVersion: c.oldVersion, newVersion: c.newVersion })) } : null,
    steps: (parts.steps ?? []).map((s) => ({ name: s.name, status: s.status, durationMs: s.durationMs, ...opt('reason', s.reason) })),
    verdicts: (parts.verdicts ?? []).map((v) => ({
      name: v.name,
      role: v.role,
      namespace: v.namespace,
      ...opt('kubernetesVersion', v.kubernetesVersion),
      ...opt('eksaVersion', v.eksaVersion),
      ready: v.ready,
      paused: { eksa: v.paused.eksa, capi: v.paused.capi },
      reasons: v.reasons.map((r) => ({ code: r.code, object: r.object, message: r.message })),
    })),
    skew: (parts.skew ?? []).map((s) => ({ cluster: s.cluster, rule: s.rule, message: s.message })),
    scope: parts.scope ? scopeOf(parts.scope) : null,
    lock: lockOf(parts.lock, parts.error),
    backup: backup
      ? {
          dir: backup.dir,
          state: backup.state,
          ...opt('reused', backup.reused),
          files: (backup.files ?? []).map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
          etcd: (backup.etcd ?? []).map((e) => ({ cluster: e.cluster, member: e.member, file: e.file, sha256: e.sha256, size: e.size })),
          ...opt('pushes', backup.pushes?.map((p) => ({ ...p, recipients: [...p.recipients] }))),
        }
      : null,
    handoff: parts.handoff ? handoffOf(parts.handoff) : null,
    confirm: parts.confirm ? confirmOf(parts.confirm) : null,
    runPlan: parts.runPlan ?? null,
    forcedUnlock: parts.forcedUnlock ?? null,
    outcome: outcomeOf(parts.exit, parts.dryRun, parts.nothingToUpgrade),
    exitCode: ExitCode[parts.exit],
    error: parts.exit === 'Success' ? null : describeError(parts.error),
  };
  return evidenceSchema.parse(evidence);
}

export type EvidenceValidation = { readonly ok: true; readonly evidence: Evidence } | { readonly ok: false; readonly issues: string[] };

/** Checks a parsed JSON value (a `--report` file, say) against the schema; issues read `path: message`. */
export function validateEvidence(json: unknown): EvidenceValidation {
  const result = evidenceSchema.safeParse(json);
  if (result.success) return { ok: true, evidence: result.data };
  return { ok: false, issues: result.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`) };
}

/** The record as printed by `--output json` and written by `--report FILE`. */
export function formatEvidence(evidence: Evidence): string {
  return `${JSON.stringify(evidence, null, 2)}\n`;
}
