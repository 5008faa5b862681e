// The scenario format's fidelity extensions (sim/README.md): a provider per cluster, EKS-A clusters in any
// namespace, objects added as given, a written spec that differs from the live objects, and the fake
// eksctl's spec checks that the real one runs (worker version rules, immutable fields, unquoted versions).
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  PROVIDERS, immutableFields, loadScenario, normalizeKubernetesVersion, specFileText, workerKubernetesVersionSkew, type SimObject,
} from '../../sim/index.js';

const NOW = Date.parse('2026-01-15T12:00:00Z');
const load = (def: string | Record<string, unknown>) => loadScenario(def, { seed: 'fixed', now: NOW });
const eksa = (objects: SimObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.apiVersion.startsWith('anywhere.eks.amazonaws.com/') && o.metadata.name === name);

describe('a provider per cluster (mixed-providers)', () => {
  const s = load('mixed-providers');

  // EKS-A's defaults: vSphere capv (ec2-user on Bottlerocket), CloudStack capc (DefaultCloudStackUser),
  // Nutanix eksa; a SnowMachineConfig has no users (sshKeyName); Docker has no machine configs at all.
  it.each([
    ['mgmt', 'VSphereDatacenterConfig', 'VSphereMachineConfig', 'capv', 'VSphereCluster', 'infrastructure.cluster.x-k8s.io/v1beta1'],
    ['w01', 'CloudStackDatacenterConfig', 'CloudStackMachineConfig', 'capc', 'CloudStackCluster', 'infrastructure.cluster.x-k8s.io/v1beta3'],
    ['w02', 'NutanixDatacenterConfig', 'NutanixMachineConfig', 'eksa', 'NutanixCluster', 'infrastructure.cluster.x-k8s.io/v1beta1'],
    ['w03', 'SnowDatacenterConfig', 'SnowMachineConfig', undefined, 'AWSSnowCluster', 'infrastructure.cluster.x-k8s.io/v1beta1'],
    ['w04', 'DockerDatacenterConfig', undefined, undefined, 'DockerCluster', 'infrastructure.cluster.x-k8s.io/v1beta1'],
  ])('%s: %s, %s, user %s, %s', (name, dc, mc, user, infra, infraApi) => {
    const cluster = eksa(s.objects, 'Cluster', name)!;
    expect(cluster.spec.datacenterRef).toEqual({ kind: dc, name });
    expect(eksa(s.objects, dc, name)).toBeDefined();
    if (mc) {
      expect(cluster.spec.controlPlaneConfiguration.machineGroupRef).toEqual({ kind: mc, name: `${name}-cp` });
      const cp = eksa(s.objects, mc, `${name}-cp`)!;
      expect(cp.metadata.namespace).toBe(cluster.metadata.namespace);
      expect(cp.spec.users?.[0]?.name).toBe(user);
    } else {
      expect(cluster.spec.controlPlaneConfiguration.machineGroupRef).toBeUndefined();
      expect(s.objects.filter((o) => o.kind.endsWith('MachineConfig') && o.metadata.name.startsWith(`${name}-`))).toEqual([]);
    }
    const capi = s.objects.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('cluster.x-k8s.io/') && o.metadata.name === name)!;
    expect(capi.spec.infrastructureRef.kind).toBe(infra);
    expect(s.objects.find((o) => o.kind === infra && o.metadata.name === name)?.apiVersion).toBe(infraApi);
  });

  it('keeps the provider tables in step with the product defaults', () => {
    expect(PROVIDERS.snow.sshUser('bottlerocket')).toBe('ec2-user');
    expect(PROVIDERS.snow.sshUser('ubuntu')).toBeUndefined();
    expect(PROVIDERS.vsphere.sshUser('bottlerocket')).toBe('ec2-user');
    expect(PROVIDERS.docker.machineConfigKind).toBeUndefined();
  });

  it('puts w01 in namespace team-a, which exists, and writes its spec there', () => {
    expect(eksa(s.objects, 'Cluster', 'w01')!.metadata.namespace).toBe('team-a');
    expect(s.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === 'team-a')).toBe(true);
    const docs = YAML.parseAllDocuments(specFileText(s, 'w01')!).map((d) => d.toJS());
    expect(docs.map((d) => `${d.kind}/${d.metadata.namespace}`)).toEqual([
      'Cluster/team-a', 'CloudStackDatacenterConfig/team-a', 'CloudStackMachineConfig/team-a', 'CloudStackMachineConfig/team-a',
    ]);
    // A cluster in `default` keeps the spec file it always had: no namespace line.
    expect(specFileText(s, 'mgmt')).not.toMatch(/namespace:/);
  });

  it('adds the objects the scenario lists: a Node without a Machine, a Namespace', () => {
    const node = s.objects.find((o) => o.kind === 'Node' && o.metadata.name === 'stray-node-0')!;
    expect(node.metadata.uid).toMatch(/\w/);
    expect(node.metadata.namespace).toBeUndefined();
    expect(s.objects.some((o) => o.kind === 'Machine' && o.status?.nodeRef?.name === 'stray-node-0')).toBe(false);
    expect(s.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === 'observability')).toBe(true);
  });
});

describe('Nodes: the world holds what every Machine points at', () => {
  it.each(['healthy', 'mixed-providers', 'tinkerbell-stacked', 'v1beta1-shape', 'added-machine'])('%s: a Node per nodeRef, with its providerID and kubelet version', (name) => {
    const s = load(name);
    const nodes = new Map(s.objects.filter((o) => o.kind === 'Node').map((n) => [n.metadata.name, n]));
    const machines = s.objects.filter((o) => o.kind === 'Machine');
    for (const m of machines) {
      const ref = m.status?.nodeRef;
      if ('cluster.x-k8s.io/etcd-cluster' in (m.metadata.labels ?? {})) {
        // etcdadm members never join as Nodes.
        expect(ref, m.metadata.name).toBeUndefined();
        continue;
      }
      const node = nodes.get(ref?.name);
      expect(node, `${m.metadata.name} → ${ref?.name}`).toBeDefined();
      if (ref.uid !== undefined) expect(node!.metadata.uid).toBe(ref.uid);
      if (m.spec.providerID !== undefined) expect(node!.spec.providerID).toBe(m.spec.providerID);
      if (m.status.nodeInfo) expect(node!.status.nodeInfo.kubeletVersion).toBe(m.status.nodeInfo.kubeletVersion);
      expect(node!.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
    }
    // Every Node is a Machine's, except those the scenario adds on purpose (a Node without a Machine).
    const referenced = new Set(machines.map((m) => m.status?.nodeRef?.name).filter(Boolean));
    const orphans = [...nodes.keys()].filter((n) => !referenced.has(n));
    expect(orphans).toEqual(name === 'mixed-providers' ? ['stray-node-0'] : []);
  });

  it('a control-plane Node carries its role and CAPI annotations', () => {
    const s = load('healthy');
    const machine = s.objects.find((o) => o.kind === 'Machine' && 'cluster.x-k8s.io/control-plane' in (o.metadata.labels ?? {}))!;
    const node = s.objects.find((o) => o.kind === 'Node' && o.metadata.name === machine.status.nodeRef.name)!;
    expect(node.metadata.labels).toHaveProperty('node-role.kubernetes.io/control-plane', '');
    expect(node.metadata.annotations).toMatchObject({ 'cluster.x-k8s.io/machine': machine.metadata.name, 'cluster.x-k8s.io/owner-kind': 'KubeadmControlPlane' });
  });
});

describe('add:', () => {
  const base = { name: 'x', clusters: [{ name: 'mgmt' }] };

  it('fills an ownerReference uid from the object it names', () => {
    const s = load('added-machine');
    const stray = s.objects.find((o) => o.kind === 'Machine' && o.metadata.name === 'w01-md-0-stray-0')!;
    const owner = s.objects.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('cluster.x-k8s.io/') && o.metadata.name === 'w01')!;
    expect(stray.metadata.ownerReferences[0].uid).toBe(owner.metadata.uid);
    expect(stray.metadata.generation).toBe(1);
  });

  it.each([
    ['an unserved kind', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' } }, /does not serve Deployment/],
    ['a namespaced kind without namespace', { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Machine', metadata: { name: 'm' } }, /metadata.namespace is required/],
    ['an object that exists', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, /already exists/],
    ['an owner that does not exist', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'Secret', name: 'nope' }] } }, /names no object/],
  ])('refuses %s', (_what, obj, message) => {
    expect(() => load({ ...base, add: [obj] })).toThrow(message);
  });
});

describe('specFile: the written spec may differ from the live objects', () => {
  const clusterDoc = (s: ReturnType<typeof load>, name = 'mgmt') => YAML.parseAllDocuments(specFileText(s, name)!)[0]!.toJS();

  it('keeps a stale eksaVersion (spec-stale-eksa-version)', () => {
    const s = load('spec-stale-eksa-version');
    expect(clusterDoc(s).spec).toMatchObject({ eksaVersion: 'v0.22.0', kubernetesVersion: '1.32' });
    expect(s.upgradeTo.eksaVersion).toBe('v0.23.0');
  });

  it('removes a pinned worker version (spec-worker-pin-removed)', () => {
    const s = load('spec-worker-pin-removed');
    expect(eksa(s.objects, 'Cluster', 'mgmt')!.spec.workerNodeGroupConfigurations[0].kubernetesVersion).toBe('1.30');
    expect(clusterDoc(s).spec.workerNodeGroupConfigurations[0]).not.toHaveProperty('kubernetesVersion');
  });

  it('writes kubernetesVersion unquoted (spec-unquoted-kubernetes-version)', () => {
    const s = load('spec-unquoted-kubernetes-version');
    const text = specFileText(s, 'mgmt')!;
    expect(text).toMatch(/^ {2}kubernetesVersion: 1\.30$/m);
    // Read naively it is the float 1.3; EKS-A (and the fake eksctl) quote it first.
    expect(YAML.parse(text.split('---')[0]!).spec.kubernetesVersion).toBe(1.3);
    expect(YAML.parse(normalizeKubernetesVersion(text.split('---')[0]!)).spec.kubernetesVersion).toBe('1.30');
  });

  it('applies a merge patch of the Cluster document, and refuses unknown keys and groups', () => {
    const s = load({ name: 'x', clusters: [{ name: 'mgmt', specFile: { patch: { spec: { controlPlaneConfiguration: { count: 5 } } } } }] });
    expect(clusterDoc(s).spec.controlPlaneConfiguration.count).toBe(5);
    expect(() => load({ name: 'x', clusters: [{ name: 'mgmt', specFile: { nope: 1 } }] })).toThrow(/unknown key\(s\) specFile.nope/);
    const noGroup = load({ name: 'x', clusters: [{ name: 'mgmt', specFile: { workers: { 'md-9': { count: 1 } } } }] });
    expect(() => specFileText(noGroup, 'mgmt')).toThrow(/no worker group md-9/);
  });
});

describe("the fake eksctl's spec checks, as the real CLI runs them", () => {
  const cluster = (spec: Record<string, unknown>): SimObject => ({ apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'Cluster', metadata: { name: 'c' }, spec } as SimObject);
  const group = (kubernetesVersion?: string) => ({ name: 'md-0', count: 1, ...(kubernetesVersion ? { kubernetesVersion } : {}) });
  const at = (cp: string, worker?: string) => cluster({ kubernetesVersion: cp, workerNodeGroupConfigurations: [group(worker)] });

  // pkg/api/v1alpha1/cluster_webhook.go performWorkerKubernetesValidations and friends.
  it.each([
    ['pinned kept, control plane +1', at('1.31', '1.30'), at('1.32', '1.30'), undefined],
    ['pin removed while the control plane stays', at('1.31', '1.30'), at('1.31'), undefined],
    ['pin removed while the control plane is upgraded', at('1.31', '1.30'), at('1.32'), /can't simultaneously remove worker kubernetesVersion and upgrade cluster level kubernetesVersion: 1.32/],
    ['pinned +2 at once', at('1.31', '1.29'), at('1.31', '1.31'), /only \+1 minor version skew is supported, minor version skew detected 2/],
    ['an unpinned group pinned: steps from the old control plane', at('1.31'), at('1.32', '1.32'), undefined],
    ['worker ahead of the control plane', at('1.31', '1.31'), at('1.31', '1.32'), /cluster level minor version must be within 2 versions greater than worker node group version: 1.32/],
    ['worker three minors behind', at('1.31', '1.29'), at('1.32', '1.29'), /within 2 versions greater than worker node group version: 1.29/],
  ])('%s', (_what, old, next, error) => {
    if (error) expect(() => workerKubernetesVersionSkew(next, old)).toThrow(error);
    else expect(() => workerKubernetesVersionSkew(next, old)).not.toThrow();
  });

  it.each([
    ['the datacenter', { datacenterRef: { kind: 'VSphereDatacenterConfig', name: 'other' } }, /spec.dataCenterRef.name is immutable/],
    ['the endpoint', { controlPlaneConfiguration: { endpoint: { host: '10.0.0.9' } } }, /spec.controlPlaneConfiguration.endpoint is immutable/],
    ['the management cluster', { managementCluster: { name: 'other' } }, /management cluster field is immutable/],
    ['external etcd added', { externalEtcdConfiguration: { count: 3 } }, /adding an external etcd configuration is unsupported/],
  ])('refuses a change of %s (ValidateImmutableFields)', (_what, change, error) => {
    const base = { datacenterRef: { kind: 'VSphereDatacenterConfig', name: 'c' }, controlPlaneConfiguration: { endpoint: { host: '10.0.0.1' } }, managementCluster: { name: 'c' } };
    expect(() => immutableFields(cluster(base), cluster(base))).not.toThrow();
    expect(() => immutableFields(cluster({ ...base, ...change }), cluster(base))).toThrow(error);
  });

  it('quotes only unquoted two-part versions', () => {
    expect(normalizeKubernetesVersion('spec:\n  kubernetesVersion: 1.30\n  workerNodeGroupConfigurations:\n    - kubernetesVersion: 1.29\n'))
      .toBe('spec:\n  kubernetesVersion: "1.30"\n  workerNodeGroupConfigurations:\n    - kubernetesVersion: "1.29"\n');
    expect(normalizeKubernetesVersion('  kubernetesVersion: "1.30"\n')).toBe('  kubernetesVersion: "1.30"\n');
  });
});
