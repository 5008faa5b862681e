// The real etcd half of the simulated world: a real etcd member per etcd Machine, one real sshd, the node
// files of each OS under a sandbox root per cluster, and the environment that points `backup` at them.
// Started by `sim/cli.js up` (in its `serve` process) and by the test helper; stopped by pid.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { clientUrl, etcdctl, memberArgs, spawnMember, waitHealthy } from './etcd.js';
import { layOutNode } from './layout.js';
import { makeClusterPki } from './pki.js';
import { MAX_REAL_MEMBERS, etcdEnv, etcdPaths, planEtcdWorld } from './plan.js';
import { freePortsOn, isOurs, stopProcesses } from './processes.js';
import { STANDINS_DIR, requirePlainPath, startSshd, sudoersFile } from './sshd.js';
import { realEtcdBlocker } from './tools.js';
import { mirrorStoreToEtcd } from './mirror.js';

const KUBE_SYSTEM = JSON.stringify({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'kube-system' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });

export { planEtcdWorld, etcdEnv, etcdPaths, MAX_REAL_MEMBERS } from './plan.js';
export { realEtcdBlocker, ETCD_PACKAGES, INSTALL_HINT } from './tools.js';

/** Why this scenario gets no real etcd here (tools, root, paths, size), or undefined. */
export function etcdWorldBlocker(scenario, workdir, env = process.env) {
  const tools = realEtcdBlocker(env);
  if (tools) return tools.reason;
  try {
    requirePlainPath(etcdPaths(workdir).dir, 'directory');
    requirePlainPath(STANDINS_DIR, 'stand-ins directory');
  } catch (error) {
    return error.message;
  }
  let members;
  try {
    members = planEtcdWorld(scenario).reduce((n, c) => n + c.members.length, 0);
  } catch (error) {
    return error.message; // a scenario the world cannot model: no real etcd, said why
  }
  if (members > MAX_REAL_MEMBERS) return `${members} etcd members is more than the ${MAX_REAL_MEMBERS} the simulator runs for real`;
  return undefined;
}

function saveState(file, state) {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * Starts the world and resolves when every member is healthy and every node user can log in.
 * @param {{ workdir: string, scenario: any, journalFile?: string }} options
 */
export async function startEtcdWorld({ workdir, scenario, journalFile }) {
  const blocker = etcdWorldBlocker(scenario, workdir);
  if (blocker) throw new Error(`real etcd: ${blocker}`);
  const started = performance.now();
  const clusters = planEtcdWorld(scenario);
  const paths = etcdPaths(workdir);
  await stopEtcdWorld(workdir); // whatever an earlier world in this directory left behind
  await rm(paths.dir, { recursive: true, force: true }); // old member data would carry old ports
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const state = { processes: [], sudoers: undefined, clusters: [], env: undefined };
  const record = ({ proc, sudoers }) => {
    if (proc) state.processes.push(proc);
    if (sudoers) state.sudoers = sudoers;
    saveState(paths.state, state); // on disk at once: `down` can undo a start that died half-way
  };
  try {
    const addresses = [...new Set(clusters.flatMap((c) => c.members.map((m) => m.address)))];
    const [clientPort, peerPort, sshPort] = await freePortsOn(['127.0.0.1', ...addresses], 3);
    const token = `${Date.now().toString(36)}-${process.pid}`;
    // allSettled: a failure is undone only once nothing else can still start a process.
    const settled = await Promise.allSettled([
      ...clusters.map(async (cluster) => {
        const pki = await makeClusterPki(paths.pki(cluster.name), cluster.name, cluster.members.map((m) => m.address));
        await layOutNode(paths.nodeRoot(cluster.name), cluster, pki, clientUrl(cluster.members[0].address, clientPort));
        const members = cluster.members.map((member) => {
          const dir = paths.member(member.machine);
          const args = memberArgs(cluster, member, { clientPort, peerPort, pki, dataDir: `${dir}/data`, token: `${cluster.name}-${token}` });
          const handle = spawnMember(dir, args, member.machine);
          record({ proc: handle.proc });
          return { member, handle, args, dir };
        });
        await waitHealthy(members, pki, clientPort);
        // A marker per cluster: a restored snapshot tells whose etcd it came from.
        await etcdctl(clientUrl(cluster.members[0].address, clientPort), pki, ['put', '/eksa-sim/cluster', cluster.name]);
        // Every Kubernetes cluster's etcd holds its kube-system namespace, where kube-apiserver keeps it.
        await etcdctl(clientUrl(cluster.members[0].address, clientPort), pki, ['put', '/registry/namespaces/kube-system', KUBE_SYSTEM]);
        state.clusters.push({
          ...cluster,
          pki,
          members: members.map(({ member, args, dir }) => ({ ...member, endpoint: clientUrl(member.address, clientPort), args, dir })),
        });
      }),
      startSshd({ workdir, sshDir: paths.ssh, clusters, port: sshPort, journalFile, knownHostsFile: paths.knownHosts, record }),
    ]);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    state.clusters.sort((a, b) => clusters.findIndex((c) => c.name === a.name) - clusters.findIndex((c) => c.name === b.name));
    state.env = etcdEnv(workdir, { sshPort, clientPort });
    Object.assign(state, { clientPort, peerPort, sshPort, startMs: Math.round(performance.now() - started) });
    saveState(paths.state, state);
    return worldHandle(workdir, state);
  } catch (error) {
    await undo(state).catch(() => undefined);
    rmSync(paths.state, { force: true });
    throw error;
  }
}

function memberOf(state, machine) {
  for (const cluster of state.clusters) {
    const member = cluster.members.find((m) => m.machine === machine);
    if (member) return { cluster, member };
  }
  throw new Error(`real etcd: no member ${machine}`);
}

function worldHandle(workdir, state) {
  const paths = etcdPaths(workdir);
  const procOf = (machine) => state.processes.find((p) => p.kind === 'etcd' && p.name === machine);
  return {
    env: state.env,
    clusters: state.clusters.map(({ pki, ...c }) => ({ ...c, members: c.members.map(({ machine, address, endpoint }) => ({ machine, address, endpoint })) })),
    sshPort: state.sshPort,
    clientPort: state.clientPort,
    startMs: state.startMs,
    /** etcdctl with the cluster's client certificate, against its first running member. */
    async ctl(clusterName, args, input) {
      const cluster = state.clusters.find((c) => c.name === clusterName);
      if (!cluster) throw new Error(`real etcd: no cluster ${clusterName}`);
      const member = cluster.members.find((m) => { const p = procOf(m.machine); return p && isOurs(p); });
      if (!member) throw new Error(`real etcd: every member of ${clusterName} is stopped`);
      return etcdctl(member.endpoint, cluster.pki, args, input);
    },
    /** Stops one member's etcd: what a dead etcd on that node looks like to the tool. */
    async stopMember(machine) {
      memberOf(state, machine);
      const proc = procOf(machine);
      if (proc) await stopProcesses([proc]);
    },
    /** Starts a stopped member again on its data; resolves when it is healthy. */
    async startMember(machine) {
      const { cluster, member } = memberOf(state, machine);
      const old = procOf(machine);
      if (old && isOurs(old)) return;
      const handle = spawnMember(member.dir, member.args, machine);
      state.processes = [...state.processes.filter((p) => p !== old), handle.proc];
      saveState(paths.state, state);
      await waitHealthy([{ member, handle }], cluster.pki, state.clientPort);
    },
    /** Is this member's etcd running? */
    running(machine) {
      const proc = procOf(machine);
      return Boolean(proc && isOurs(proc));
    },
    /**
     * Keep the API server's objects in this cluster's etcd (the management cluster's), as kube-apiserver
     * does: sim/etcd/mirror.js. Resolves once every object is written; the handle stops the mirroring.
     */
    mirrorStore(store, clusterName) {
      const cluster = state.clusters.find((c) => c.name === clusterName);
      if (!cluster) throw new Error(`real etcd: no cluster ${clusterName}`);
      const endpoints = () => cluster.members.filter((m) => { const p = procOf(m.machine); return p && isOurs(p); }).map((m) => m.endpoint);
      return mirrorStoreToEtcd(store, { pki: cluster.pki, endpoints });
    },
    stop: () => stopEtcdWorld(workdir),
  };
}

async function undo(state) {
  await stopProcesses(state.processes);
  if (state.sudoers) await rm(state.sudoers, { force: true });
}

/**
 * Stops what the world of `workdir` started (from its state file) and removes its sudoers drop-in. The
 * node users stay: another world may be using them. Safe to call when nothing runs.
 */
export async function stopEtcdWorld(workdir) {
  const file = etcdPaths(workdir).state;
  if (!existsSync(file)) return false;
  let state;
  try {
    state = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    rmSync(file, { force: true });
    return false;
  }
  // Only this world's drop-in, whatever the state file says.
  await undo({ processes: state.processes ?? [], sudoers: state.sudoers === sudoersFile(workdir) ? state.sudoers : undefined });
  rmSync(file, { force: true });
  return true;
}
