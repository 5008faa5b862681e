// One Machine with its infrastructure machine, bootstrap config and bootstrap data Secret.
import {
  makeObject, ownerRef, v1beta1Conditions, v1beta2Conditions, apiVersions, refFor, SYSTEM_NS, CLUSTER_NAME_LABEL,
} from './objects.js';
import { noise } from './ids.js';

const OS_IMAGES = {
  ubuntu: 'Ubuntu 22.04.5 LTS',
  redhat: 'Red Hat Enterprise Linux 9.4 (Plow)',
  bottlerocket: 'Bottlerocket OS 1.29.0 (vmware-k8s-1.31)',
};

/** The labels CAPI and EKS-A put on a machine of `role` (cp / etcd / worker). */
export function machineLabels(ctx, m) {
  const labels = { [CLUSTER_NAME_LABEL]: ctx.name };
  if (m.role === 'cp') {
    labels['cluster.x-k8s.io/control-plane'] = '';
    labels['cluster.x-k8s.io/control-plane-name'] = ctx.name;
  } else if (m.role === 'etcd') {
    labels['cluster.x-k8s.io/etcd-cluster'] = `${ctx.name}-etcd`;
  } else if (m.role === 'worker') {
    labels['cluster.x-k8s.io/deployment-name'] = `${ctx.name}-${m.group}`;
    labels['cluster.x-k8s.io/set-name'] = m.machineSet;
    labels['machine-template-hash'] = m.templateHash;
  }
  return labels;
}

export function machineObjects(ctx, m, owner) {
  const { provider, shape, readyTime: t } = ctx;
  const v = apiVersions(shape);
  const ref = refFor(shape);
  const v2 = shape === 'v1beta2';
  const labels = machineLabels(ctx, m);
  const isEtcd = m.role === 'etcd';
  const bootstrapApiVersion = isEtcd ? 'bootstrap.cluster.x-k8s.io/v1beta1' : v.bootstrap;
  const bootstrapKind = isEtcd ? 'EtcdadmConfig' : 'KubeadmConfig';
  const nodeName = provider.nodeName(m);
  const version = m.role === 'worker' ? ctx.workerKubeVersion(ctx.def.workers.find((w) => w.name === m.group)) : ctx.kubeVersion;

  // etcd machines never get a Node: no nodeRef, no node conditions (EKS-A's unstacked-etcd patch).
  const v2Types = [
    ['Available', 'True', 'Available'], ['Ready', 'True', 'Ready'], ['UpToDate', 'True', 'UpToDate'],
    ['BootstrapConfigReady', 'True', 'Ready'], ['InfrastructureReady', 'True', 'Ready'],
    ...(isEtcd ? [] : [['NodeReady', 'True', 'NodeReady'], ['NodeHealthy', 'True', 'NodeHealthy']]),
    ['Deleting', 'False', 'NotDeleting'], ['Paused', 'False', 'NotPaused'],
  ];
  const v1Types = ['Ready', 'BootstrapReady', 'InfrastructureReady', ...(isEtcd ? [] : ['NodeHealthy'])];
  const addresses = [{ type: 'ExternalIP', address: m.address }, { type: 'InternalIP', address: m.address }];
  const nodeInfo = isEtcd ? {} : {
    nodeInfo: {
      architecture: 'amd64', operatingSystem: 'linux', osImage: OS_IMAGES[ctx.def.os], kubeletVersion: version,
      kubeProxyVersion: version, containerRuntimeVersion: 'containerd://1.7.24', kernelVersion: '6.1.0-sim',
      machineID: noise('machine-id', m.name), systemUUID: noise('system-uuid', m.name), bootID: noise('boot', m.name),
    },
  };

  const machine = makeObject(ctx, v.capi, 'Machine', m.name, SYSTEM_NS, { labels, ownerReferences: [ownerRef(owner, true)] }, {
    spec: {
      clusterName: ctx.name,
      bootstrap: { configRef: ref(bootstrapApiVersion, bootstrapKind, m.name), dataSecretName: m.name },
      infrastructureRef: ref(provider.infraApiVersion, provider.infraMachineKind, m.name),
      providerID: provider.providerID(ctx, m),
      ...(isEtcd ? {} : { version }),
    },
    status: v2
      ? {
        phase: 'Running',
        ...(isEtcd ? {} : { nodeRef: { name: nodeName } }),
        addresses,
        observedGeneration: 1,
        initialization: { infrastructureProvisioned: true, bootstrapDataSecretCreated: true },
        lastUpdated: t,
        ...nodeInfo,
        conditions: v1beta2Conditions(t, 1, v2Types),
        deprecated: { v1beta1: { conditions: v1beta1Conditions(t, v1Types) } },
      }
      : {
        phase: 'Running',
        ...(isEtcd ? {} : { nodeRef: { apiVersion: 'v1', kind: 'Node', name: nodeName, uid: noise('node', m.name) } }),
        addresses,
        bootstrapReady: true,
        infrastructureReady: true,
        observedGeneration: 1,
        lastUpdated: t,
        ...nodeInfo,
        conditions: v1beta1Conditions(t, v1Types),
        v1beta2: { conditions: v1beta2Conditions(t, 1, v2Types) },
      },
  });
  const ownedByMachine = { labels, ownerReferences: [ownerRef(machine, true)] };
  const infra = provider.infraMachine(ctx, m);
  const infraMachine = makeObject(ctx, provider.infraApiVersion, provider.infraMachineKind, m.name, SYSTEM_NS, ownedByMachine, infra);
  const format = ctx.def.os === 'bottlerocket' ? 'bottlerocket' : 'cloud-config';
  const bootstrap = makeObject(ctx, bootstrapApiVersion, bootstrapKind, m.name, SYSTEM_NS, ownedByMachine, {
    spec: isEtcd
      ? { etcdadmBuiltin: true, format }
      : { format, ...(m.role === 'cp' && m.index === 0 ? { initConfiguration: { nodeRegistration: { name: nodeName } } } : { joinConfiguration: { nodeRegistration: { name: nodeName } } }) },
    status: {
      ready: true,
      dataSecretName: m.name,
      observedGeneration: 1,
      ...(v2 && !isEtcd ? { initialization: { dataSecretCreated: true } } : {}),
    },
  });
  const dataSecret = makeObject(ctx, 'v1', 'Secret', m.name, SYSTEM_NS, {
    labels: { [CLUSTER_NAME_LABEL]: ctx.name }, ownerReferences: [ownerRef(bootstrap, true)],
  }, {
    type: 'cluster.x-k8s.io/secret',
    data: {
      format: Buffer.from(format).toString('base64'),
      value: Buffer.from(`sim-secret-${ctx.name}-bootstrap-data-${noise(ctx.seed, m.name, 'bootstrap')}`).toString('base64'),
    },
  });
  // The Node its nodeRef names (etcd machines have none): the world holds what a Machine points at.
  const node = isEtcd ? [] : [nodeObject(ctx, m, { nodeName, version, addresses, nodeInfo: nodeInfo.nodeInfo })];
  return [machine, infraMachine, bootstrap, dataSecret, ...node];
}

/**
 * The Node of a control-plane or worker Machine, as the kubelet registers it and CAPI annotates it
 * (cluster-api internal/controllers/machine `reconcileNode`: cluster-name, cluster-namespace, machine,
 * owner-kind, owner-name). Every kubeconfig of the simulated tree points at the one server, so the Nodes of
 * every cluster live there (a real management cluster's API holds only its own).
 */
function nodeObject(ctx, m, { nodeName, version, addresses, nodeInfo }) {
  const cp = m.role === 'cp';
  const t = ctx.readyTime;
  const labels = {
    'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
    ...(cp ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
  };
  const annotations = {
    'cluster.x-k8s.io/cluster-name': ctx.name, 'cluster.x-k8s.io/cluster-namespace': SYSTEM_NS, 'cluster.x-k8s.io/machine': m.name,
    'cluster.x-k8s.io/owner-kind': cp ? 'KubeadmControlPlane' : 'MachineSet', 'cluster.x-k8s.io/owner-name': cp ? ctx.name : m.machineSet,
  };
  const node = makeObject(ctx, 'v1', 'Node', nodeName, undefined, { labels, annotations }, {
    spec: { providerID: ctx.provider.providerID(ctx, m), ...(cp ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}) },
    status: {
      addresses: [...addresses.filter((a) => a.type === 'InternalIP'), { type: 'Hostname', address: nodeName }],
      nodeInfo: { ...nodeInfo, kubeletVersion: version, kubeProxyVersion: version },
      conditions: [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'], ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'], ['Ready', 'True', 'KubeletReady'],
      ].map(([type, status, reason]) => ({ type, status, reason, lastHeartbeatTime: t, lastTransitionTime: t })),
    },
  });
  // The uid a v1beta1 Machine's nodeRef carries.
  node.metadata.uid = noise('node', m.name);
  return node;
}
