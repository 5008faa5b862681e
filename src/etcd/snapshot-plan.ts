import { isIP } from 'node:net';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { ClusterObjects } from '../kube/types.js';
import { read, write, type Command } from '../command.js';
import { selectEtcdTarget } from './members.js';
import { DEFAULT_LAYOUT, buildRemoteScript, buildStatusScript } from './remote-script.js';
import { buildSshArgv, defaultSshKey, validateSshSettings, type SshSettings } from './ssh-options.js';
import type { AddressType, ClusterEtcdTarget, EtcdMember, RemoteLayout, StackedEtcdctl } from './types.js';

/**
 * The `--ssh-*` flags, plus the remote-layout knobs tests and the simulator use. Every node of a simulated
 * or test-bed world is the same host, so one value must still differ per cluster and member: `remoteRoot`
 * may hold `{cluster}` and `etcdEndpoint` may hold `{address}` (the member's address, bracketed if IPv6).
 */
export interface EtcdSnapshotFlags {
  readonly sshKey?: string;
  readonly sshUser?: string;
  readonly sshPort?: number;
  readonly sshKnownHosts?: string;
  /** `--accept-changed-host-keys`: a host key that differs from the newest earlier set's is accepted (recorded). */
  readonly acceptChangedHostKeys?: boolean;
  readonly sshOptions?: readonly string[];
  readonly sshAddressType?: AddressType;
  readonly remoteRoot?: string;
  readonly etcdEndpoint?: string;
  readonly stackedEtcdctl?: StackedEtcdctl;
  readonly healthTimeoutSeconds?: number;
  readonly saveTimeoutSeconds?: number;
  readonly dialTimeoutSeconds?: number;
}

/** One cluster's snapshot, fully planned: who to try, how to reach them, what runs there. */
export interface EtcdSnapshotRequest {
  readonly target: ClusterEtcdTarget;
  readonly ssh: SshSettings;
  readonly layout: RemoteLayout;
}

/** Pure: the request for one cluster from its inventory objects and the flags. */
export function planEtcdSnapshot(objects: ClusterObjects, flags: EtcdSnapshotFlags, context: { backupDir: string; cwd: string; pinnedKnownHosts?: string | undefined }): EtcdSnapshotRequest {
  const target = selectEtcdTarget(objects, { sshUser: flags.sshUser, addressType: flags.sshAddressType });
  const ssh: SshSettings = {
    keyFile: flags.sshKey ?? defaultSshKey(target.cluster, context.cwd),
    recordKnownHostsFile: join(context.backupDir, 'etcd', 'known_hosts'),
    ...(flags.sshPort === undefined ? {} : { port: flags.sshPort }),
    ...(flags.sshKnownHosts === undefined ? {} : { knownHostsFile: flags.sshKnownHosts }),
    ...(flags.sshKnownHosts === undefined && !flags.acceptChangedHostKeys && context.pinnedKnownHosts !== undefined ? { pinnedFrom: context.pinnedKnownHosts } : {}),
    extraOptions: flags.sshOptions ?? [],
  };
  const layout: RemoteLayout = {
    topology: target.topology,
    os: target.os,
    root: flags.remoteRoot === undefined ? DEFAULT_LAYOUT.root : expandPlaceholders(flags.remoteRoot, { cluster: target.cluster }, '--etcd-remote-root'),
    endpoint: flags.etcdEndpoint,
    stackedEtcdctl: flags.stackedEtcdctl ?? DEFAULT_LAYOUT.stackedEtcdctl,
    healthTimeoutSeconds: flags.healthTimeoutSeconds ?? DEFAULT_LAYOUT.healthTimeoutSeconds,
    saveTimeoutSeconds: flags.saveTimeoutSeconds ?? DEFAULT_LAYOUT.saveTimeoutSeconds,
    dialTimeoutSeconds: flags.dialTimeoutSeconds ?? DEFAULT_LAYOUT.dialTimeoutSeconds,
  };
  // Validate now, at plan time, so a bad flag stops the run before anything is written.
  validateSshSettings(ssh);
  const request = { target, ssh, layout };
  for (const member of target.members.length > 0 ? target.members : [{ machine: 'none', address: '127.0.0.1' }]) {
    buildRemoteScript(memberLayout(request, member));
  }
  return request;
}

/** The layout one member runs: `{address}` in the endpoint becomes that member's address. */
export function memberLayout(request: EtcdSnapshotRequest, member: EtcdMember): RemoteLayout {
  const { endpoint } = request.layout;
  if (endpoint === undefined) return request.layout;
  const host = isIP(member.address) === 6 ? `[${member.address}]` : member.address;
  return { ...request.layout, endpoint: expandPlaceholders(endpoint, { address: host }, '--etcd-endpoint') };
}

/** `{name}` replaced from `values`; any other `{…}` is refused rather than passed on as literal text. */
export function expandPlaceholders(template: string, values: Readonly<Record<string, string>>, flag: string): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new UsageError(`${flag}: unknown placeholder ${whole} in ${JSON.stringify(template)}`, {
        hint: `${flag} knows ${Object.keys(values).map((k) => `{${k}}`).join(', ')}`,
      });
    }
    return value;
  });
}

/** Pure: the ssh command that snapshots one member, its script on stdin. */
export function snapshotCommand(request: EtcdSnapshotRequest, member: EtcdMember): Command {
  const { remoteCommand, script } = buildRemoteScript(memberLayout(request, member));
  const { cluster } = request.target;
  const timeoutMs = (request.layout.healthTimeoutSeconds + request.layout.saveTimeoutSeconds + 2 * request.layout.dialTimeoutSeconds + 60) * 1000;
  return write(buildSshArgv(request.ssh, request.target.user, member.address, remoteCommand), `etcd snapshot of ${cluster} from ${member.machine}`, {
    input: script,
    timeoutMs,
  });
}

/** Pure: the ssh command that reads one member's `endpoint status` (its dbSize), a read. */
export function statusCommand(request: EtcdSnapshotRequest, member: EtcdMember): Command {
  const { remoteCommand, script } = buildStatusScript(memberLayout(request, member));
  // Before the lock the set's known_hosts does not exist yet. Host keys are checked as strictly as the
  // snapshot will check them: against --ssh-known-hosts, else against the newest earlier set's keys (a
  // changed key is refused here too, and the snapshot names it), else accepted as new and not recorded.
  const { pinnedFrom: _pinned, ...rest } = request.ssh;
  const ssh: SshSettings = request.ssh.knownHostsFile !== undefined
    ? request.ssh
    : request.ssh.pinnedFrom !== undefined
      ? { ...rest, knownHostsFile: request.ssh.pinnedFrom }
      : { ...rest, recordKnownHostsFile: '/dev/null' };
  const timeoutMs = (request.layout.healthTimeoutSeconds + 2 * request.layout.dialTimeoutSeconds + 30) * 1000;
  return read(buildSshArgv(ssh, request.target.user, member.address, remoteCommand), `etcd database size of ${request.target.cluster} from ${member.machine}`, {
    input: script,
    timeoutMs,
  });
}

/**
 * The snapshot file of one member, relative to the backup directory: `etcd/<cluster>-<member>.db`, or
 * `etcd/<cluster>/<member>.db` when the backup's cluster names could make flat names collide (`folders`).
 */
export function snapshotFileName(cluster: string, member: string, folders = false): string {
  return folders ? join('etcd', cluster, `${member}.db`) : join('etcd', `${cluster}-${member}.db`);
}

/**
 * Pure: whether the clusters of one backup need a folder each. `<a>-<m>` = `<b>-<n>` with a ≠ b only when
 * one cluster name is the other's followed by `-` (w01 and w01-w01): then flat names could collide.
 */
export function snapshotFolders(clusters: readonly string[]): boolean {
  return clusters.some((a) => clusters.some((b) => a !== b && b.startsWith(`${a}-`)));
}
