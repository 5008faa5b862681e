import path from 'node:path';
import { MANIFEST_FILE } from '../backup/manifest.js';
import { FAILED_SUFFIX, PARTIAL_SUFFIX, backupDirName, backupTimestamp } from '../backup/naming.js';
import { expectedCapiObjects, expectedEksaObjects, refKey } from '../backup/object-graph.js';
import { eksaExportKinds } from '../backup/eksa-export.js';
import { PAUSE_STATE_FILE, planPauseRestore, recordPauseState, type PauseState } from '../backup/pause-state.js';
import { buildMoveCommand, type ClusterctlInfo, type ClusterctlSource } from '../capi/move-command.js';
import { planEtcdSnapshot, snapshotCommand, snapshotFileName, snapshotFolders, type EtcdSnapshotFlags } from '../etcd/snapshot-plan.js';
import { kubectlArgv, type KubectlTarget } from '../kube/argv.js';
import { CAPI_CLUSTERS, EKSA_CLUSTERS, inventoryKinds, otherProviders } from '../kube/kinds.js';
import type { Inventory } from '../kube/types.js';
import { LEASES, LEASE_API_VERSION, LEASE_NAME, LEASE_NAMESPACE } from '../lock/lease.js';
import type { ClusterVerdict } from '../readiness/verdict.js';
import { read, write, type Command } from '../command.js';
import type { DrillStep } from '../drill/plan.js';
import { UsageError } from '../errors.js';
import { eksaTarget } from '../skew/target.js';
import type { ClusterSpec } from '../spec/types.js';
import type { ToolVersions } from '../tools/versions.js';
import type { Fingerprint } from './fingerprint.js';
import {
  PLAN_SCHEMA_VERSION,
  type BackupAction,
  type BackupScope,
  type EtcdStepPlan,
  type FileAction,
  type LockIdentityPlan,
  type PlanAction,
  type PlannedCommand,
  type RemoteAccessPlan,
  type SetPaths,
  type UpgradePlan,
} from './types.js';

/** What the read-only gate found: everything the plan is decided from. */
export interface PlanFacts {
  readonly command: PlannedCommand;
  readonly spec: ClusterSpec;
  readonly managementFolder: string;
  readonly kubectl: KubectlTarget;
  readonly inventory: Inventory;
  readonly verdicts: readonly ClusterVerdict[];
  readonly scope: BackupScope;
  readonly tools: ToolVersions;
  readonly clusterctl: { readonly source: ClusterctlSource; readonly info: ClusterctlInfo } | undefined;
  /** `lock: free` or who holds it, as the gate read it (every command that writes takes the lock). */
  readonly lockAudit: string | undefined;
  /** The holder --force-unlock deletes, when the gate found a lease. */
  readonly forceUnlockFrom: string | undefined;
  readonly handoff: Command | undefined;
  /** `--max-backup-age` found a set to stand for this run's backup. */
  readonly reuse: { readonly dir: string; readonly ageMs: number } | undefined;
  readonly fingerprint: Fingerprint;
  readonly cwd: string;
  readonly now: Date;
  readonly toolVersion: string;
  /** The newest earlier set's `etcd/known_hosts` in the management folder: host keys are checked against it. */
  readonly earlierKnownHosts?: string | undefined;
}

export interface EtcdOptions {
  /** `--skip-etcd-backup --reason`: recorded in the manifest; the only way to go on without snapshots. */
  readonly skipReason: string | undefined;
  readonly flags: EtcdSnapshotFlags;
  readonly concurrency: number;
}

export interface PlanOptions {
  readonly etcd: EtcdOptions;
  readonly cleanFailed: boolean;
  readonly leaseSeconds: number;
  readonly confirmTimeoutMs: number | undefined;
  readonly confirmIntervalMs: number;
  /** `--move-timeout`: each clusterctl move is stopped past it (the backup then fails and puts pause state back). */
  readonly moveTimeoutMs?: number | undefined;
  /** `--push URL…`: where the set goes once verified, and how (recipients already read from their files). */
  readonly push?: { readonly urls: readonly string[]; readonly recipients: readonly string[]; readonly optional: boolean; readonly access: RemoteAccessPlan } | undefined;
  /** `--drill`: the local etcd tools found for it (finding none failed the plan before any write). */
  readonly drill?: DrillStep | undefined;
}

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

export function setPaths(parent: string, cluster: string, at: Date): SetPaths {
  const name = backupDirName(cluster, at);
  const dir = path.join(parent, name);
  return { parent, name, folderTimestamp: backupTimestamp(at), dir, partialDir: `${dir}${PARTIAL_SUFFIX}`, failedDir: `${dir}${FAILED_SUFFIX}` };
}

/**
 * Pure: the ordered actions of a run, from what the gate read. Every value that can make the run fail
 * before its first write is checked here or in the gate, so the dry run and the real run stop alike.
 */
export function planUpgrade(facts: PlanFacts, options: PlanOptions): UpgradePlan {
  const { spec } = facts;
  const kubectl = (args: readonly string[]) => kubectlArgv(facts.kubectl, args);
  // `backup` takes the same lock as an upgrade: two backups (or a backup and an upgrade) must not write one
  // set or pause the tree at once. It has no --force-unlock.
  const takesLock = true;
  const lock: LockIdentityPlan = { namespace: LEASE_NAMESPACE, name: LEASE_NAME, cluster: spec.name, leaseSeconds: options.leaseSeconds, audit: facts.lockAudit ?? 'lock: not read' };
  const actions: PlanAction[] = [];
  if (facts.command !== 'backup' && facts.forceUnlockFrom !== undefined) {
    actions.push({
      op: 'force-unlock',
      lock,
      previousHolder: facts.forceUnlockFrom,
      command: write(kubectl(['delete', LEASES, LEASE_NAME, '--namespace', LEASE_NAMESPACE, '--ignore-not-found', '--wait=false']), 'force-unlock: delete the upgrade lock'),
    });
  }
  if (takesLock) actions.push({ op: 'acquire-lock', lock, command: write(kubectl(['create', '-f', '-', '-o', 'json']), 'take the upgrade lock') });
  const backupAction: PlanAction = facts.reuse ? { op: 'reuse-backup', dir: facts.reuse.dir, ageMs: facts.reuse.ageMs } : planBackupAction(facts, options, kubectl);
  actions.push(backupAction);
  // Off-site copies of the verified set, before anything else runs: a failed push stops the run before eksctl.
  for (const url of options.push?.urls ?? []) {
    const setDir = backupAction.op === 'reuse-backup' ? backupAction.dir : backupAction.op === 'backup' ? backupAction.set.dir : '';
    actions.push({ op: 'push', url, setDir, recipients: [...options.push!.recipients], optional: options.push!.optional, access: options.push!.access });
  }
  if (facts.command !== 'backup') {
    actions.push({
      op: 'recheck',
      clusters: [...facts.scope.clusters],
      command: read(kubectl(['get', inventoryKinds(spec.provider, otherProviders(spec.provider, facts.inventory.clusters.map((c) => c.eksa))).join(','), '--all-namespaces', '-o', 'json']), 're-read the management tree under the lock'),
    });
    actions.push({ op: 'renew-lock', command: write(kubectl(['replace', '-f', '-', '-o', 'json']), 'renew the upgrade lock; stop unless it is still ours') });
    if (!facts.handoff) throw new Error('internal: an upgrade plan needs the hand-off command');
    actions.push({ op: 'handoff', command: facts.handoff });
    const live = facts.inventory.clusters.find((c) => c.name === spec.name);
    actions.push({
      op: 'confirm',
      cluster: spec.name,
      namespace: spec.namespace,
      kubernetesVersion: facts.command === 'cluster' ? spec.kubernetesVersion : String(live?.eksa.spec?.kubernetesVersion ?? spec.kubernetesVersion),
      // eksctl moves the cluster to its own version, whatever the spec says (FileSpecBuilder.Build).
      eksaVersion: facts.command === 'cluster' ? eksaTarget(spec.eksaVersion, facts.tools.eksctl).target : undefined,
      command: read(kubectl(['get', EKSA_CLUSTERS, '--all-namespaces', '-o', 'json']), 'poll the cluster until it is Ready at the generation eksctl applied'),
      timeoutMs: options.confirmTimeoutMs,
      intervalMs: options.confirmIntervalMs,
    });
  }
  const leasePath = `/apis/${LEASE_API_VERSION}/namespaces/${LEASE_NAMESPACE}/leases/${LEASE_NAME}`;
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    command: facts.command,
    cluster: {
      name: spec.name,
      namespace: spec.namespace,
      role: spec.isManagement ? 'management' : 'workload',
      managementCluster: spec.managementClusterName,
      kubernetesVersion: spec.kubernetesVersion,
    },
    scope: facts.scope,
    actions,
    release: takesLock ? { command: write(kubectl(['delete', '--raw', leasePath, '-f', '-']), 'release the upgrade lock (only the version we hold)') } : undefined,
    fingerprint: facts.fingerprint,
  };
}

function planBackupAction(facts: PlanFacts, options: PlanOptions, kubectl: (args: readonly string[]) => string[]): BackupAction {
  const { spec, inventory, scope } = facts;
  if (!facts.clusterctl) throw new Error('internal: a backup plan needs clusterctl');
  const set = setPaths(facts.managementFolder, spec.name, facts.now);
  const inScope = new Set(scope.clusters);
  const clusters = inventory.clusters.filter((c) => inScope.has(c.name));
  const capiDir = path.join(set.partialDir, 'capi');
  const moveTo = (filterCluster: string | undefined) => {
    const move = buildMoveCommand({ source: facts.clusterctl!.source, kubeconfig: facts.kubectl.kubeconfig, toDirectory: capiDir, filterCluster, cwd: facts.cwd });
    return options.moveTimeoutMs === undefined ? move : { ...move, timeoutMs: options.moveTimeoutMs };
  };
  const mkdir = (dir: string, why: string): FileAction => ({ op: 'mkdir', path: dir, mode: DIR_MODE, why });
  const recorded = recordPauseState(clusters);
  const specFile = path.join(set.partialDir, 'spec', path.basename(spec.file));
  const etcd = planEtcd(facts, options, set, clusters.map((c) => c.name));
  if (options.drill && etcd.kind === 'skip') {
    throw new UsageError('--drill restores the etcd snapshots of the new set, and --skip-etcd-backup takes none', { hint: 'leave out one of --drill and --skip-etcd-backup' });
  }
  return {
    op: 'backup',
    set,
    scope,
    cleanFailed: options.cleanFailed,
    clusterctl: facts.clusterctl.info,
    prepare: [mkdir(set.parent, 'the management folder'), { ...mkdir(set.partialDir, 'the set, while it is written'), exclusive: true }, mkdir(capiDir, 'what clusterctl writes')],
    records: [
      { op: 'write', path: path.join(set.partialDir, MANIFEST_FILE), mode: FILE_MODE, why: 'state: failed until the complete manifest replaces it; small and written first, with room reserved, so a failed set is always marked' },
      { op: 'write', path: path.join(set.partialDir, PAUSE_STATE_FILE), mode: FILE_MODE, why: 'the pause state recorded before the move, for `recover` if this run is killed' },
    ],
    move: moveTo(scope.kind === 'whole-tree' ? undefined : scope.clusters[0]),
    fallback:
      scope.kind === 'whole-tree'
        ? {
            managementCluster: inventory.management,
            prepare: [{ op: 'remove', path: capiDir, why: 'what the failed whole-tree move left' }, mkdir(capiDir, 'what clusterctl writes')],
            move: moveTo(inventory.management),
          }
        : undefined,
    pause: { recorded, read: pauseReadCommand(facts.kubectl), restore: planPauseRestore(recorded, recorded.map(flipped), kubectl) },
    export: {
      command: read(kubectl(['get', eksaExportKinds(spec.provider, otherProviders(spec.provider, facts.inventory.clusters.map((c) => c.eksa))).join(','), '--all-namespaces', '-o', 'json']), 'export the EKS-A objects clusterctl does not carry'),
      dir: path.join(set.partialDir, 'eksa'),
    },
    specCopy: { op: 'copy', path: specFile, other: spec.file, mode: FILE_MODE, why: 'the spec the upgrade runs with' },
    expected: Object.fromEntries(clusters.map((c) => [c.name, { capi: expectedCapiObjects(c).map(refKey), eksa: expectedEksaObjects(c).map(refKey) }])),
    etcd,
    ...(options.drill ? { drill: options.drill } : {}),
    finish: [
      { op: 'write', path: path.join(set.partialDir, 'RESTORE.md'), mode: FILE_MODE, why: 'the restore runbook of this set' },
      { op: 'write', path: path.join(set.partialDir, MANIFEST_FILE), mode: FILE_MODE, why: 'every file with its sha256: the set is complete only with it' },
      { op: 'rename', path: set.partialDir, other: set.dir, why: 'complete: only now does the set carry its final name' },
    ],
    onFailure: options.cleanFailed
      ? [{ op: 'remove', path: set.partialDir, why: '--clean-failed' }]
      : [
          { op: 'write', path: path.join(set.partialDir, MANIFEST_FILE), mode: FILE_MODE, why: 'state: failed, with the error' },
          { op: 'rename', path: set.partialDir, other: set.failedDir, why: 'kept for inspection, never complete-looking' },
        ],
    manifest: {
      managementCluster: spec.managementClusterName,
      spec: { cluster: spec.name, role: spec.isManagement ? 'management' : 'workload', files: [`spec/${path.basename(spec.file)}`] },
      clusters: facts.verdicts.map((v) => ({
        name: v.name,
        role: v.role,
        ...(v.kubernetesVersion ? { kubernetesVersion: v.kubernetesVersion } : {}),
        ...(v.eksaVersion ? { eksaVersion: v.eksaVersion } : {}),
        ready: v.ready,
        reasons: v.reasons.map((r) => ({ ...r })),
        paused: v.paused,
      })),
      tools: { kubectl: facts.tools.kubectl, eksctl: facts.tools.eksctl },
      toolVersion: facts.toolVersion,
    },
  };
}

/** Both switches the other way: planPauseRestore then names the write that puts each one back. */
function flipped(state: PauseState): PauseState {
  return { ...state, eksa: !state.eksa, capi: !state.capi };
}

/** Every snapshot planned now, before anything is paused or written: a bad ssh or etcd flag stops the plan. */
function planEtcd(facts: PlanFacts, options: PlanOptions, set: SetPaths, clusters: readonly string[]): EtcdStepPlan {
  if (options.etcd.skipReason !== undefined) return { kind: 'skip', reason: options.etcd.skipReason };
  const folders = snapshotFolders(clusters);
  const pinned = options.etcd.flags.sshKnownHosts === undefined && !options.etcd.flags.acceptChangedHostKeys ? facts.earlierKnownHosts : undefined;
  return {
    kind: 'snapshot',
    concurrency: options.etcd.concurrency,
    folders,
    ...(pinned ? { pinKnownHosts: { op: 'copy' as const, path: path.join(set.partialDir, 'etcd', 'known_hosts'), other: pinned, mode: FILE_MODE, why: 'the host keys the newest earlier set saw: a key changed since is refused (--accept-changed-host-keys to accept it, recorded)' } } : {}),
    ...(options.etcd.flags.acceptChangedHostKeys ? { acceptChangedHostKeys: true } : {}),
    clusters: facts.inventory.clusters
      .filter((c) => clusters.includes(c.name))
      .map((c) => {
        const request = planEtcdSnapshot(c, options.etcd.flags, { backupDir: set.partialDir, cwd: facts.cwd, pinnedKnownHosts: facts.earlierKnownHosts });
        return {
          request,
          members: request.target.members.map((m) => ({
            machine: m.machine,
            address: m.address,
            command: snapshotCommand(request, m),
            file: snapshotFileName(request.target.cluster, m.machine, folders),
          })),
        };
      }),
  };
}

/** The pause-state read after clusterctl: both Cluster kinds of the tree. */
export function pauseReadCommand(target: KubectlTarget): Command {
  return read(kubectlArgv(target, ['get', [EKSA_CLUSTERS, CAPI_CLUSTERS].join(','), '--all-namespaces', '-o', 'json']), 're-read pause state after clusterctl');
}
