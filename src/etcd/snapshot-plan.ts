import { join } from 'node:path';
import type { ClusterObjects } from '../kube/types.js';
import { write, type Command } from '../runner/command.js';
import { selectEtcdTarget } from './members.js';
import { DEFAULT_LAYOUT, buildRemoteScript } from './remote-script.js';
import { buildSshArgv, defaultSshKey, validateSshSettings, type SshSettings } from './ssh-options.js';
import type { AddressType, ClusterEtcdTarget, EtcdMember, RemoteLayout, StackedEtcdctl } from './types.js';

/** The `--ssh-*` flags, plus the remote-layout knobs tests and the simulator use. */
export interface EtcdSnapshotFlags {
  readonly sshKey?: string;
  readonly sshUser?: string;
  readonly sshPort?: number;
  readonly sshKnownHosts?: string;
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
export function planEtcdSnapshot(objects: ClusterObjects, flags: EtcdSnapshotFlags, context: { backupDir: string; cwd: string }): EtcdSnapshotRequest {
  const target = selectEtcdTarget(objects, { sshUser: flags.sshUser, addressType: flags.sshAddressType });
  const ssh: SshSettings = {
    keyFile: flags.sshKey ?? defaultSshKey(target.cluster, context.cwd),
    recordKnownHostsFile: join(context.backupDir, 'etcd', 'known_hosts'),
    ...(flags.sshPort === undefined ? {} : { port: flags.sshPort }),
    ...(flags.sshKnownHosts === undefined ? {} : { knownHostsFile: flags.sshKnownHosts }),
    extraOptions: flags.sshOptions ?? [],
  };
  const layout: RemoteLayout = {
    topology: target.topology,
    os: target.os,
    root: flags.remoteRoot ?? DEFAULT_LAYOUT.root,
    endpoint: flags.etcdEndpoint,
    stackedEtcdctl: flags.stackedEtcdctl ?? DEFAULT_LAYOUT.stackedEtcdctl,
    healthTimeoutSeconds: flags.healthTimeoutSeconds ?? DEFAULT_LAYOUT.healthTimeoutSeconds,
    saveTimeoutSeconds: flags.saveTimeoutSeconds ?? DEFAULT_LAYOUT.saveTimeoutSeconds,
    dialTimeoutSeconds: flags.dialTimeoutSeconds ?? DEFAULT_LAYOUT.dialTimeoutSeconds,
  };
  // Validate now, at plan time, so a bad flag stops the run before anything is written.
  validateSshSettings(ssh);
  buildRemoteScript(layout);
  return { target, ssh, layout };
}

/** Pure: the ssh command that snapshots one member, its script on stdin. */
export function snapshotCommand(request: EtcdSnapshotRequest, member: EtcdMember): Command {
  const { remoteCommand, script } = buildRemoteScript(request.layout);
  const { cluster } = request.target;
  const timeoutMs = (request.layout.healthTimeoutSeconds + request.layout.saveTimeoutSeconds + 2 * request.layout.dialTimeoutSeconds + 60) * 1000;
  return write(buildSshArgv(request.ssh, request.target.user, member.address, remoteCommand), `etcd snapshot of ${cluster} from ${member.machine}`, {
    input: script,
    timeoutMs,
  });
}

/** The snapshot file of one member, relative to the backup directory. */
export function snapshotFileName(cluster: string, member: string): string {
  return join('etcd', `${cluster}-${member}.db`);
}
