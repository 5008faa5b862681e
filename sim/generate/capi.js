// Cluster API objects of one cluster in eksa-system, settled and healthy, in the v1beta2 status shape
// (CAPI v1.11+, what EKS-A ships today) or, with `shape: v1beta1`, the older one.
import {
  makeObject, ownerRef, refV1beta1, v1beta1Conditions, v1beta2Conditions, apiVersions, refFor, SYSTEM_NS, CLUSTER_NAME_LABEL,
} from './objects.js';
import { machineObjects, machineLabels } from './machines.js';

const ETCD = 'etcdcluster.cluster.x-k8s.io/v1beta1';

/** The v1beta2 conditions every settled CAPI object reports besides its own positive ones. */
const QUIET = [
  ['RollingOut', 'False', 'NotRollingOut'], ['ScalingUp', 'False', 'NotScalingUp'], ['ScalingDown', 'False', 'NotScalingDown'],
  ['Remediating', 'False', 'NotRemediating'], ['Deleting', 'False', 'NotDeleting'], ['Paused', 'False', 'NotPaused'],
];

/** Replica counters of a settled group, as both shapes name them. */
function replicaStatus(shape, n, extra = {}) {
  return shape === 'v1beta2'
    ? { replicas: n, readyReplicas: n, availableReplicas: n, upToDateReplicas: n, ...extra }
    : { replicas: n, readyReplicas: n, availableReplicas: n, updatedReplicas: n, unavailableReplicas: 0, ...extra };
}

export function capiObjects(ctx) {
  const { name, def, provider, shape, readyTime: t } = ctx;
  const v = apiVersions(shape);
  const ref = refFor(shape);
  const v2 = shape === 'v1beta2';
  const labels = { [CLUSTER_NAME_LABEL]: name };
  const external = def.etcd === 'external';
  const workerCount = def.workers.reduce((sum, w) => sum + w.count, 0);

  const v1Cluster = ['Ready', 'ControlPlaneInitialized', 'ControlPlaneReady', 'InfrastructureReady',
    ...(external ? ['ManagedExternalEtcdClusterInitialized', 'ManagedExternalEtcdClusterReady'] : [])];
  const v2Cluster = v1beta2Conditions(t, 1, [
    ['Available', 'True', 'Available'], ['InfrastructureReady', 'True', 'Ready'], ['ControlPlaneInitialized', 'True', 'Initialized'],
    ['ControlPlaneAvailable', 'True', 'Available'], ['WorkersAvailable', 'True', 'Available'], ['RemoteConnectionProbe', 'True', 'ProbeSucceeded'],
    ['MachinesReady', 'True', 'Ready'], ['MachinesUpToDate', 'True', 'UpToDate'], ...QUIET,
  ]);
  const cluster = makeObject(ctx, v.capi, 'Cluster', name, SYSTEM_NS, { labels }, {
    spec: {
      clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.96.0.0/12'] } },
      controlPlaneEndpoint: { host: ctx.endpoint, port: 6443 },
      controlPlaneRef: ref(v.kcp, 'KubeadmControlPlane', name),
      infrastructureRef: ref(provider.infraApiVersion, provider.infraClusterKind, name),
      // EKS-A's CAPI fork: the external etcd cluster, always a full ObjectReference.
      ...(external ? { managedExternalEtcdRef: refV1beta1(ETCD, 'EtcdadmCluster', `${name}-etcd`) } : {}),
    },
    status: v2
      ? {
        initialization: { infrastructureProvisioned: true, controlPlaneInitialized: true },
        phase: 'Provisioned',
        observedGeneration: 1,
        conditions: v2Cluster,
        controlPlane: { desiredReplicas: def.controlPlane, ...replicaStatus(shape, def.controlPlane) },
        workers: { desiredReplicas: workerCount, ...replicaStatus(shape, workerCount) },
        deprecated: { v1beta1: { conditions: v1beta1Conditions(t, v1Cluster) } },
      }
      : {
        phase: 'Provisioned',
        infrastructureReady: true,
        controlPlaneReady: true,
        observedGeneration: 1,
        conditions: v1beta1Conditions(t, v1Cluster),
        v1beta2: { conditions: v2Cluster },
      },
  });
  const ownedByCluster = { labels, ownerReferences: [ownerRef(cluster)] };

  const infraCluster = makeObject(ctx, provider.infraApiVersion, provider.infraClusterKind, name, SYSTEM_NS, ownedByCluster, {
    spec: provider.infraClusterSpec(ctx),
    status: { ready: true, conditions: v1beta1Conditions(t, ['Ready']) },
  });

  const templates = {
    cp: makeObject(ctx, provider.infraApiVersion, provider.templateKind, `${name}-control-plane-template-${ctx.stamp}`, SYSTEM_NS, ownedByCluster, { spec: provider.templateSpec(ctx, 'cp') }),
    ...(external ? { etcd: makeObject(ctx, provider.infraApiVersion, provider.templateKind, `${name}-etcd-template-${ctx.stamp}`, SYSTEM_NS, ownedByCluster, { spec: provider.templateSpec(ctx, 'etcd') }) } : {}),
  };

  const cpReady = def.controlPlane;
  const kcp = makeObject(ctx, v.kcp, 'KubeadmControlPlane', name, SYSTEM_NS, ownedByCluster, {
    spec: {
      replicas: def.controlPlane,
      version: ctx.kubeVersion,
      machineTemplate: v2
        ? { spec: { infrastructureRef: ref(provider.infraApiVersion, provider.templateKind, templates.cp.metadata.name) } }
        : { infrastructureRef: ref(provider.infraApiVersion, provider.templateKind, templates.cp.metadata.name) },
      kubeadmConfigSpec: {
        clusterConfiguration: {
          etcd: external
            ? { external: { endpoints: ctx.etcdEndpoints, caFile: '/etc/kubernetes/pki/etcd/ca.crt', certFile: '/etc/kubernetes/pki/apiserver-etcd-client.crt', keyFile: '/etc/kubernetes/pki/apiserver-etcd-client.key' } }
            : { local: { dataDir: '/var/lib/etcd' } },
        },
        format: def.os === 'bottlerocket' ? 'bottlerocket' : 'cloud-config',
      },
      ...(v2
        ? { rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } }
        : { rolloutStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }),
    },
    status: {
      ...(v2 ? { initialization: { controlPlaneInitialized: true } } : { initialized: true, ready: true }),
      ...replicaStatus(shape, cpReady),
      observedGeneration: 1,
      version: ctx.kubeVersion,
      selector: `${CLUSTER_NAME_LABEL}=${name},cluster.x-k8s.io/control-plane`,
      ...kcpConditions(shape, t, cpReady),
    },
  });

  const etcd = external
    ? [makeObject(ctx, ETCD, 'EtcdadmCluster', `${name}-etcd`, SYSTEM_NS, ownedByCluster, {
      spec: {
        replicas: def.etcdCount,
        etcdadmConfigSpec: { etcdadmBuiltin: true, format: def.os === 'bottlerocket' ? 'bottlerocket' : 'cloud-config' },
        infrastructureTemplate: refV1beta1(provider.infraApiVersion, provider.templateKind, templates.etcd.metadata.name),
      },
      status: {
        // etcdadm-controller serialises ReadyReplicas as `replicas`.
        replicas: def.etcdCount,
        initialized: true,
        ready: true,
        creationComplete: true,
        endpoints: ctx.etcdEndpoints.join(','),
        initMachineAddress: ctx.machines.find((m) => m.role === 'etcd')?.address,
        selector: `cluster.x-k8s.io/etcd-cluster=${name}-etcd`,
        observedGeneration: 1,
        conditions: v1beta1Conditions(t, ['Ready', 'EtcdCertificatesAvailable', 'EtcdClusterResizeCompleted', 'EtcdEndpointsAvailable', 'EtcdMachinesSpecUpToDate']),
      },
    })]
    : [];

  const owners = { cp: kcp, etcd: etcd[0] };
  const groups = def.workers.flatMap((group) => workerGroupObjects(ctx, cluster, group, owners));
  const machines = ctx.machines.filter((m) => m.role !== 'worker').flatMap((m) => machineObjects(ctx, m, owners[m.role]));
  const mhcs = [
    mhc(ctx, cluster, `${name}-kcp-unhealthy`, machineLabels(ctx, { role: 'cp' }), def.controlPlane),
    ...def.workers.map((g) => mhc(ctx, cluster, `${name}-${g.name}-worker-unhealthy`, { [CLUSTER_NAME_LABEL]: name, 'cluster.x-k8s.io/deployment-name': `${name}-${g.name}` }, g.count)),
  ];
  return [cluster, infraCluster, ...Object.values(templates), kcp, ...etcd, ...machines, ...groups, ...mhcs];
}

function kcpConditions(shape, t, ready) {
  const v2 = v1beta2Conditions(t, 1, [
    ['Available', 'True', 'Available'], ['CertificatesAvailable', 'True', 'Available'], ['EtcdClusterHealthy', 'True', 'Healthy'],
    ['ControlPlaneComponentsHealthy', 'True', 'Healthy'], ['MachinesReady', 'True', 'Ready'], ['MachinesUpToDate', 'True', 'UpToDate'], ...QUIET,
  ]);
  const v1 = v1beta1Conditions(t, ['Ready', 'Available', 'CertificatesAvailable', 'ControlPlaneComponentsHealthy', 'EtcdClusterHealthy', 'MachinesCreated', 'MachinesReady', 'Resized']);
  return shape === 'v1beta2'
    ? { conditions: v2, deprecated: { v1beta1: { conditions: v1, readyReplicas: ready, updatedReplicas: ready, unavailableReplicas: 0 } } }
    : { conditions: v1, v1beta2: { conditions: v2, readyReplicas: ready, availableReplicas: ready, upToDateReplicas: ready } };
}

/** MachineDeployment `<c>-<group>`, its MachineSet, templates and Machines. */
function workerGroupObjects(ctx, cluster, group, owners) {
  const { name, provider, shape, readyTime: t } = ctx;
  const v = apiVersions(shape);
  const ref = refFor(shape);
  const v2 = shape === 'v1beta2';
  const mdName = `${name}-${group.name}`;
  const ownedByCluster = { labels: { [CLUSTER_NAME_LABEL]: name }, ownerReferences: [ownerRef(cluster)] };
  const template = makeObject(ctx, provider.infraApiVersion, provider.templateKind, `${mdName}-${ctx.stamp}`, SYSTEM_NS, ownedByCluster, { spec: provider.templateSpec(ctx, group.name) });
  const configTemplate = makeObject(ctx, v.bootstrap, 'KubeadmConfigTemplate', `${mdName}-template-${ctx.stamp}`, SYSTEM_NS, ownedByCluster, {
    spec: { template: { spec: { format: ctx.def.os === 'bottlerocket' ? 'bottlerocket' : 'cloud-config', joinConfiguration: { nodeRegistration: {} } } } },
  });
  const selectorLabels = { [CLUSTER_NAME_LABEL]: name, 'cluster.x-k8s.io/deployment-name': mdName };
  const machineSpec = {
    clusterName: name,
    version: ctx.workerKubeVersion(group),
    bootstrap: { configRef: ref(v.bootstrap, 'KubeadmConfigTemplate', configTemplate.metadata.name) },
    infrastructureRef: ref(provider.infraApiVersion, provider.templateKind, template.metadata.name),
  };
  const n = group.count;
  const v2Conditions = v1beta2Conditions(t, 1, [
    ['Available', 'True', 'Available'], ['MachinesReady', 'True', 'Ready'], ['MachinesUpToDate', 'True', 'UpToDate'], ...QUIET,
  ]);
  const md = makeObject(ctx, v.capi, 'MachineDeployment', mdName, SYSTEM_NS, ownedByCluster, {
    spec: {
      clusterName: name,
      replicas: n,
      selector: { matchLabels: selectorLabels },
      template: { metadata: { labels: selectorLabels }, spec: machineSpec },
      ...(v2
        ? { rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } }
        : { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }),
    },
    status: {
      ...replicaStatus(shape, n),
      phase: 'Running',
      observedGeneration: 1,
      selector: Object.entries(selectorLabels).map(([k, val]) => `${k}=${val}`).join(','),
      ...(v2
        ? { conditions: v2Conditions, deprecated: { v1beta1: { conditions: v1beta1Conditions(t, ['Ready', 'Available', 'MachineSetReady']), readyReplicas: n, availableReplicas: n, updatedReplicas: n, unavailableReplicas: 0 } } }
        : { conditions: v1beta1Conditions(t, ['Ready', 'Available', 'MachineSetReady']), v1beta2: { conditions: v2Conditions, readyReplicas: n, availableReplicas: n, upToDateReplicas: n } }),
    },
  });
  const msLabels = { ...selectorLabels, 'machine-template-hash': ctx.templateHash(group) };
  const ms = makeObject(ctx, v.capi, 'MachineSet', ctx.machineSetName(group), SYSTEM_NS, { labels: msLabels, ownerReferences: [ownerRef(md, true)] }, {
    spec: {
      clusterName: name,
      replicas: n,
      selector: { matchLabels: msLabels },
      template: { metadata: { labels: msLabels }, spec: machineSpec },
    },
    status: {
      replicas: n,
      readyReplicas: n,
      availableReplicas: n,
      ...(v2 ? { upToDateReplicas: n } : { fullyLabeledReplicas: n }),
      observedGeneration: 1,
      selector: Object.entries(msLabels).map(([k, val]) => `${k}=${val}`).join(','),
      conditions: v2 ? v2Conditions : v1beta1Conditions(t, ['Ready', 'MachinesCreated', 'MachinesReady', 'Resized']),
    },
  });
  const machines = ctx.machines
    .filter((m) => m.role === 'worker' && m.group === group.name)
    .flatMap((m) => machineObjects(ctx, m, ms));
  return [template, configTemplate, md, ms, ...machines];
}

function mhc(ctx, cluster, name, selector, expected) {
  const v2 = ctx.shape === 'v1beta2';
  return makeObject(ctx, apiVersions(ctx.shape).capi, 'MachineHealthCheck', name, SYSTEM_NS, {
    labels: { [CLUSTER_NAME_LABEL]: ctx.name }, ownerReferences: [ownerRef(cluster)],
  }, {
    spec: v2
      ? {
        clusterName: ctx.name,
        selector: { matchLabels: selector },
        checks: { nodeStartupTimeoutSeconds: 1200, unhealthyNodeConditions: [{ type: 'Ready', status: 'Unknown', timeoutSeconds: 300 }, { type: 'Ready', status: 'False', timeoutSeconds: 300 }] },
        remediation: { triggerIf: { unhealthyLessThanOrEqualTo: '100%' } },
      }
      : {
        clusterName: ctx.name,
        selector: { matchLabels: selector },
        maxUnhealthy: '100%',
        nodeStartupTimeout: '20m0s',
        unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '5m0s' }, { type: 'Ready', status: 'False', timeout: '5m0s' }],
      },
    status: { expectedMachines: expected, currentHealthy: expected, remediationsAllowed: expected, observedGeneration: 1 },
  });
}
