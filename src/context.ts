import type { BackupResult, ClusterctlInfo } from './backup/apply.js';
import type { BackupPlan } from './backup/plan.js';
import type { ClusterctlSource } from './capi/move-command.js';
import type { UpgradePlanResult } from './handoff/upgrade-plan.js';
import type { Kubectl } from './kubectl/kubectl.js';
import type { ForceUnlockRecord, UpgradeLock } from './lock/index.js';
import type { Inventory } from './kube/types.js';
import type { ScopeDecision, OnUnready } from './policy/scope.js';
import type { ClusterVerdict } from './readiness/verdict.js';
import type { StepTimer } from './report/step-timer.js';
import type { Command } from './runner/command.js';
import type { Runner } from './runner/runner.js';
import type { SkewViolation } from './skew/skew.js';
import type { ClusterLayout } from './spec-file/layout.js';
import type { ClusterSpec } from './spec/types.js';
import type { ToolVersions } from './tools/versions.js';

export type OutputFormat = 'table' | 'json';

/** Flags every gated command shares (preflight, backup, cluster). */
export interface GateOptions {
  readonly filename: string;
  readonly kubeconfig: string | undefined;
  readonly output: OutputFormat;
  readonly onUnready: OnUnready;
  readonly requestTimeout: string;
  readonly verbosity: number;
  readonly dryRun: boolean;
  /** Also write the command journal here (NDJSON). */
  readonly journal: string | undefined;
}

/**
 * The one typed context the steps read and write, in flow order. A field is set by the step named
 * beside it and only read by later steps.
 */
export interface RunContext {
  readonly options: GateOptions;
  readonly runner: Runner;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Records every step with status and duration for the evidence record, when the command keeps one. */
  readonly timer?: StepTimer;
  spec?: ClusterSpec; // load-spec
  layout?: ClusterLayout; // load-spec
  kubectl?: Kubectl; // load-spec
  tools?: ToolVersions; // read-tools
  inventory?: Inventory; // inventory
  verdicts?: ClusterVerdict[]; // readiness
  skew?: SkewViolation[]; // skew
  scope?: ScopeDecision; // scope
  clusterctl?: { source: ClusterctlSource; info: ClusterctlInfo }; // find-clusterctl
  backupPlan?: BackupPlan; // backup-capi
  backup?: BackupResult; // backup-capi (not in dry-run)
  backupReuse?: { reused: string | undefined }; // backup-capi, with --max-backup-age
  handoff?: Command; // build-handoff (cluster, management-components)
  upgradePlan?: UpgradePlanResult; // upgrade-plan
  lock?: UpgradeLock; // take-lock
  forcedUnlock?: ForceUnlockRecord; // take-lock, with --force-unlock
}

/** Read a field a previous step must have set; a missing one is a bug in the task list's order. */
export function need<K extends keyof RunContext>(ctx: RunContext, key: K): NonNullable<RunContext[K]> {
  const value = ctx[key];
  if (value === undefined || value === null) throw new Error(`internal: step order: ${String(key)} is not set yet`);
  return value as NonNullable<RunContext[K]>;
}
