import { CHECK, STASH, checksum, copySnapshot, expand, noControlPlane, nodeAccess, onEachNode, restoreArgs, shownAddress, sshTo, type Member, type Step } from './runbook-etcd-common.js';
import type { EtcdSectionInput } from './runbook-etcd.js';
import { block, code, comment, hostPart, sh } from './runbook-shell.js';

// scp lands in the admin container; the host sees its root file system under this path (EKS-A's docs).
const ADMIN_HOME = '/home/ec2-user';
const FROM_ADMIN = '/run/host-containerd/io.containerd.runtime.v2.task/default/admin/rootfs/home/ec2-user';
const SNAPSHOT = '/var/lib/etcd/data/eksa-etcd-snapshot.db';
const RESTORED = '/var/lib/etcd/data/restored';
// The running etcd container: there may be stopped ones of the same image beside it.
const FIND_ETCD = 'for c in $(ctr -n k8s.io containers list | grep -w etcd-io | cut -d " " -f 1); do ctr -n k8s.io tasks list | grep -w "$c" | grep -qw RUNNING && ETCD_CONTAINER_ID=$c; done; echo "$ETCD_CONTAINER_ID"';

/**
 * Bottlerocket (external or stacked etcd), after EKS-A's Bottlerocket page: in `sudo sheltie`, etcdctl runs
 * inside the etcd container through `ctr`. It restores into /var/lib/etcd/data, which the container shares
 * with the host, so no container snapshot has to be mounted to get the result out.
 */
export function bottlerocketSteps(input: EtcdSectionInput, members: readonly Member[], controlPlane: readonly Member[]): Step[] {
  const { entry } = input;
  const external = entry.topology === 'external';
  const perMember = members.flatMap((m) => [
    `On ${code(m.name)} (${code(shownAddress(m))}):`,
    block(
      sshTo(nodeAccess(input), m),
      checksum(entry, `${ADMIN_HOME}/eksa-etcd-snapshot.db`),
      'sudo sheltie',
      sh(['cp', `${FROM_ADMIN}/eksa-etcd-snapshot.db`, SNAPSHOT]),
      CHECK.bottlerocket,
      sh(['rm', '-rf', RESTORED]),
      FIND_ETCD,
      sh(['ctr', '-n', 'k8s.io', 'tasks', 'exec', '--exec-id', 'eksa-restore', { raw: '"$ETCD_CONTAINER_ID"' }, 'etcdctl', ...restoreArgs(SNAPSHOT, m, members, RESTORED)]),
    ),
  ]);
  const health = (m: Member) =>
    `ctr -n k8s.io tasks exec --exec-id eksa-check "$ETCD_CONTAINER_ID" etcdctl --endpoints=https://${expand(hostPart(m.address))}:2379 --cacert=/var/lib/etcd/pki/ca.crt --cert=/var/lib/etcd/pki/server.crt --key=/var/lib/etcd/pki/server.key member list -w table`;
  const steps: Step[] = [
    { title: 'Copy the snapshot to every member (from this machine; it lands in the admin container):', body: [copySnapshot(entry, input.setDir, members, `${ADMIN_HOME}/eksa-etcd-snapshot.db`, nodeAccess(input).hostKeys)] },
    { title: 'On every member, while etcd still runs (the restore only writes a new folder): check the copy and restore it:', body: perMember },
    {
      title: 'Stop etcd (its static pod) and swap the data directory, on every member:',
      body: onEachNode(nodeAccess(input), members, [
        FIND_ETCD,
        `mkdir -p ${STASH}`,
        `mv /etc/kubernetes/manifests/* ${STASH}/`,
        `ctr -n k8s.io tasks list | grep -w "$ETCD_CONTAINER_ID"   ${comment('repeat until it prints nothing or STOPPED')}`,
        'mv /var/lib/etcd/data/member /var/lib/etcd/data/member.bak',
        `mv ${RESTORED}/member /var/lib/etcd/data/member`,
      ], ''),
    },
    {
      title: 'Start etcd again, on every member, close together:',
      body: [
        ...onEachNode(nodeAccess(input), members, [`mv ${STASH}/* /etc/kubernetes/manifests/`, 'sleep 30', FIND_ETCD], ''),
        'Then check the members from any of them:',
        block(members[0] ? health(members[0]) : ''),
      ],
    },
  ];
  if (external) {
    steps.push({
      title: 'Start the control plane again, on every control-plane node:',
      body: onEachNode(nodeAccess(input), controlPlane, [`mv ${STASH}/* /etc/kubernetes/manifests/`], noControlPlane(entry.cluster)),
    });
  }
  return steps;
}
