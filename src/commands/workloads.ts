import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { releaseRunLock } from '../apply/lock.js';
import { read, type Command } from '../command.js';
import { need, type LockRead, type RunContext, type ToolsAndTree } from '../context.js';
import { SafeUpgradeError, UsageError, isSafeUpgradeError } from '../errors.js';
import { ExitCode, type ExitCodeName } from '../exit-codes.js';
import { executeFleet, initialProgress, type FleetRun } from '../fleet/execute-fleet.js';
import { FLEET_STATE_NAME, FLEET_STATE_NAMESPACE, FleetStateWriter, stateCommand, type ClusterProgress } from '../fleet/state.js';
import { EKSA_CLUSTERS } from '../kube/kinds.js';
import type { KubeObject } from '../kube/types.js';
import { Kubectl } from '../kubectl/kubectl.js';
import { privateFile } from '../backup/private-files.js';
import { FLEET_PLAN_SCHEMA_VERSION, clusterPlanInFleet, liveState, managementBehind, planFleet, type FleetEntry, type FleetOptions, type FleetPlan } from '../plan/fleet.js';
import { renderFleetPlan } from '../plan/fleet-render.js';
import type { PlanAction } from '../plan/types.js';
import { createRunner } from '../runner/create-runner.js';
import type { Runner } from '../runner/runner.js';
import { loadSpec } from '../spec-file/read-spec.js';
import { kubeconfigFileName } from '../spec-file/layout.js';
import type { ClusterSpec } from '../spec/types.js';
import { runTaskList, type TaskListOptions } from '../steps/task-list.js';
import { NothingToUpgrade } from '../steps/upgrade-plan.js';
import { trapInterrupts } from '../signals.js';
import { readToolVersions, type ToolVersions } from '../tools/versions.js';
import { loadGateSpec } from '../steps/load-spec.js';
import { readTree } from '../steps/read-tree.js';
import { readLockState, type LockReadOptions } from '../steps/read-lock.js';
import { mapLimit } from '../map-limit.js';
import { fleetEvidenceSchema, publishFleetSummary, FLEET_EVIDENCE_SCHEMA_VERSION, type FleetEvidence } from '../report/fleet-evidence.js';
import { toolVersion } from './backup.js';
import { planFlags, planningSteps, type ClusterOptions } from './cluster.js';
import type { CommandIo } from './io.js';
import { reviewedPlanSteps } from './plan-io.js';
import { restoreHint } from './restore-hint.js';

export interface WorkloadsOptions {
  /** What each cluster's own flow takes, as `cluster` does (its `filename` is each selected spec in turn). */
  readonly cluster: ClusterOptions;
  readonly files: readonly string[];
  readonly all: boolean;
  readonly fleet: FleetOptions;
}

/** The fleet plan file is the planner's output for one tree. */
const MAX_PLAN_BYTES = 256 * 1024 * 1024;

/**
 * `workloads`: the workload clusters of one management tree, in waves. Every cluster is gated and planned
 * first (the dry run stops here and prints the fleet plan); then one lock for the whole run, and each cluster's
 * own plan applied by the one executor, canary first.
 */
export async function upgradeWorkloads(options: WorkloadsOptions, io: CommandIo): Promise<ExitCodeName> {
  const startedAt = new Date();
  const base = options.cluster;
  const runner = createRunner(base, io);
  const abort = new AbortController();
  const untrap = trapInterrupts(runner, () => abort.abort());
  const list: TaskListOptions = { silent: base.output === 'json', env: io.env, isTTY: io.isTTY };
  const run: FleetRun = { progress: [] };
  let plan: FleetPlan | undefined;
  let failure: { exit: ExitCodeName; error: unknown } | undefined;
  try {
    await checkOutputs(base, io);
    plan = base.planFile !== undefined ? await reviewedFleetPlan(options, io, runner, list) : await planTheFleet(options, io, runner, list);
    runner.throwIfInterrupted();
    run.progress.push(...initialProgress(plan));
    if (base.dryRun) {
      const rendered = renderFleetPlan(plan);
      for (const command of rendered.writes) runner.recordSkipped(command);
      if (base.output !== 'json') io.stdout(rendered.text);
      else io.stderr(rendered.text);
      if (base.planOut !== undefined) {
        const file = path.resolve(io.cwd, base.planOut);
        await privateFile(file, `${JSON.stringify(plan, null, 2)}\n`);
        io.stderr(`Fleet plan written to ${file}: apply it unchanged with --plan ${file}`);
      }
    } else {
      const kubectl = new Kubectl(runner, { kubeconfig: managementKubeconfig(base, io), requestTimeout: base.requestTimeout });
      const fleetPlan = plan;
      // The record of the run so far, rewritten at each change: what a run killed mid-wave leaves behind.
      const onRecord = async (clusters: readonly ClusterProgress[]) => {
        if (base.report === undefined) return;
        const partial = fleetEvidence({ options, plan: fleetPlan, run: { ...run, progress: [...clusters], stopped: 'in progress: rewritten as the run goes; a run that was killed leaves it here' }, startedAt, exit: 'Interrupted', failure: undefined, notAttempted: [] });
        await privateFile(path.resolve(io.cwd, base.report), `${JSON.stringify(partial, null, 2)}\n`);
      };
      const state = new FleetStateWriter(runner, plan.state.command, plan.management.name, (l) => io.stderr(`Warning: ${l}`), onRecord);
      await executeFleet(
        plan,
        { runner, kubectl, env: io.env, toolVersion: toolVersion(), warn: () => undefined, signal: abort.signal, now: () => new Date(), list, state, say: (l) => io.stderr(l), restoreHint },
        run,
      );
    }
  } catch (error) {
    failure = { exit: isSafeUpgradeError(error) ? error.exit : 'Internal', error };
  } finally {
    untrap();
    await releaseRunLock(run);
  }
  for (const p of run.progress) if (p.state === 'pending' && !base.dryRun) p.state = 'not-attempted';
  const notAttempted = run.progress.filter((p) => p.state === 'not-attempted').map((p) => p.name);
  // Exit 0 only when every selected cluster is confirmed or was already at the target.
  const exit: ExitCodeName = failure?.exit ?? run.firstFailure ?? (notAttempted.length > 0 || run.stopped !== undefined ? 'NotAttempted' : 'Success');
  const evidence = fleetEvidence({ options, plan, run, startedAt, exit, failure, notAttempted });
  await writeFleetEvidence(evidence, base, io);
  // The CLI prints the `Error:` line and exits with its code, as for `cluster`.
  if (failure !== undefined) throw failure.error;
  if (base.output !== 'json') io.stdout(finalLine(evidence));
  return exit;
}

function finalLine(e: FleetEvidence): string {
  if (e.dryRun) return `Dry run complete: nothing was changed. ${e.waves.length} wave(s) would run: ${e.waves.map((w) => w.clusters.join(', ')).join(' | ') || 'none'}`;
  const count = (state: string) => e.clusters.filter((c) => c.state === state).map((c) => c.name);
  const parts = [`${count('confirmed').length} confirmed`, `${count('skipped').length} already at the target`];
  const failed = count('failed');
  if (failed.length > 0) parts.push(`failed: ${failed.join(', ')}`);
  if (e.notAttempted.length > 0) parts.push(`not attempted: ${e.notAttempted.join(', ')}`);
  const pushFailed = e.clusters.filter((c) => c.pushes?.some((x) => !x.ok)).map((c) => c.name);
  if (pushFailed.length > 0) parts.push(`off-site copy failed (--push-optional): ${pushFailed.join(', ')}`);
  const head = e.exit === 'Success' ? 'Workload clusters upgraded' : `Workload clusters: stopped (${e.stopped ?? e.exit})`;
  return `${head}: ${parts.join('; ')}`;
}

async function checkOutputs(base: ClusterOptions, io: CommandIo): Promise<void> {
  for (const [flag, file] of [['--report', base.report], ['--plan-out', base.planOut]] as const) {
    if (file === undefined) continue;
    const dir = path.dirname(path.resolve(io.cwd, file));
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new UsageError(`${flag} ${file}: the folder ${dir} does not exist`, { hint: `create it, or pass ${flag} a path in an existing folder` });
  }
}

function managementKubeconfig(base: ClusterOptions, io: CommandIo): string {
  if (base.kubeconfig === undefined) throw new UsageError('workloads needs --kubeconfig with the management cluster kubeconfig', { hint: 'pass --kubeconfig mgmt/mgmt-eks-a-cluster.kubeconfig' });
  const file = path.resolve(io.cwd, base.kubeconfig);
  if (!existsSync(file)) throw new SafeUpgradeError('Environment', `kubeconfig ${file} does not exist`, { hint: 'pass --kubeconfig with the management cluster kubeconfig' });
  return file;
}

const managedBy = (c: KubeObject): string => String(c.spec?.managementCluster?.name || c.metadata.name);

/** The size `--order size` sorts by: the machines the spec asks for (control plane, external etcd, workers). */
function specMachines(spec: ClusterSpec): number {
  const s = spec.cluster.spec ?? {};
  const cp = Number(s.controlPlaneConfiguration?.count ?? 1);
  const etcd = spec.externalEtcd ? Number(s.externalEtcdConfiguration?.count ?? 3) : 0;
  return cp + etcd + spec.workerGroups.reduce((n, g) => n + (g.count ?? 1), 0);
}

interface Selected {
  readonly spec: ClusterSpec;
}

/**
 * The gate of the fleet and of every cluster in it, then the fleet plan; nothing is written. The same in the
 * dry run and the real run.
 */
async function planTheFleet(options: WorkloadsOptions, io: CommandIo, runner: Runner, list: TaskListOptions): Promise<FleetPlan> {
  const base = options.cluster;
  const kubeconfig = managementKubeconfig(base, io);
  const kubectl = new Kubectl(runner, { kubeconfig, requestTimeout: base.requestTimeout });
  const live = await kubectl.listAll([EKSA_CLUSTERS], 'list the clusters of the management tree');
  const managers = live.filter((c) => managedBy(c) === c.metadata.name);
  const byFile = managers.find((c) => path.basename(kubeconfig) === kubeconfigFileName(c.metadata.name));
  const mgmt = byFile ?? (managers.length === 1 ? managers[0] : undefined);
  if (!mgmt) throw new SafeUpgradeError('Environment', `the kubeconfig ${kubeconfig} shows no single management cluster (${managers.map((m) => m.metadata.name).join(', ') || 'none'})`, { hint: "pass --kubeconfig with the management cluster's <mgmt>/<mgmt>-eks-a-cluster.kubeconfig" });
  const mgmtName = mgmt.metadata.name;
  const tools = await readToolVersions(runner);
  const target = tools.eksctl;
  const behind = managementBehind(mgmt.spec?.eksaVersion as string | undefined, target);
  const adminFolder = path.dirname(path.dirname(kubeconfig));
  const mgmtSpec = path.join(adminFolder, mgmtName, `${mgmtName}-eks-a-cluster.yaml`);
  if (behind !== undefined) {
    throw new SafeUpgradeError('Skew', `${behind}: upgrade the management cluster first, as EKS-A requires`, { hint: `eksa-safe-upgrade cluster -f ${mgmtSpec}; then run this again` });
  }

  const selected: Selected[] = [];
  const leftOut: { name: string; reason: string }[] = [];
  if (options.all) {
    const workloads = live.filter((c) => managedBy(c) === mgmtName && c.metadata.name !== mgmtName).map((c) => c.metadata.name).sort();
    for (const name of workloads) {
      const file = path.join(adminFolder, name, `${name}-eks-a-cluster.yaml`);
      if (existsSync(file)) selected.push({ spec: await loadSpec(file) });
      else leftOut.push({ name, reason: `no spec file ${file}` });
    }
    for (const l of leftOut) io.stderr(`${l.name}: left out, ${l.reason}`);
  } else {
    for (const f of options.files) selected.push({ spec: await loadSpec(path.resolve(io.cwd, f)) });
  }
  const seen = new Set<string>();
  for (const { spec } of selected) {
    if (spec.isManagement || spec.managementClusterName !== mgmtName) {
      throw new UsageError(`${spec.file} is not a workload cluster of ${mgmtName} (${spec.isManagement ? 'it is a management cluster' : `its management cluster is ${spec.managementClusterName}`})`, { hint: `pass the specs of ${mgmtName}'s workload clusters, or --all` });
    }
    if (seen.has(spec.name)) throw new UsageError(`${spec.name} is selected twice`, { hint: 'pass each workload cluster once' });
    seen.add(spec.name);
  }
  if (selected.length === 0) throw new UsageError(`no workload cluster of ${mgmtName} to upgrade: ${options.all ? 'none has a spec file under the admin folder' : 'none selected'}`, { hint: 'pass -f <w>/<w>-eks-a-cluster.yaml (repeatable) or --all' });

  const gateReads = sharedGateReads(tools, { leaseSeconds: base.leaseSeconds, forceUnlock: base.forceUnlock });
  const confirmCommand = read(kubectl.argv(['get', EKSA_CLUSTERS, '--all-namespaces', '-o', 'json']), 'poll the cluster until it is Ready at the target');
  let lockSource: PlanAction[] | undefined;
  let releaseSource: Command | undefined;
  // Each cluster's own gate, as `cluster` runs it; those already at the target or mid-upgrade need none.
  const entries = await mapLimit(selected, Math.max(1, Math.min(options.fleet.parallel, 4)), async ({ spec }): Promise<FleetEntry> => {
    const liveCluster = live.find((c) => c.metadata.name === spec.name && (c.metadata.namespace ?? 'default') === spec.namespace);
    const state = liveState(liveCluster, { kubernetesVersion: spec.kubernetesVersion, eksaVersion: target });
    if (state === 'at-target') return { name: spec.name, specFile: spec.file, kind: 'skip', reason: `already at Kubernetes ${spec.kubernetesVersion}, EKS-A ${target ?? '?'} and Ready` };
    if (state === 'in-flight') {
      return {
        name: spec.name,
        specFile: spec.file,
        kind: 'await',
        confirm: { op: 'confirm', cluster: spec.name, namespace: spec.namespace, kubernetesVersion: spec.kubernetesVersion, eksaVersion: target, command: confirmCommand, timeoutMs: base.confirmTimeoutMs, intervalMs: base.confirmIntervalMs },
      };
    }
    const clusterOptions: ClusterOptions = { ...base, filename: spec.file, report: undefined, planOut: undefined, planFile: undefined };
    const ctx: RunContext = { options: clusterOptions, runner, env: io.env, cwd: io.cwd };
    ctx.early = gateReads(ctx);
    try {
      await runTaskList(planningSteps(clusterOptions, io), ctx, list);
    } catch (error) {
      if (error instanceof NothingToUpgrade) return { name: spec.name, specFile: spec.file, kind: 'skip', reason: error.message };
      io.stderr(`${spec.name}: its gate stopped the fleet before anything was written`);
      throw error;
    }
    const plan = need(ctx, 'plan');
    if (lockSource === undefined) {
      lockSource = [...plan.actions];
      releaseSource = plan.release?.command;
    }
    return { name: spec.name, specFile: spec.file, kind: 'upgrade', plan: clusterPlanInFleet(plan) };
  });
  const acquire = lockSource?.find((a): a is Extract<PlanAction, { op: 'acquire-lock' }> => a.op === 'acquire-lock');
  const forceUnlock = lockSource?.find((a): a is Extract<PlanAction, { op: 'force-unlock' }> => a.op === 'force-unlock');
  const lock =
    acquire && releaseSource
      ? {
          acquire: { ...acquire, lock: { ...acquire.lock, cluster: mgmtName } },
          forceUnlock: forceUnlock ? { ...forceUnlock, lock: { ...forceUnlock.lock, cluster: mgmtName } } : undefined,
          release: releaseSource,
        }
      : undefined;
  return planFleet(
    {
      management: { name: mgmtName, eksaVersion: (mgmt.spec?.eksaVersion as string | undefined) ?? undefined },
      targetEksaVersion: target,
      entries,
      machines: Object.fromEntries(selected.map(({ spec }) => [spec.name, specMachines(spec)])),
      leftOut,
      lock,
      state: { namespace: FLEET_STATE_NAMESPACE, name: FLEET_STATE_NAME, command: stateCommand(kubectl.options) },
    },
    options.fleet,
  );
}

/**
 * The reads every cluster's gate shares, made once for the fleet: the tools' versions (read above), the tree
 * (one `kubectl get` per kubeconfig and provider, however many clusters) and the upgrade lock. Each gate still
 * judges its own cluster from them: only the reads are shared, so 200 clusters cost one tree read, not 200.
 */
function sharedGateReads(tools: ToolVersions, lockOptions: LockReadOptions): (ctx: RunContext) => NonNullable<RunContext['early']> {
  const trees = new Map<string, Promise<ToolsAndTree>>();
  let lock: Promise<LockRead> | undefined;
  return (ctx) => {
    const loaded = loadGateSpec(ctx);
    const tree = loaded.then(({ spec, kubectl }) => {
      const key = JSON.stringify([kubectl.options.kubeconfig, spec.provider, spec.managementClusterName]);
      let read = trees.get(key);
      if (read === undefined) trees.set(key, (read = readTree(spec, kubectl).then((items) => ({ tools, items }))));
      return read;
    });
    // Awaited by the steps, or never when a step before them fails: not an unhandled rejection meanwhile.
    loaded.catch(() => undefined);
    tree.catch(() => undefined);
    return { loaded, tree, lock: () => (lock ??= readLockState(ctx, lockOptions)) };
  };
}

/**
 * `--plan FILE`: a reviewed fleet plan, applied unchanged: the fleet flags must be the ones it was made with,
 * and every cluster it upgrades is read again and refused (exit 12) when anything it was planned against changed.
 */
async function reviewedFleetPlan(options: WorkloadsOptions, io: CommandIo, runner: Runner, list: TaskListOptions): Promise<FleetPlan> {
  const file = path.resolve(io.cwd, options.cluster.planFile!);
  const info = await stat(file).catch(() => undefined);
  const hint = 'make it again with `workloads --dry-run --plan-out FILE`';
  if (!info?.isFile() || info.size > MAX_PLAN_BYTES) throw new UsageError(`--plan ${file} does not exist or is not a plan file`, { hint });
  let plan: FleetPlan;
  try {
    plan = JSON.parse(await readFile(file, 'utf8')) as FleetPlan;
  } catch (error) {
    throw new UsageError(`--plan ${file} is not JSON (${(error as Error).message})`, { hint });
  }
  if (plan?.schemaVersion !== FLEET_PLAN_SCHEMA_VERSION || plan.command !== 'workloads' || !Array.isArray(plan.entries) || !Array.isArray(plan.waves)) {
    throw new UsageError(`--plan ${file} is not a fleet plan this tool can apply`, { hint });
  }
  const flagsNow = JSON.stringify(options.fleet);
  if (JSON.stringify(plan.options) !== flagsNow) throw new SafeUpgradeError('PlanStale', `plan is stale: it was made with other fleet flags (${JSON.stringify(plan.options)})`, { hint: 'nothing was written; pass the same flags, or review a new plan' });
  for (const entry of plan.entries) {
    if (entry.kind !== 'upgrade') continue;
    const clusterOptions: ClusterOptions = { ...options.cluster, filename: entry.specFile, report: undefined, planOut: undefined, planFile: undefined };
    const ctx: RunContext = { options: clusterOptions, runner, env: io.env, cwd: io.cwd };
    await runTaskList(reviewedPlanSteps({ file, plan: entry.plan }, planFlags(clusterOptions), []), ctx, list);
  }
  return plan;
}

function fleetEvidence(input: {
  options: WorkloadsOptions;
  plan: FleetPlan | undefined;
  run: FleetRun;
  startedAt: Date;
  exit: ExitCodeName;
  failure: { exit: ExitCodeName; error: unknown } | undefined;
  notAttempted: string[];
}): FleetEvidence {
  const { plan, run } = input;
  const o = input.options.fleet;
  const error = input.failure?.error as (Error & { hint?: string }) | undefined;
  return fleetEvidenceSchema.parse({
    schemaVersion: FLEET_EVIDENCE_SCHEMA_VERSION,
    command: 'workloads',
    toolVersion: toolVersion(),
    dryRun: input.options.cluster.dryRun,
    startedAt: input.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    exit: input.exit,
    exitCode: ExitCode[input.exit],
    management: plan ? { name: plan.management.name, eksaVersion: plan.management.eksaVersion ?? null } : null,
    targetEksaVersion: plan?.targetEksaVersion ?? null,
    options: { ...o, notAfter: o.notAfter ?? null },
    waves: (plan?.waves ?? []).map((w) => ({ index: w.index, canary: w.canary, clusters: [...w.clusters] })),
    clusters: run.progress.map((p) => ({ ...p })),
    leftOut: [...(plan?.leftOut ?? [])],
    notAttempted: input.notAttempted,
    stopped: run.stopped ?? null,
    error: error ? { message: error.message, ...(typeof error.hint === 'string' ? { hint: error.hint } : {}) } : null,
  });
}

async function writeFleetEvidence(evidence: FleetEvidence, base: ClusterOptions, io: CommandIo): Promise<void> {
  const text = `${JSON.stringify(evidence, null, 2)}\n`;
  if (base.output === 'json') io.stdout(text.trimEnd());
  if (base.report !== undefined) await privateFile(path.resolve(io.cwd, base.report), text);
  const problem = await publishFleetSummary(evidence, io.env);
  if (problem) io.stderr(`Warning: ${problem}`);
}
