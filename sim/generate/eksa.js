// EKS Anywhere objects of one cluster, in its namespace (`default` unless the scenario says otherwise): the
// Cluster, its datacenter config and machine configs `<c>-cp`, `<c>-etcd` (external etcd) and `<c>-<group>`
// (none for Docker, whose Cluster names no machine configs).
import { makeObject, ownerRef, v1beta1Conditions } from './objects.js';

export const EKSA_API_VERSION = 'anywhere.eks.amazonaws.com/v1alpha1';

/** Machine config names per role, as the generator and the spec files use them. */
export const machineConfigName = (cluster, role) => `${cluster}-${role}`;

export function eksaObjects(ctx) {
  const { name, def, provider } = ctx;
  const NS = def.namespace ?? 'default';
  const mc = Boolean(provider.machineConfigKind);
  const mcRef = (role) => (mc ? { machineGroupRef: { kind: provider.machineConfigKind, name: machineConfigName(name, role) } } : {});
  const cluster = makeObject(ctx, EKSA_API_VERSION, 'Cluster', name, NS, {}, {
    spec: {
      clusterNetwork: {
        cniConfig: { cilium: {} },
        pods: { cidrBlocks: ['192.168.0.0/16'] },
        services: { cidrBlocks: ['10.96.0.0/12'] },
      },
      controlPlaneConfiguration: {
        count: def.controlPlane,
        endpoint: { host: ctx.endpoint },
        ...mcRef('cp'),
      },
      datacenterRef: { kind: provider.datacenterKind, name },
      eksaVersion: def.eksaVersion,
      ...(def.etcd === 'external'
        ? { externalEtcdConfiguration: { count: def.etcdCount, ...mcRef('etcd') } }
        : {}),
      kubernetesVersion: def.kubernetesVersion,
      managementCluster: { name: ctx.management },
      workerNodeGroupConfigurations: def.workers.map((w) => ({
        count: w.count,
        ...mcRef(w.name),
        name: w.name,
        ...(w.kubernetesVersion ? { kubernetesVersion: w.kubernetesVersion } : {}),
      })),
    },
    status: {
      // Ready first, then the others by name: the order CAPI's condition setter keeps.
      conditions: v1beta1Conditions(ctx.readyTime, ['Ready', 'ControlPlaneInitialized', 'ControlPlaneReady', 'DefaultCNIConfigured', 'WorkersReady']),
      observedGeneration: 1,
      reconciledGeneration: 1,
      childrenReconciledGeneration: 1,
      eksdReleaseRef: {
        apiVersion: 'distro.eks.amazonaws.com/v1alpha1',
        kind: 'Release',
        name: `kubernetes-${def.kubernetesVersion.replace('.', '-')}-eks-${ctx.eksdNumber}`,
        namespace: 'eksa-system',
      },
    },
  });
  const owned = { ownerReferences: [ownerRef(cluster)] };
  const datacenter = makeObject(ctx, EKSA_API_VERSION, provider.datacenterKind, name, NS, owned, {
    spec: provider.datacenterSpec(ctx),
    status: { specValid: true, observedGeneration: 1 },
  });
  const roles = !mc ? [] : ['cp', ...(def.etcd === 'external' ? ['etcd'] : []), ...def.workers.map((w) => w.name)];
  const machineConfigs = roles.map((role) => makeObject(ctx, EKSA_API_VERSION, provider.machineConfigKind, machineConfigName(name, role), NS, owned, {
    spec: provider.machineConfigSpec(ctx, role),
    status: { specValid: true, observedGeneration: 1 },
  }));
  return [cluster, datacenter, ...machineConfigs];
}
