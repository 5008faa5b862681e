import type { BackupManifest } from '../backup/manifest.js';
import { bottlerocketSteps } from './runbook-etcd-bottlerocket.js';
import {
  CHECK,
  STASH,
  checksum,
  restoreArgs,
  controlPlaneNodes,
  copySnapshot,
  describeMembers,
  describeSnapshot,
  etcdMembers,
  noControlPlane,
  numbered,
  onEachNode,
  shownAddress,
  unknownAddresses,
  nodeAccess,
  sshTo,
  type EtcdEntry,
  type Member,
  type Step,
} from './runbook-etcd-common.js';
import type { ClusterFacts } from './runbook-facts.js';
import { block, code, comment, pauseCommands, sh, unpauseCommands } from './runbook-shell.js';

const OS_NAME = { ubuntu: 'Ubuntu', redhat: 'RHEL', bottlerocket: 'Bottlerocket' } as const;
const REMOTE_SNAPSHOT = '/tmp/eksa-etcd-snapshot.db';

export interface EtcdSectionInput {
  readonly manifest: BackupManifest;
  readonly entry: EtcdEntry;
  readonly facts: ClusterFacts | undefined;
  readonly setDir: string;
}

/** A member's heading and its shell block: ssh in, become root, check the copied snapshot and the member's identity, then `commands`. */
function onMember(input: EtcdSectionInput, m: Member, check: string, ...commands: string[]): string[] {
  return [`On ${code(m.name)} (${code(shownAddress(m))}):`, block(sshTo(nodeAccess(input), m), 'sudo -i', checksum(input.entry, REMOTE_SNAPSHOT), check, ...commands)];
}

/** External etcd from etcdadm on Ubuntu/RHEL: EKS-A's documented procedure. */
function externalSteps(input: EtcdSectionInput, members: readonly Member[], controlPlane: readonly Member[]): Step[] {
  const { entry } = input;
  const perMember = members.flatMap((m) =>
    onMember(input, m, CHECK.external,
      sh(['rm', '-rf', '/var/lib/etcd.restored']),
      `${sh(['ETCDCTL_API=3', 'etcdctl', ...restoreArgs(REMOTE_SNAPSHOT, m, members, '/var/lib/etcd.restored')])}   ${comment('etcd 3.5+: etcdutl, same arguments')}`,
      'systemctl stop etcd.service',
      'mv /var/lib/etcd/member /var/lib/etcd/member.bak',
      'mv /var/lib/etcd.restored/member /var/lib/etcd/member',
      'chown -R --reference=/var/lib/etcd/member.bak /var/lib/etcd/member',
    ),
  );
  return [
    { title: 'Copy the snapshot to every member (from this machine):', body: [copySnapshot(entry, input.setDir, members, REMOTE_SNAPSHOT, nodeAccess(input).hostKeys)] },
    { title: 'On every member: check the copy, restore it, stop etcd and swap its data directory:', body: perMember },
    {
      title: 'Start etcd on every member, close together (each waits for the others and may look stuck until they are up):',
      body: onEachNode(nodeAccess(input), members, ['systemctl start etcd.service', 'set -a; . /etc/etcd/etcdctl.env; set +a', 'ETCDCTL_API=3 etcdctl member list -w table', 'ETCDCTL_API=3 etcdctl endpoint health'], ''),
    },
    { title: 'Start the control plane again, on every control-plane node:', body: onEachNode(nodeAccess(input), controlPlane, [`mv ${STASH}/*.yaml /etc/kubernetes/manifests/`], noControlPlane(entry.cluster)) },
  ];
}

/**
 * Stacked etcd from kubeadm on Ubuntu/RHEL (EKS-A only links upstream's page): restore through the running
 * etcd container into a folder it shares with the host, then stop the static pods and swap the data directory.
 */
function stackedSteps(input: EtcdSectionInput, members: readonly Member[]): Step[] {
  const { entry } = input;
  const snapshot = '/var/lib/etcd/eksa-etcd-snapshot.db';
  const perMember = members.flatMap((m) =>
    onMember(input, m, CHECK.stacked,
      sh(['mv', REMOTE_SNAPSHOT, snapshot]),
      sh(['rm', '-rf', '/var/lib/etcd/restored']),
      "ETCD_CONTAINER_ID=$(crictl ps --name '^etcd$' --state running -q | head -n 1)",
      `${sh(['crictl', 'exec', { raw: '"$ETCD_CONTAINER_ID"' }, 'etcdutl', ...restoreArgs(snapshot, m, members, '/var/lib/etcd/restored')])}   ${comment('etcd 3.4: etcdctl, same arguments')}`,
    ),
  );
  return [
    { title: 'Copy the snapshot to every member (from this machine):', body: [copySnapshot(entry, input.setDir, members, REMOTE_SNAPSHOT, nodeAccess(input).hostKeys)] },
    { title: 'On every member, while etcd still runs (the restore only writes a new folder): check the copy and restore it:', body: perMember },
    {
      title: 'Stop the static pods (etcd and the API server with them) and swap the data directory, on every member:',
      body: onEachNode(nodeAccess(input), members, [
        `mkdir -p ${STASH}`,
        `mv /etc/kubernetes/manifests/*.yaml ${STASH}/`,
        `crictl ps --name '^(etcd|kube-apiserver)$' -q   ${comment('repeat until it prints nothing')}`,
        'mv /var/lib/etcd/member /var/lib/etcd/member.bak',
        'mv /var/lib/etcd/restored/member /var/lib/etcd/member',
      ], ''),
    },
    {
      title: 'Start them again, on every member, close together:',
      body: onEachNode(nodeAccess(input), members, [
        `mv ${STASH}/*.yaml /etc/kubernetes/manifests/`,
        "crictl exec \"$(crictl ps --name '^etcd$' --state running -q | head -n 1)\" etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key member list -w table",
      ], ''),
    },
  ];
}

/** One cluster's etcd restore, for the topology and OS the snapshot recorded, between a pause and an unpause. */
export function renderEtcdSection(input: EtcdSectionInput): string {
  const { entry, manifest } = input;
  const { members, fromMachines } = etcdMembers(entry, input.facts);
  const controlPlane = controlPlaneNodes(entry, input.facts, members);
  const check = entry.os === 'bottlerocket' ? CHECK.bottlerocket : CHECK[entry.topology];
  const pause: Step = {
    title: `Pause ${code(entry.cluster)} from this machine (\`MGMT_KUBECONFIG\`: the management cluster that manages it now), so no controller acts on a half-restored cluster:`,
    body: [block(...pauseCommands(manifest, entry.cluster, 'MGMT_KUBECONFIG'))],
  };
  const stopApiServers: Step[] =
    entry.topology === 'external'
      ? [{
          title: 'Stop the API servers, so nothing writes while etcd is replaced. On every control-plane node:',
          body: onEachNode(nodeAccess(input), controlPlane, [`mkdir -p ${STASH}`, `mv /etc/kubernetes/manifests/${entry.os === 'bottlerocket' ? '*' : '*.yaml'} ${STASH}/`], noControlPlane(entry.cluster)),
        }]
      : [];
  const restore = entry.os === 'bottlerocket' ? bottlerocketSteps(input, members, controlPlane) : entry.topology === 'external' ? externalSteps(input, members, controlPlane) : stackedSteps(input, members);
  const unpause: Step = {
    title: `Unpause ${code(entry.cluster)} (both switches), then run the checks of "After the restore":`,
    body: [block(...unpauseCommands(manifest, entry.cluster, 'MGMT_KUBECONFIG'))],
  };
  const unknown = unknownAddresses([...members, ...controlPlane]);
  const warning = unknown.length === 0
    ? []
    : [`**Warning: the set does not hold the address of ${unknown.map((m) => code(m.name)).join(', ')}.** Set ${unknown.map((m) => code(m.variable!)).join(', ')} in "Variables" (\`kubectl get machines -n eksa-system -o wide\`) before pasting any command of this section: every member must be in \`--initial-cluster\`.`, ''];
  return [
    `### etcd of ${code(entry.cluster)} (${entry.topology} etcd, ${OS_NAME[entry.os]})`,
    '',
    ...warning,
    describeSnapshot(entry, input.setDir),
    '',
    ...describeMembers(members, fromMachines, check),
    '',
    ...numbered([pause, ...stopApiServers, ...restore, unpause]),
  ].join('\n').trimEnd();
}
