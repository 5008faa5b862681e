import semver from 'semver';
import type { Command } from '../command.js';
import type { KubeObject } from '../kube/types.js';
import type { PlanAction, UpgradePlan } from './types.js';

/** Version of the fleet plan file (`workloads --plan-out`, `--plan`); bump on any incompatible change. */
export const FLEET_PLAN_SCHEMA_VERSION = 1 as const;

export type FleetOrder = 'given' | 'name' | 'size';
export type OnFailure = 'stop' | 'continue';

/** The flags that shape the waves and how they run; part of the plan, so a reviewed plan runs as reviewed. */
export interface FleetOptions {
  readonly order: FleetOrder;
  readonly canary: number;
  readonly waveSize: number;
  readonly parallel: number;
  readonly soakMs: number;
  readonly onFailure: OnFailure;
  /** ISO time; no wave starts after it. */
  readonly notAfter: string | undefined;
}

/** A selected workload cluster, with what ordering by size needs. */
export interface FleetCandidate {
  readonly name: string;
  readonly specFile: string;
  /** Machines of the cluster as read (control plane, etcd, workers): its size, and roughly its upgrade time. */
  readonly machines: number;
}

export interface FleetWave {
  readonly index: number;
  readonly canary: boolean;
  readonly clusters: readonly string[];
}

/** What the fleet does with one selected cluster. */
export type FleetEntry =
  | { readonly name: string; readonly specFile: string; readonly kind: 'upgrade'; readonly plan: UpgradePlan }
  /** Already at the target, judged from the live objects: nothing to do. */
  | { readonly name: string; readonly specFile: string; readonly kind: 'skip'; readonly reason: string }
  /** Found mid-upgrade (not by us): waited for and confirmed, never started again. */
  | { readonly name: string; readonly specFile: string; readonly kind: 'await'; readonly confirm: Extract<PlanAction, { op: 'confirm' }> };

/** The fleet's one lock for the whole run and the record of its state, as commands. */
export interface FleetPlan {
  readonly schemaVersion: typeof FLEET_PLAN_SCHEMA_VERSION;
  readonly command: 'workloads';
  readonly management: { readonly name: string; readonly eksaVersion: string | undefined };
  readonly targetEksaVersion: string | undefined;
  readonly options: FleetOptions;
  readonly waves: readonly FleetWave[];
  readonly entries: readonly FleetEntry[];
  /** Workload clusters of the tree left out of `--all`: no spec file under the admin folder. */
  readonly leftOut: readonly { readonly name: string; readonly reason: string }[];
  readonly lock: { readonly acquire: Extract<PlanAction, { op: 'acquire-lock' }>; readonly forceUnlock: Extract<PlanAction, { op: 'force-unlock' }> | undefined; readonly release: Command } | undefined;
  /** Written whenever a cluster's state changes: a rerun reads it to say where the last run stopped. */
  readonly state: { readonly namespace: string; readonly name: string; readonly command: Command };
}

/** The order clusters are upgraded in: as given, by name, or smallest first (ties by name, so it is stable). */
export function orderCandidates(candidates: readonly FleetCandidate[], order: FleetOrder): FleetCandidate[] {
  const byName = (a: FleetCandidate, b: FleetCandidate) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  if (order === 'name') return [...candidates].sort(byName);
  if (order === 'size') return [...candidates].sort((a, b) => a.machines - b.machines || byName(a, b));
  return [...candidates];
}

/**
 * Canary first, alone: `canary` clusters make wave 0 (none with --canary 0); the rest in waves of
 * `waveSize`, in order. What a failure in a wave stops is the executor's business.
 */
export function planWaves(names: readonly string[], options: Pick<FleetOptions, 'canary' | 'waveSize'>): FleetWave[] {
  if (!Number.isInteger(options.canary) || options.canary < 0) throw new Error(`internal: canary ${options.canary}`);
  if (!Number.isInteger(options.waveSize) || options.waveSize < 1) throw new Error(`internal: wave size ${options.waveSize}`);
  const waves: FleetWave[] = [];
  const canary = names.slice(0, options.canary);
  if (canary.length > 0) waves.push({ index: 0, canary: true, clusters: canary });
  for (let i = canary.length; i < names.length; i += options.waveSize) {
    waves.push({ index: waves.length, canary: false, clusters: names.slice(i, i + options.waveSize) });
  }
  return waves;
}

/**
 * EKS-A refuses a workload cluster ahead of its management cluster (aws/eks-anywhere
 * pkg/validations/upgradevalidations `ValidateManagementClusterEksaVersion`, "cannot upgrade workload
 * cluster to X while management cluster is an older version"): the fleet stops before it starts.
 * Undefined when the management cluster is at or past the target, else the problem.
 */
export function managementBehind(managementVersion: string | undefined, target: string | undefined): string | undefined {
  if (target === undefined || semver.valid(target) === null) return undefined;
  if (managementVersion === undefined || semver.valid(managementVersion) === null) return `the management cluster reports no EKS-A version; the workload clusters go to ${target}`;
  return semver.lt(managementVersion, target) ? `the management cluster is at EKS-A ${managementVersion}, behind the target ${target} of the workload clusters` : undefined;
}

/** What the live EKS-A Cluster says about a selected cluster before any gate runs. */
export type LiveState = 'to-upgrade' | 'at-target' | 'in-flight';

/**
 * Judged from the live object, never from a record: at the target when its spec carries the target
 * versions and it is Ready at its generation; in flight when its spec already carries them but it is not
 * yet (someone's eksctl, or the controller after it, is rolling it); else it is to be upgraded.
 */
export function liveState(eksa: KubeObject | undefined, want: { readonly kubernetesVersion: string; readonly eksaVersion: string | undefined }): LiveState {
  if (!eksa) return 'to-upgrade';
  const spec = eksa.spec ?? {};
  const atVersions = String(spec.kubernetesVersion ?? '') === want.kubernetesVersion && (want.eksaVersion === undefined || spec.eksaVersion === want.eksaVersion);
  if (!atVersions) return 'to-upgrade';
  const status = eksa.status ?? {};
  const observed = typeof status.observedGeneration === 'number' ? status.observedGeneration : undefined;
  const caughtUp = observed === undefined || eksa.metadata.generation === undefined || observed >= eksa.metadata.generation;
  const conditions: { type?: string; status?: string }[] = Array.isArray(status.conditions) ? status.conditions : [];
  const ready = conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  return caughtUp && ready ? 'at-target' : 'in-flight';
}

export interface FleetFacts {
  readonly management: { readonly name: string; readonly eksaVersion: string | undefined };
  readonly targetEksaVersion: string | undefined;
  /** The selected clusters, in the order given, each with its decision. */
  readonly entries: readonly FleetEntry[];
  readonly machines: Readonly<Record<string, number>>;
  readonly leftOut: readonly { readonly name: string; readonly reason: string }[];
  readonly lock: FleetPlan['lock'];
  readonly state: FleetPlan['state'];
}

/**
 * Pure: the fleet plan from the per-cluster decisions. Only the clusters to upgrade are put in waves;
 * those in flight are awaited first (wave order does not apply: they are already moving), those at the
 * target are skipped.
 */
export function planFleet(facts: FleetFacts, options: FleetOptions): FleetPlan {
  const upgrades = facts.entries.filter((e) => e.kind === 'upgrade');
  const ordered = orderCandidates(
    upgrades.map((e) => ({ name: e.name, specFile: e.specFile, machines: facts.machines[e.name] ?? 0 })),
    options.order,
  );
  return {
    schemaVersion: FLEET_PLAN_SCHEMA_VERSION,
    command: 'workloads',
    management: facts.management,
    targetEksaVersion: facts.targetEksaVersion,
    options,
    waves: planWaves(ordered.map((c) => c.name), options),
    entries: facts.entries,
    leftOut: facts.leftOut,
    lock: upgrades.length > 0 || facts.entries.some((e) => e.kind === 'await') ? facts.lock : undefined,
    state: facts.state,
  };
}

/**
 * A cluster's own plan inside the fleet: the fleet holds one lock for the whole run, so the cluster's own
 * force-unlock, lock acquisition and release are not its to run.
 */
export function clusterPlanInFleet(plan: UpgradePlan): UpgradePlan {
  return { ...plan, actions: plan.actions.filter((a) => a.op !== 'acquire-lock' && a.op !== 'force-unlock'), release: undefined };
}
