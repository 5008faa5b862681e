// The steps a rolling upgrade of one cluster goes through, as EKS-A's and CAPI's controllers report it:
// external etcd first, then the control plane one machine at a time (KubeadmControlPlane surges by one),
// then each MachineDeployment one machine at a time, then everything Ready at the new versions. The
// target versions are the EKS-A Cluster's spec (eksctl has applied it). Pure: a step is a list of
// operations, each a spec merge patch and/or a function from the object as it is then to a status patch.
import { conditionsPatch, mergePatches } from './conditions.js';
import { kubeVersionFull, eksdReleaseName } from '../generate/versions.js';

/** @typedef {{ kind: string, namespace: string, name: string, metadata?: object, spec?: object, status?: (obj: any, time: string) => object }} Operation */
/** @typedef {{ label: string, ops: Operation[] }} Step */

const UPGRADING = 'RollingUpgradeInProgress';
const cpMessage = (total, upToDate) => `Control plane nodes not up-to-date yet, ${total} upgrading (${upToDate} up to date)`;
const workerMessage = (total, upToDate) => `Worker nodes not up-to-date yet, ${total} upgrading (${upToDate} up to date)`;
const byName = (a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);

const ref = (obj) => ({ kind: `${obj.kind}.${obj.apiVersion.split('/')[0]}`, namespace: obj.metadata.namespace, name: obj.metadata.name });
const isV2 = (obj) => obj.apiVersion.endsWith('/v1beta2');

/** EKS-A Cluster conditions: Ready summarises the first False one, like CAPI's SetSummary. */
function eksaOp(eksa, { controlPlane, workers }) {
  const cp = controlPlane ? { type: 'ControlPlaneReady', status: 'False', reason: UPGRADING, message: controlPlane } : { type: 'ControlPlaneReady', status: 'True' };
  const wk = workers ? { type: 'WorkersReady', status: 'False', reason: UPGRADING, message: workers } : { type: 'WorkersReady', status: 'True' };
  const first = controlPlane ? cp : workers ? wk : undefined;
  const ready = first ? { type: 'Ready', status: 'False', reason: UPGRADING, message: first.message } : { type: 'Ready', status: 'True' };
  return { ...ref(eksa), status: (obj, time) => ({ ...conditionsPatch(obj, { v1: [ready, cp, wk] }, time), failureMessage: null, failureReason: null }) };
}

/** RollingOut / MachinesUpToDate of a CAPI object (metav1 conditions only; v1beta1 ones have no such types). */
const rollingOut = (on, detail) => [
  on ? { type: 'RollingOut', status: 'True', reason: 'RollingOut', message: detail } : { type: 'RollingOut', status: 'False', reason: 'NotRollingOut' },
  on ? { type: 'MachinesUpToDate', status: 'False', reason: 'NotUpToDate', message: detail } : { type: 'MachinesUpToDate', status: 'True', reason: 'UpToDate' },
];

/** Replica counters in the object's contract: v1beta2 says upToDate, v1beta1 says updated (both keep their mirror). */
function counters(obj, { replicas, ready, upToDate }) {
  const v2 = isV2(obj);
  const mirror = v2 ? 'deprecated' : 'v1beta2';
  const mirrored = v2
    ? { v1beta1: { readyReplicas: ready, updatedReplicas: upToDate, unavailableReplicas: replicas - ready } }
    : { readyReplicas: ready, availableReplicas: ready, upToDateReplicas: upToDate };
  return {
    replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(v2 ? { upToDateReplicas: upToDate } : { updatedReplicas: upToDate, unavailableReplicas: replicas - ready }),
    [mirror]: mirrored,
  };
}

function machineOp(machine, version) {
  return {
    ...ref(machine),
    spec: version === undefined ? undefined : { version },
    status: (obj, time) => ({
      lastUpdated: time,
      ...(obj.status?.nodeInfo && version ? { nodeInfo: { kubeletVersion: version, kubeProxyVersion: version } } : {}),
    }),
  };
}

/** The Node a Machine's nodeRef names follows its kubelet version (left alone when the Node does not exist). */
function nodeOp(machine, version) {
  const node = machine.status?.nodeRef?.name;
  if (!node || version === undefined) return undefined;
  return { kind: 'nodes', namespace: undefined, name: node, status: (obj) => (obj.status?.nodeInfo ? { nodeInfo: { kubeletVersion: version, kubeProxyVersion: version } } : {}) };
}

/**
 * @param {{ eksa: any, capi: any, kcp: any, etcd?: any, mds: any[], machineSets: any[], machines: any[] }} snapshot
 * @returns {Step[]}
 */
export function upgradeSteps({ eksa, capi, kcp, etcd, mds, machineSets, machines }) {
  const cpVersion = kubeVersionFull(eksa.spec.kubernetesVersion);
  const groups = new Map((eksa.spec.workerNodeGroupConfigurations ?? []).map((w) => [w.name, w.kubernetesVersion ?? eksa.spec.kubernetesVersion]));
  const n = kcp.spec.replicas ?? 1;
  const cpMachines = machines.filter((m) => 'cluster.x-k8s.io/control-plane' in (m.metadata.labels ?? {})).sort(byName);
  const etcdMachines = machines.filter((m) => 'cluster.x-k8s.io/etcd-cluster' in (m.metadata.labels ?? {}));
  const workerTotal = mds.reduce((sum, md) => sum + (md.spec.replicas ?? 0), 0);
  const steps = [];
  const step = (label, ...ops) => steps.push({ label, ops: ops.filter(Boolean) });

  step('start',
    eksaOp(eksa, { controlPlane: etcd ? 'Etcd is not ready' : cpMessage(n, 0) }),
    { ...ref(capi), status: (obj, time) => conditionsPatch(obj, { v2: rollingOut(true, 'Rolling out machines') }, time) },
    etcd && {
      ...ref(etcd), metadata: { annotations: { 'etcdcluster.cluster.x-k8s.io/upgrading': 'true' } },
      status: (obj, time) => ({ ...conditionsPatch(obj, { v1: [{ type: 'Ready', status: 'False', reason: 'RollingUpdateInProgress', message: 'Rolling update of etcd members in progress' }] }, time), ready: false }),
    });
  if (etcd) {
    step('etcd upgraded',
      ...etcdMachines.map((m) => machineOp(m, undefined)),
      { ...ref(etcd), metadata: { annotations: { 'etcdcluster.cluster.x-k8s.io/upgrading': null } },
        status: (obj, time) => ({ ...conditionsPatch(obj, { v1: [{ type: 'Ready', status: 'True' }] }, time), ready: true }) },
      eksaOp(eksa, { controlPlane: cpMessage(n, 0) }));
  }

  const kcpStatus = (upToDate, surge, done = false) => (obj, time) => mergePatches(
    conditionsPatch(obj, {
      v1: [done ? { type: 'MachinesSpecUpToDate', status: 'True' } : { type: 'MachinesSpecUpToDate', status: 'False', severity: 'Warning', reason: 'RollingUpdateInProgress', message: `Rolling ${n - upToDate} replicas with outdated spec (${upToDate} replicas up to date)` }],
      v2: rollingOut(!done, `Rolling out ${n - upToDate} not up-to-date replicas`),
    }, time),
    counters(obj, { replicas: n + surge, ready: n, upToDate }),
    done ? { version: cpVersion } : {},
  );
  step('control plane rollout starts', { ...ref(kcp), spec: { version: cpVersion }, status: kcpStatus(0, 1) }, eksaOp(eksa, { controlPlane: cpMessage(n + 1, 0) }));
  cpMachines.forEach((m, i) => step(`control plane machine ${m.metadata.name}`,
    machineOp(m, cpVersion), nodeOp(m, cpVersion), { ...ref(kcp), status: kcpStatus(i + 1, 1) }, eksaOp(eksa, { controlPlane: cpMessage(n + 1, i + 1) })));
  // The controller moves straight on to the workers: Ready stays False in between.
  step('control plane upgraded', { ...ref(kcp), status: kcpStatus(n, 0, true) },
    eksaOp(eksa, { workers: workerTotal > 0 ? workerMessage(workerTotal, 0) : undefined }));

  let updatedWorkers = 0;
  for (const md of [...mds].sort(byName)) {
    const group = md.metadata.name.slice(`${eksa.metadata.name}-`.length);
    const version = kubeVersionFull(groups.get(group) ?? eksa.spec.kubernetesVersion);
    const count = md.spec.replicas ?? 0;
    const mdStatus = (upToDate, surge, done = false) => (obj, time) => mergePatches(
      conditionsPatch(obj, { v2: rollingOut(!done, `Rolling out ${count - upToDate} not up-to-date replicas`) }, time),
      counters(obj, { replicas: count + surge, ready: count, upToDate }),
    );
    const msOps = machineSets.filter((ms) => ms.metadata.labels?.['cluster.x-k8s.io/deployment-name'] === md.metadata.name)
      .map((ms) => ({ ...ref(ms), spec: { template: { spec: { version } } } }));
    const surge = count > 0 ? 1 : 0;
    step(`workers ${md.metadata.name} rollout starts`,
      { ...ref(md), spec: { template: { spec: { version } } }, status: mdStatus(0, surge) }, ...msOps,
      count > 0 && eksaOp(eksa, { workers: workerMessage(workerTotal + 1, updatedWorkers) }));
    machines.filter((m) => m.metadata.labels?.['cluster.x-k8s.io/deployment-name'] === md.metadata.name).sort(byName).forEach((m, i) => {
      updatedWorkers += 1;
      step(`worker machine ${m.metadata.name}`, machineOp(m, version), nodeOp(m, version), { ...ref(md), status: mdStatus(i + 1, 1) },
        eksaOp(eksa, { workers: workerMessage(workerTotal + 1, updatedWorkers) }));
    });
    step(`workers ${md.metadata.name} upgraded`, { ...ref(md), status: mdStatus(count, 0, true) });
  }

  step('ready',
    { ...ref(capi), status: (obj, time) => conditionsPatch(obj, { v2: rollingOut(false) }, time) },
    { ...eksaOp(eksa, {}), status: (obj, time) => ({
      ...eksaOp(eksa, {}).status(obj, time),
      eksdReleaseRef: { name: eksdReleaseName(eksa.spec.kubernetesVersion) },
    }) });
  return steps;
}

/** Where an unfinished upgrade stops (fail, hang, exit-early-not-ready): half-way, Ready False. */
export const midpoint = (steps) => Math.max(1, Math.floor(steps.length / 2));
