import type { ClusterctlInfo, ClusterctlSource } from './capi/move-command.js';
import type { UpgradePlanResult } from './handoff/upgrade-plan.js';
import type { Kubectl } from './kubectl/kubectl.js';
import type { Inventory, KubeObject } from './kube/types.js';
import type { ScopeDecision, OnUnready } from './policy/scope.js';
import type { ClusterVerdict } from './readiness/verdict.js';
import type { StepTimer } from './report/step-timer.js';
import type { Command } from './command.js';
import type { Runner } from './runner/runner.js';
import type { SkewViolation } from './skew/skew.js';
import type { ClusterLayout } from './spec-file/layout.js';
import type { ClusterSpec } from './spec/types.js';
import type { ToolVersions } from './tools/versions.js';
import type { UpgradePlan } from './plan/types.js';

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
 * The one typed context the read-only gate fills, in flow order: what it read and decided, up to the
 * plan. A field is set by the step named beside it and only read by later steps. Applying the plan
 * needs none of it: the plan carries every decision.
 */
export interface RunContext {
  readonly options: GateOptions;
  readonly runner: Runner;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Records every step with status and duration for the evidence record, when the command keeps one. */
  readonly timer?: StepTimer;
  /** Aborted by Ctrl-C/SIGTERM/SIGHUP: ends work no child process carries (an HTTP fetch). */
  readonly signal?: AbortSignal;
  spec?: ClusterSpec; // load-spec
  specSha256?: string; // load-spec
  layout?: ClusterLayout; // load-spec
  kubectl?: Kubectl; // load-spec
  handoff?: Command; // build-handoff (cluster, management-components)
  tools?: ToolVersions; // read-tree
  items?: readonly KubeObject[]; // read-tree: every object read, for the plan's fingerprint
  inventory?: Inventory; // read-tree
  verdicts?: ClusterVerdict[]; // readiness
  skew?: SkewViolation[]; // skew
  scope?: ScopeDecision; // scope
  clusterctl?: { source: ClusterctlSource; info: ClusterctlInfo }; // find-clusterctl
  upgradePlan?: UpgradePlanResult; // upgrade-plan (cluster)
  lockRead?: LockRead; // read-lock (cluster, management-components, backup)
  reuse?: { dir: string; ageMs: number }; // find-fresh-backup, with --max-backup-age
  plan?: UpgradePlan; // plan
  /**
   * Reads made for this gate by someone else, awaited by the steps instead of starting their own:
   * - `startGateReads` (preflight) starts the spec and the tree before the task list exists, so the kubectl get
   *   runs while the rest loads;
   * - `workloads` reads the tools, the tree and the lock once and gives them to every cluster's gate: one
   *   tree read for the fleet, not one per cluster.
   */
  early?: { loaded?: Promise<LoadedSpec>; tree?: Promise<ToolsAndTree>; lock?: () => Promise<LockRead> };
}

/** What read-lock sets: the holder as the audit line says it, and the holder --force-unlock would delete. */
export interface LockRead {
  readonly audit: string;
  readonly forceUnlockFrom: string | undefined;
}

/** What load-spec sets: the spec, where its cluster's files are, its bytes' sha256, and kubectl for it. */
export interface LoadedSpec {
  readonly spec: ClusterSpec;
  readonly layout: ClusterLayout;
  readonly specSha256: string;
  readonly kubectl: Kubectl;
}

/** What read-tree reads before assembling: the tools' versions and every object of the tree. */
export interface ToolsAndTree {
  readonly tools: ToolVersions;
  readonly items: readonly KubeObject[];
}

/** Read a field a previous step must have set; a missing one is a bug in the task list's order. */
export function need<K extends keyof RunContext>(ctx: RunContext, key: K): NonNullable<RunContext[K]> {
  const value = ctx[key];
  if (value === undefined || value === null) throw new Error(`internal: step order: ${String(key)} is not set yet`);
  return value as NonNullable<RunContext[K]>;
}
