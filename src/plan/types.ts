import type { ClusterctlInfo } from '../capi/move-command.js';
import type { BackupManifest } from '../backup/manifest.js';
import type { PauseRestoreAction, PauseState } from '../backup/pause-state.js';
import type { EtcdSnapshotRequest } from '../etcd/snapshot-plan.js';
import type { ScopeDecision } from '../policy/scope.js';
import type { Command } from '../command.js';
import type { DrillStep } from '../drill/plan.js';
import type { Fingerprint } from './fingerprint.js';

/** Version of the plan file format (`--plan-out`, `--plan`); bump on any incompatible change. */
export const PLAN_SCHEMA_VERSION = 1 as const;

export type PlannedCommand = 'cluster' | 'management-components' | 'backup';

export type BackupScope = Exclude<ScopeDecision, { kind: 'stop' }>;

/** A local file action of the backup, as the dry run lists it and the executor performs it. */
export interface FileAction {
  readonly op: 'mkdir' | 'write' | 'copy' | 'rename' | 'remove';
  readonly path: string;
  /** copy: the source; rename: the destination. */
  readonly other?: string;
  /** Octal mode of what is created (0700 folders, 0600 files). */
  readonly mode?: number;
  /** mkdir: created here and now, never an existing folder or a symlink planted there. */
  readonly exclusive?: boolean;
  readonly why: string;
}

/** Where the set goes: `<parent>/<cluster>-backup-<timestamp>`, written as `.partial`, renamed when complete. */
export interface SetPaths {
  readonly parent: string;
  readonly name: string;
  readonly folderTimestamp: string;
  readonly dir: string;
  readonly partialDir: string;
  readonly failedDir: string;
}

/** One cluster's etcd snapshot: its members in the order they are tried, each with its ssh command. */
export interface EtcdClusterPlan {
  readonly request: EtcdSnapshotRequest;
  readonly members: readonly { readonly machine: string; readonly address: string; readonly command: Command; readonly file: string }[];
}

export type EtcdStepPlan =
  | {
      readonly kind: 'snapshot';
      readonly concurrency: number;
      /** `etcd/<cluster>/<member>.db` instead of `etcd/<cluster>-<member>.db`: cluster names of this tree could collide. */
      readonly folders: boolean;
      readonly clusters: readonly EtcdClusterPlan[];
      /** Copy of the newest earlier set's `etcd/known_hosts` into this set's, before the first ssh. */
      readonly pinKnownHosts?: FileAction;
      /** `--accept-changed-host-keys`: no earlier keys are checked; recorded in the manifest. */
      readonly acceptChangedHostKeys?: boolean;
    }
  | { readonly kind: 'skip'; readonly reason: string };

/** What the manifest records besides what the backup itself finds out (scope, files, etcd entries). */
export type ManifestFacts = Pick<BackupManifest, 'managementCluster' | 'spec' | 'clusters' | 'tools'> & { readonly toolVersion: string };

/** A new backup set, every command and file action decided. */
export interface BackupAction {
  readonly op: 'backup';
  readonly set: SetPaths;
  readonly scope: BackupScope;
  readonly cleanFailed: boolean;
  readonly clusterctl: ClusterctlInfo;
  /** The folders made before the move. */
  readonly prepare: readonly FileAction[];
  /**
   * Written right after the folders, before the move: the failure marker (`manifest.json`, state failed, room
   * reserved) and `pause-state.json`. Absent from plans written before they existed.
   */
  readonly records?: readonly FileAction[];
  readonly move: Command;
  /** The management-only move when the whole-tree one fails (EKS-A does the same): its own file actions first. */
  readonly fallback: { readonly managementCluster: string; readonly prepare: readonly FileAction[]; readonly move: Command } | undefined;
  /** Each cluster's pause switches as read by the gate, and the write that puts each back when it differs afterwards. */
  readonly pause: { readonly recorded: readonly PauseState[]; readonly read: Command; readonly restore: readonly PauseRestoreAction[] };
  /** kubectl get of the EKS-A objects clusterctl does not carry; the set keeps those `expected` names. */
  readonly export: { readonly command: Command; readonly dir: string };
  readonly specCopy: FileAction;
  readonly expected: Record<string, { capi: string[]; eksa: string[] }>;
  readonly etcd: EtcdStepPlan;
  /**
   * `--drill`: every snapshot of the new set restored into a throwaway local etcd and read back, the management
   * cluster's cross-checked against capi/ and eksa/, before RESTORE.md (which records the result) and the
   * manifest. A failed drill completes the set, then stops the run before the hand-off.
   */
  readonly drill?: DrillStep;
  /** Written last, in this order, then the rename into place. */
  readonly finish: readonly FileAction[];
  /** What a failure does with the set. */
  readonly onFailure: readonly FileAction[];
  readonly manifest: ManifestFacts;
}

/** How to reach an off-site location: the flags `--push` shares with `backups push`. */
export interface RemoteAccessPlan {
  readonly registryCa: string | undefined;
  readonly insecureRegistry: boolean;
  readonly s3Endpoint: string | undefined;
}

/** `--push URL`: the set of this run copied off-site after it verified, before the hand-off. */
export interface PushAction {
  readonly op: 'push';
  /** oci://… or s3://…, never with credentials (refused when parsed). */
  readonly url: string;
  /** The set the backup (or the reused one) leaves. */
  readonly setDir: string;
  /** age recipients; empty only with --allow-plaintext-push. */
  readonly recipients: readonly string[];
  /** `--push-optional`: a failure is a warning, not exit 7. */
  readonly optional: boolean;
  readonly access: RemoteAccessPlan;
}

/** `--max-backup-age`: a complete, verified set young enough to stand for this run's backup. */
export interface ReuseBackupAction {
  readonly op: 'reuse-backup';
  readonly dir: string;
  readonly ageMs: number;
}

export interface LockIdentityPlan {
  readonly namespace: string;
  readonly name: string;
  readonly cluster: string;
  readonly leaseSeconds: number;
  /** What the gate read: `lock: free`, or held/lapsed by whom. */
  readonly audit: string;
}

export type PlanAction =
  | { readonly op: 'force-unlock'; readonly lock: LockIdentityPlan; readonly command: Command; readonly previousHolder: string }
  | { readonly op: 'acquire-lock'; readonly lock: LockIdentityPlan; readonly command: Command }
  | BackupAction
  | ReuseBackupAction
  | PushAction
  | { readonly op: 'recheck'; readonly clusters: readonly string[]; readonly command: Command }
  | { readonly op: 'renew-lock'; readonly command: Command }
  | { readonly op: 'handoff'; readonly command: Command }
  | {
      readonly op: 'confirm';
      readonly cluster: string;
      readonly namespace: string;
      readonly kubernetesVersion: string;
      readonly eksaVersion: string | undefined;
      readonly command: Command;
      readonly timeoutMs: number | undefined;
      readonly intervalMs: number;
    };

/** The ordered actions of one run, as data: the dry run renders it, `--plan-out` writes it, the executor applies it. */
export interface UpgradePlan {
  readonly schemaVersion: typeof PLAN_SCHEMA_VERSION;
  readonly command: PlannedCommand;
  readonly cluster: { readonly name: string; readonly namespace: string; readonly role: 'management' | 'workload'; readonly managementCluster: string; readonly kubernetesVersion: string };
  readonly scope: BackupScope;
  readonly actions: readonly PlanAction[];
  /** Always run at the end, after a failure too, when the lock was taken. */
  readonly release: { readonly command: Command } | undefined;
  readonly fingerprint: Fingerprint;
}
