import path from 'node:path';
import { read, type Command } from '../command.js';

/** The local etcd programs a drill runs: a server, etcdctl for the client calls, and the restore tool. */
export interface DrillTools {
  readonly etcd: string;
  readonly etcdctl: string;
  /** etcdutl (etcd >= 3.5) restores; etcd 3.4 has only `etcdctl snapshot restore`. */
  readonly restore: { readonly tool: 'etcdutl' | 'etcdctl'; readonly path: string };
}

/** What the drill of one snapshot needs to know from the manifest entry. */
export interface SnapshotToDrill {
  readonly cluster: string;
  readonly member: string;
  readonly address: string;
  readonly file: string;
  readonly revision?: number | undefined;
  readonly totalKeys?: number | undefined;
}

/** The commands of one snapshot's drill, all against a private scratch folder and loopback ports. */
export interface SnapshotDrillPlan {
  readonly snapshot: SnapshotToDrill;
  readonly scratch: string;
  readonly dataDir: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  /** The member's peer URL on its node, as the restore would name it there (shown, not used: ours is loopback). */
  readonly originalPeerUrl: string;
  readonly restore: Command;
  /** `snapshot status` of the restored database: its revision and key count against the manifest's. */
  readonly status: Command;
  readonly server: Command;
  readonly health: Command;
  readonly endpointStatus: Command;
  readonly keys: Command;
  /** The values under one /registry/ prefix (the management cross-check). */
  values(prefix: string): Command;
}

/** The two loopback ports; the dry run, which chooses none, shows their names (`CLIENT_PORT`). */
export interface DrillPorts {
  readonly client: number | string;
  readonly peer: number | string;
}

/** What the plan of a run with `--drill` holds: the tools found when it was made, and where scratch folders go. */
export interface DrillStep {
  readonly tools: DrillTools;
  /** The parent of each snapshot's private scratch folder (mkdtemp, 0700; the TMPDIR of the run). */
  readonly tmpdir: string;
}

/** The scratch folder's name before mkdtemp picks its suffix. */
export const SCRATCH_PREFIX = 'eksa-safe-upgrade-drill-';

const ETCDCTL_ENV = { ETCDCTL_API: '3' } as const;
/** etcd's own name for a restored member's cluster: a token no real cluster uses, so it can never join one. */
export const DRILL_CLUSTER_TOKEN = 'eksa-safe-upgrade-drill';

/** A member's peer URL on its node: etcdadm and kubeadm both serve peers on https://ADDRESS:2380. */
export function nodePeerUrl(address: string): string {
  return `https://${address.includes(':') ? `[${address}]` : address}:2380`;
}

/**
 * Pure: the drill of one snapshot file in `scratch` with the member name the manifest records, listening on
 * 127.0.0.1 only (`clientPort`, `peerPort` free there), so a restored member can never reach its real peers.
 */
export function planSnapshotDrill(tools: DrillTools, setDir: string, snapshot: SnapshotToDrill, scratch: string, ports: DrillPorts): SnapshotDrillPlan {
  const dataDir = path.join(scratch, 'data');
  const clientUrl = `http://127.0.0.1:${ports.client}`;
  const peerUrl = `http://127.0.0.1:${ports.peer}`;
  const file = path.join(setDir, snapshot.file);
  const name = snapshot.member;
  const why = `drill: ${snapshot.cluster}`;
  const ctl = (args: readonly string[], what: string, timeoutMs = 60_000): Command =>
    read([tools.etcdctl, `--endpoints=${clientUrl}`, '--dial-timeout=2s', `--command-timeout=${Math.round(timeoutMs / 1000)}s`, ...args], `${why}: ${what}`, { env: ETCDCTL_ENV, timeoutMs: timeoutMs + 5_000 });
  return {
    snapshot,
    scratch,
    dataDir,
    clientUrl,
    peerUrl,
    originalPeerUrl: nodePeerUrl(snapshot.address),
    restore: read(
      [tools.restore.path, 'snapshot', 'restore', file, '--name', name, '--data-dir', dataDir, '--initial-cluster', `${name}=${peerUrl}`, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster-token', DRILL_CLUSTER_TOKEN],
      `${why}: restore ${snapshot.file} into a scratch folder`,
      { env: ETCDCTL_ENV, timeoutMs: 600_000 },
    ),
    status: read([tools.restore.path, 'snapshot', 'status', path.join(dataDir, 'member', 'snap', 'db'), '-w', 'json'], `${why}: status of the restored database`, { env: ETCDCTL_ENV, timeoutMs: 600_000 }),
    server: read(
      [tools.etcd, '--name', name, '--data-dir', dataDir, '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl, '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `${name}=${peerUrl}`, '--initial-cluster-token', DRILL_CLUSTER_TOKEN, '--logger=zap', '--log-outputs=stderr'],
      `${why}: a throwaway etcd on the restored data`,
    ),
    health: ctl(['endpoint', 'health'], 'is the throwaway etcd healthy', 2_000),
    endpointStatus: ctl(['endpoint', 'status', '-w', 'json'], 'revision of the throwaway etcd'),
    keys: ctl(['get', '/registry/', '--prefix', '--keys-only', '-w', 'json'], 'the keys under /registry/', 600_000),
    values: (prefix) => ctl(['get', prefix, '--prefix', '-w', 'json'], `the objects under ${prefix}`, 600_000),
  };
}
