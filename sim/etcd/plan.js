// Which real etcd members the simulated world runs: pure, from the scenario's objects, read the way the
// product reads them (the EKS-A Cluster's machine group ref, its machine config, the Machines' labels), so
// the world and the tool cannot disagree about who a member is.
import path from 'node:path';

const EKSA_GROUP = 'anywhere.eks.amazonaws.com/';
const CLUSTER_NAME = 'cluster.x-k8s.io/cluster-name';
const CONTROL_PLANE = 'cluster.x-k8s.io/control-plane';
const ETCD_CLUSTER = 'cluster.x-k8s.io/etcd-cluster';

/** Enough members for every bundled scenario; a generated fleet of hundreds is not worth real processes. */
export const MAX_REAL_MEMBERS = 24;

const POSIX_USER = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * @typedef {{ machine: string, address: string }} SimEtcdMember
 * @typedef {{ name: string, os: 'ubuntu'|'redhat'|'bottlerocket', topology: 'external'|'stacked', user: string, members: SimEtcdMember[] }} SimEtcdCluster
 */

/**
 * Every cluster of the scenario with its etcd members (sorted by machine name, the order the product
 * tries them in), OS, topology and SSH user (`users[0].name` of the machine config).
 * @param {{ clusters: Array<{ name: string }>, objects: any[] }} scenario
 * @returns {SimEtcdCluster[]}
 */
export function planEtcdWorld(scenario) {
  const byKind = (kind) => scenario.objects.filter((o) => o.kind === kind);
  const eksaClusters = byKind('Cluster').filter((o) => o.apiVersion.startsWith(EKSA_GROUP));
  const machines = byKind('Machine').filter((o) => o.apiVersion.startsWith('cluster.x-k8s.io/'));
  return scenario.clusters.map(({ name }) => {
    const cluster = eksaClusters.find((c) => c.metadata.name === name);
    if (!cluster) throw new Error(`no EKS-A Cluster ${name} in the scenario`);
    const topology = cluster.spec.externalEtcdConfiguration ? 'external' : 'stacked';
    const ref = topology === 'external' ? cluster.spec.externalEtcdConfiguration.machineGroupRef : cluster.spec.controlPlaneConfiguration?.machineGroupRef;
    const config = scenario.objects.find((o) => o.kind === ref?.kind && o.metadata.name === ref?.name && o.apiVersion.startsWith(EKSA_GROUP));
    if (!config) throw new Error(`cluster ${name}: no machine config ${ref?.kind}/${ref?.name}`);
    const os = config.spec.osFamily;
    if (!['ubuntu', 'redhat', 'bottlerocket'].includes(os)) throw new Error(`cluster ${name}: osFamily ${JSON.stringify(os)} is not simulated`);
    const user = config.spec.users?.[0]?.name;
    if (typeof user !== 'string' || !POSIX_USER.test(user)) throw new Error(`cluster ${name}: users[0].name ${JSON.stringify(user)} is not a plain user name`);
    const members = machines
      .filter((m) => isMember(m.metadata.labels ?? {}, name, topology))
      .map((m) => ({ machine: m.metadata.name, address: externalAddress(m) }))
      .sort((a, b) => a.machine.localeCompare(b.machine));
    if (members.length === 0) throw new Error(`cluster ${name} has no ${topology === 'external' ? 'etcd' : 'control-plane'} Machines`);
    return { name, os, topology, user, members };
  });
}

function isMember(labels, cluster, topology) {
  if (topology === 'external') return labels[ETCD_CLUSTER] === `${cluster}-etcd`;
  return labels[CLUSTER_NAME] === cluster && CONTROL_PLANE in labels;
}

function externalAddress(machine) {
  const address = (machine.status?.addresses ?? []).find((a) => a.type === 'ExternalIP')?.address;
  // The simulator's addresses are 127.x.y.z: the whole block is local on Linux, so sshd and etcd can bind them.
  if (typeof address !== 'string' || !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) {
    throw new Error(`Machine ${machine.metadata.name} has no loopback ExternalIP (${JSON.stringify(address)})`);
  }
  return address;
}

/** Where the world keeps its files: `DIR/.sim/etcd/…`. */
export function etcdPaths(workdir) {
  const dir = path.join(path.resolve(workdir), '.sim', 'etcd');
  return {
    dir,
    state: path.join(dir, 'state.json'),
    ssh: path.join(dir, 'ssh'),
    knownHosts: path.join(dir, 'ssh', 'known_hosts'),
    pki: (cluster) => path.join(dir, 'pki', cluster),
    /** The sandbox root of a cluster's nodes: every node of a cluster is this host, so they share it. */
    nodeRoot: (cluster) => path.join(dir, 'nodes', cluster),
    nodeRootTemplate: path.join(dir, 'nodes', '{cluster}'),
    member: (machine) => path.join(dir, 'members', machine),
  };
}

/** The environment `backup` needs to reach the world (what `up` adds to its exports). */
export function etcdEnv(workdir, { sshPort, clientPort }) {
  const paths = etcdPaths(workdir);
  return {
    EKSA_SAFE_UPGRADE_SSH_PORT: String(sshPort),
    EKSA_SAFE_UPGRADE_SSH_KNOWN_HOSTS: paths.knownHosts,
    EKSA_SAFE_UPGRADE_ETCD_REMOTE_ROOT: paths.nodeRootTemplate,
    // Every member listens on its own Machine address, all on one port: one value serves every cluster.
    EKSA_SAFE_UPGRADE_ETCD_ENDPOINT: `https://{address}:${clientPort}`,
    EKSA_SIM_ETCD_STATE: paths.state,
  };
}
