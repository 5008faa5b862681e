// Expand a normalised scenario definition into every object of the simulated management cluster.
import { makeObject } from './objects.js';
import { PROVIDERS } from './providers.js';
import { eksaObjects } from './eksa.js';
import { capiObjects } from './capi.js';
import { clusterSecrets } from './secrets.js';
import { releaseObjects } from './releases.js';
import { crdObjects } from './crds.js';
import { nameSuffix, numericHash, machineAddress, endpointAddress, MAX_MACHINES_PER_CLUSTER } from './ids.js';
import { kubeVersionFull, EKSD_NUMBER } from './versions.js';
import { timestamp } from '../store.js';

export { kubeVersionFull };

export const NAMESPACES = ['default', 'kube-system', 'eksa-system', 'eksa-packages'];

/** Plan machines: control plane, then etcd, then workers group by group; addresses in that order. */
function planMachines(name, index, def) {
  const machines = [];
  const machineSets = new Map();
  const taken = new Set();
  const unique = (prefix, ...parts) => {
    for (let salt = 0; ; salt += 1) {
      const candidate = `${prefix}-${nameSuffix(name, ...parts, salt || '')}`;
      if (!taken.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
    }
  };
  const add = (m) => machines.push({ ...m, address: machineAddress(index, machines.length) });
  for (let k = 0; k < def.controlPlane; k += 1) add({ role: 'cp', index: k, name: unique(name, 'cp', k), hardware: `${name}-cp-${k}` });
  if (def.etcd === 'external') {
    for (let k = 0; k < def.etcdCount; k += 1) add({ role: 'etcd', index: k, name: unique(`${name}-etcd`, 'etcd', k), hardware: `${name}-etcd-${k}` });
  }
  for (const group of def.workers) {
    const machineSet = unique(`${name}-${group.name}`, group.name, 'machineset');
    const templateHash = numericHash(name, group.name);
    machineSets.set(group.name, machineSet);
    for (let k = 0; k < group.count; k += 1) {
      add({ role: 'worker', group: group.name, index: k, machineSet, templateHash, name: unique(machineSet, group.name, k), hardware: `${name}-${group.name}-${k}` });
    }
  }
  if (machines.length > MAX_MACHINES_PER_CLUSTER) {
    throw new Error(`cluster ${name}: ${machines.length} machines; the simulator allows ${MAX_MACHINES_PER_CLUSTER} per cluster`);
  }
  return { machines, machineSets };
}

function clusterContext(world, def, index) {
  const created = world.createdMs + index * 1000;
  const { machines, machineSets } = planMachines(def.name, index, def);
  return {
    seed: world.seed,
    name: def.name,
    index,
    def,
    shape: def.shape,
    management: world.management,
    // A provider per cluster: a mixed tree (the cluster entry's `provider:`, else the scenario's).
    provider: PROVIDERS[def.provider ?? world.provider],
    created: timestamp(new Date(created)),
    readyTime: timestamp(new Date(created + 15 * 60 * 1000)),
    // EKS-A suffixes machine template names with a Unix-millisecond timestamp.
    stamp: String(created),
    endpoint: endpointAddress(index),
    kubeVersion: kubeVersionFull(def.kubernetesVersion),
    workerKubeVersion: (group) => kubeVersionFull(group?.kubernetesVersion ?? def.kubernetesVersion),
    eksdNumber: EKSD_NUMBER,
    machines,
    etcdEndpoints: machines.filter((m) => m.role === 'etcd').map((m) => `https://${m.address}:2379`),
    machineSetName: (group) => machineSets.get(group.name),
    templateHash: (group) => numericHash(def.name, group.name),
  };
}

/**
 * Every object of the world described by a normalised definition (see scenario.js).
 * @param {{ provider: string, management: string, clusters: any[] }} definition
 * @param {{ seed: string, now: number }} options
 */
export function generateWorld(definition, { seed, now }) {
  const world = { seed, provider: definition.provider, management: definition.management, createdMs: now - 30 * 24 * 3600 * 1000 };
  const base = { seed, created: timestamp(new Date(world.createdMs)) };
  // Namespaces an EKS-A cluster entry names (`namespace:`) exist too.
  const namespaces = [...new Set([...NAMESPACES, ...definition.clusters.map((c) => c.namespace ?? 'default')])];
  const objects = [
    ...namespaces.map((ns) => makeObject(base, 'v1', 'Namespace', ns, undefined, { labels: { 'kubernetes.io/metadata.name': ns } }, {
      spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
    })),
    ...crdObjects(base),
    ...releaseObjects(base, definition.clusters.map((c) => c.eksaVersion), definition.clusters.map((c) => c.kubernetesVersion)),
  ];
  definition.clusters.forEach((def, index) => {
    const ctx = clusterContext(world, def, index);
    objects.push(...eksaObjects(ctx), ...capiObjects(ctx), ...clusterSecrets(ctx));
  });
  return objects;
}
