import type { OsFamily, Provider } from '../spec/types.js';

/** Where etcd runs: its own EtcdadmCluster machines, or inside the kubeadm control plane. */
export type EtcdTopology = 'external' | 'stacked';

/** Which `Machine.status.addresses` entry to ssh to; `auto` is ExternalIP first (as EKS-A does), then InternalIP. */
export type AddressType = 'auto' | 'ExternalIP' | 'InternalIP';

/** On stacked Ubuntu/RHEL nodes: the host's etcdctl, the etcd container through crictl, or whichever exists. */
export type StackedEtcdctl = 'auto' | 'host' | 'crictl';

/** One machine that holds an etcd member and an address to reach it. */
export interface EtcdMember {
  readonly machine: string;
  readonly address: string;
}

/** A machine left out of the member list, and why. */
export interface SkippedMember {
  readonly machine: string;
  readonly reason: string;
}

/** Everything needed to reach the etcd members of one cluster, derived from its objects. */
export interface ClusterEtcdTarget {
  readonly cluster: string;
  readonly topology: EtcdTopology;
  readonly os: OsFamily;
  readonly provider: Provider | undefined;
  readonly user: string;
  /** In the order they are tried: Running machines first, then by name. */
  readonly members: readonly EtcdMember[];
  readonly skipped: readonly SkippedMember[];
}

/** What the remote side runs, apart from who it runs on. */
export interface RemoteLayout {
  readonly topology: EtcdTopology;
  readonly os: OsFamily;
  /** Prefix under which the node's paths live; `""` on a real node, a scratch dir in tests and the simulator. */
  readonly root: string;
  /**
   * etcd client URL; `undefined` means the layout's own default (etcdctl.env, the etcd manifest, or
   * 127.0.0.1:2379). In a request's layout it may hold `{address}`, filled in per member (memberLayout).
   */
  readonly endpoint: string | undefined;
  readonly stackedEtcdctl: StackedEtcdctl;
  /** `--command-timeout` of the health probe that makes a dead etcd fail fast. */
  readonly healthTimeoutSeconds: number;
  /** `--command-timeout` of `snapshot save` (large databases take a while). */
  readonly saveTimeoutSeconds: number;
  readonly dialTimeoutSeconds: number;
}

/** One verified snapshot, as the backup manifest records it. */
export interface EtcdSnapshotEntry {
  readonly cluster: string;
  readonly member: string;
  readonly address: string;
  readonly topology: EtcdTopology;
  readonly os: OsFamily;
  /** Relative to the backup directory: `etcd/<cluster>-<member>.db`. */
  readonly file: string;
  readonly size: number;
  readonly sha256: string;
  /** From a local `snapshot status -w json`, when etcdutl or etcdctl exists here. */
  readonly revision?: number;
  readonly totalKeys?: number;
  readonly dbSize?: number;
  readonly durationMs: number;
  /** Members tried before this one, with the reason each failed. */
  readonly failedAttempts: readonly SnapshotAttemptFailure[];
}

export interface SnapshotAttemptFailure {
  readonly member: string;
  readonly address: string;
  readonly reason: string;
}
