// Scenario loading and the generated object trees (no server involved).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import {
  SCENARIO_DIR, buildScenario, generateWorkloads, loadScenario, resolveScenarioPath, specDocuments, type Scenario, type SimObject,
} from '../../sim/index.js';

const NOW = Date.parse('2026-01-15T12:00:00Z');
const load = (name: string, workloads = 0) => loadScenario(name, { seed: 'fixed', now: NOW, workloads });

const groupOf = (o: SimObject) => o.apiVersion.split('/')[0];
const find = (s: Scenario, kind: string, group: string, name: string) =>
  s.objects.find((o) => o.kind === kind && groupOf(o) === group && o.metadata.name === name);
const all = (s: Scenario, kind: string, filter: (o: SimObject) => boolean = () => true) => s.objects.filter((o) => o.kind === kind && filter(o));
const ofCluster = (c: string) => (o: SimObject) => o.metadata.labels?.['cluster.x-k8s.io/cluster-name'] === c;

describe('healthy', () => {
  const s = load('healthy');

  it('has the four clusters, management first, with the upgrade target', () => {
    expect(s.clusters.map((c) => c.name)).toEqual(['mgmt', 'w01', 'w02', 'w03']);
    expect(s.management).toBe('mgmt');
    expect(s.upgradeTo).toEqual({ kubernetesVersion: '1.32', eksaVersion: 'v0.23.0' });
  });

  it.each([
    ['mgmt', 'ubuntu', 'capv', 3, 3, 2],
    ['w01', 'ubuntu', 'capv', 1, 0, 2],
    ['w02', 'bottlerocket', 'ec2-user', 1, 3, 1],
    ['w03', 'bottlerocket', 'ec2-user', 1, 0, 1],
  ])('%s: EKS-A objects (%s, user %s)', (name, osFamily, user, cp, etcd, workers) => {
    const cluster = find(s, 'Cluster', 'anywhere.eks.amazonaws.com', name)!;
    expect(cluster.metadata.namespace).toBe('default');
    expect(cluster.spec).toMatchObject({
      kubernetesVersion: '1.31', eksaVersion: 'v0.22.0', managementCluster: { name: 'mgmt' },
      datacenterRef: { kind: 'VSphereDatacenterConfig', name },
      controlPlaneConfiguration: { count: cp, machineGroupRef: { kind: 'VSphereMachineConfig', name: `${name}-cp` } },
      workerNodeGroupConfigurations: [{ name: 'md-0', count: workers, machineGroupRef: { kind: 'VSphereMachineConfig', name: `${name}-md-0` } }],
    });
    expect(cluster.spec.externalEtcdConfiguration?.count).toBe(etcd || undefined);
    expect(cluster.status.observedGeneration).toBe(cluster.metadata.generation);
    expect(cluster.status.conditions.map((c: any) => `${c.type}=${c.status}`))
      .toEqual(['Ready=True', 'ControlPlaneInitialized=True', 'ControlPlaneReady=True', 'DefaultCNIConfigured=True', 'WorkersReady=True']);
    const configs = all(s, 'VSphereMachineConfig', (o) => o.metadata.name.startsWith(`${name}-`));
    expect(configs.map((o) => o.metadata.name).sort()).toEqual([`${name}-cp`, ...(etcd ? [`${name}-etcd`] : []), `${name}-md-0`].sort());
    for (const c of configs) {
      expect(c.spec.osFamily).toBe(osFamily);
      expect(c.spec.users[0].name).toBe(user);
    }
    expect(find(s, 'VSphereDatacenterConfig', 'anywhere.eks.amazonaws.com', name)).toBeDefined();
  });

  it.each([['mgmt', 3, 3, 2], ['w01', 1, 0, 2], ['w02', 1, 3, 1], ['w03', 1, 0, 1]])('%s: CAPI objects', (name, cp, etcd, workers) => {
    const capi = find(s, 'Cluster', 'cluster.x-k8s.io', name)!;
    expect(capi.apiVersion).toBe('cluster.x-k8s.io/v1beta2');
    expect(capi.metadata.namespace).toBe('eksa-system');
    expect(capi.status).toMatchObject({ phase: 'Provisioned', observedGeneration: 1, initialization: { infrastructureProvisioned: true, controlPlaneInitialized: true } });
    expect(capi.status.conditions.filter((c: any) => ['Available', 'InfrastructureReady', 'ControlPlaneInitialized', 'ControlPlaneAvailable', 'WorkersAvailable'].includes(c.type) && c.status === 'True')).toHaveLength(5);
    expect(capi.spec.controlPlaneRef).toEqual({ apiGroup: 'controlplane.cluster.x-k8s.io', kind: 'KubeadmControlPlane', name });
    expect(capi.spec.infrastructureRef).toEqual({ apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'VSphereCluster', name });
    expect(capi.spec.managedExternalEtcdRef?.name).toBe(etcd ? `${name}-etcd` : undefined);

    const kcp = find(s, 'KubeadmControlPlane', 'controlplane.cluster.x-k8s.io', name)!;
    expect(kcp.status).toMatchObject({ replicas: cp, readyReplicas: cp, availableReplicas: cp, upToDateReplicas: cp, observedGeneration: 1, initialization: { controlPlaneInitialized: true } });
    expect(kcp.status.conditions.find((c: any) => c.type === 'Available').status).toBe('True');
    const etcdCluster = find(s, 'EtcdadmCluster', 'etcdcluster.cluster.x-k8s.io', `${name}-etcd`);
    if (etcd) expect(etcdCluster!.status).toMatchObject({ ready: true, initialized: true, creationComplete: true, observedGeneration: etcdCluster!.metadata.generation });
    else expect(etcdCluster).toBeUndefined();
    const md = find(s, 'MachineDeployment', 'cluster.x-k8s.io', `${name}-md-0`)!;
    expect(md.spec).toMatchObject({ clusterName: name, replicas: workers });
    expect(md.status).toMatchObject({ replicas: workers, readyReplicas: workers, availableReplicas: workers, upToDateReplicas: workers, phase: 'Running', observedGeneration: 1 });
    expect(find(s, 'VSphereCluster', 'infrastructure.cluster.x-k8s.io', name)).toBeDefined();

    const machines = all(s, 'Machine', ofCluster(name));
    const role = (m: SimObject) => ('cluster.x-k8s.io/control-plane' in m.metadata.labels! ? 'cp'
      : 'cluster.x-k8s.io/etcd-cluster' in m.metadata.labels! ? 'etcd' : 'worker');
    expect(machines.filter((m) => role(m) === 'cp')).toHaveLength(cp);
    expect(machines.filter((m) => role(m) === 'etcd')).toHaveLength(etcd);
    expect(machines.filter((m) => role(m) === 'worker')).toHaveLength(workers);
    for (const m of machines) {
      expect(m.status.phase).toBe('Running');
      expect(m.status.addresses.map((a: any) => a.type)).toEqual(['ExternalIP', 'InternalIP']);
      expect(m.status.nodeRef === undefined).toBe(role(m) === 'etcd');
      const owner = m.metadata.ownerReferences![0]!;
      expect(owner.controller).toBe(true);
      expect(owner.kind).toBe({ cp: 'KubeadmControlPlane', etcd: 'EtcdadmCluster', worker: 'MachineSet' }[role(m)]);
      if (role(m) === 'etcd') expect(m.metadata.labels!['cluster.x-k8s.io/etcd-cluster']).toBe(`${name}-etcd`);
      if (role(m) === 'worker') expect(m.metadata.labels!['cluster.x-k8s.io/deployment-name']).toBe(`${name}-md-0`);
      expect(find(s, 'VSphereMachine', 'infrastructure.cluster.x-k8s.io', m.metadata.name)).toBeDefined();
    }
  });

  it('gives every machine its own loopback address', () => {
    const addresses = all(s, 'Machine').map((m) => m.status.addresses[0].address);
    expect(new Set(addresses).size).toBe(addresses.length);
    for (const a of addresses) expect(a).toMatch(/^127\.([1-9]\d*)\.\d+\.\d+$/);
    expect(find(s, 'Machine', 'cluster.x-k8s.io', all(s, 'Machine', ofCluster('mgmt'))[0]!.metadata.name)!.status.addresses[0].address).toMatch(/^127\.1\.0\./);
  });

  it('resolves every ownerReference to an object of that uid in the same namespace', () => {
    const byUid = new Map(s.objects.map((o) => [o.metadata.uid, o]));
    expect(byUid.size).toBe(s.objects.length);
    for (const o of s.objects) {
      for (const ref of o.metadata.ownerReferences ?? []) {
        const owner = byUid.get(ref.uid);
        expect(owner, `${o.kind}/${o.metadata.name} → ${ref.kind}/${ref.name}`).toBeDefined();
        expect([owner!.kind, owner!.metadata.name, owner!.metadata.namespace, owner!.apiVersion]).toEqual([ref.kind, ref.name, o.metadata.namespace, ref.apiVersion]);
      }
    }
  });

  it('has the six soft-owned cluster Secrets with recognisable fake values', () => {
    for (const c of ['mgmt', 'w01', 'w02', 'w03']) {
      for (const purpose of ['kubeconfig', 'ca', 'etcd', 'sa', 'proxy', 'apiserver-etcd-client']) {
        const secret = find(s, 'Secret', 'v1', `${c}-${purpose}`)!;
        expect(secret.metadata.namespace).toBe('eksa-system');
        expect(secret.metadata.ownerReferences).toBeUndefined();
        const values = Object.values(secret.data as Record<string, string>).map((v) => Buffer.from(v, 'base64').toString());
        expect(values.join('\n')).toMatch(new RegExp(`sim-secret-${c}-${purpose}-[0-9a-f]{12}`));
      }
    }
  });

  it('has the namespaces, the EKSARelease and CRDs labelled for clusterctl', () => {
    expect(all(s, 'Namespace').map((n) => n.metadata.name)).toEqual(expect.arrayContaining(['default', 'eksa-system', 'eksa-packages']));
    const release = find(s, 'EKSARelease', 'anywhere.eks.amazonaws.com', 'eksa-v0-22-0')!;
    expect(release.metadata.namespace).toBe('eksa-system');
    expect(release.spec.version).toBe('v0.22.0');
    const crd = (name: string) => find(s, 'CustomResourceDefinition', 'apiextensions.k8s.io', name)!;
    expect(crd('machines.cluster.x-k8s.io').metadata.labels).toMatchObject({ 'clusterctl.cluster.x-k8s.io': '' });
    expect(crd('etcdadmclusters.etcdcluster.cluster.x-k8s.io').metadata.labels).toMatchObject({ 'clusterctl.cluster.x-k8s.io': '' });
    expect(crd('clusters.anywhere.eks.amazonaws.com').metadata.labels).toBeUndefined();
    expect(crd('clusters.cluster.x-k8s.io').spec.versions.map((v: any) => `${v.name}:${v.storage}`)).toEqual(['v1beta2:true', 'v1beta1:false']);
  });

  it('is deterministic for a seed; names do not depend on it, uids and secrets do', () => {
    const again = load('healthy');
    expect(again.objects).toEqual(s.objects);
    const other = loadScenario('healthy', { seed: 'other', now: NOW });
    expect(other.objects.map((o) => o.metadata.name)).toEqual(s.objects.map((o) => o.metadata.name));
    expect(find(other, 'Machine', 'cluster.x-k8s.io', all(s, 'Machine')[0]!.metadata.name)!.metadata.uid)
      .not.toBe(all(s, 'Machine')[0]!.metadata.uid);
    expect(find(other, 'Secret', 'v1', 'w01-ca')!.data).not.toEqual(find(s, 'Secret', 'v1', 'w01-ca')!.data);
  });

  it('writes spec documents with the upgrade target for every cluster', () => {
    const docs = specDocuments(s, 'w02')!;
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Cluster/w02', 'VSphereDatacenterConfig/w02', 'VSphereMachineConfig/w02-cp', 'VSphereMachineConfig/w02-etcd', 'VSphereMachineConfig/w02-md-0',
    ]);
    expect(docs[0]!.spec).toMatchObject({ kubernetesVersion: '1.32', eksaVersion: 'v0.23.0', managementCluster: { name: 'mgmt' } });
    expect(docs[0]!.status).toBeUndefined();
    expect(Object.keys(docs[0]!.metadata)).toEqual(['name']);
  });
});

/** Objects (by kind/namespace/name) whose JSON differs between two scenarios built with the same seed. */
function changed(a: Scenario, b: Scenario) {
  const key = (o: SimObject) => `${o.kind}.${groupOf(o)}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const left = new Map(a.objects.map((o) => [key(o), JSON.stringify(o)]));
  const right = new Map(b.objects.map((o) => [key(o), JSON.stringify(o)]));
  return [...new Set([...left.keys(), ...right.keys()])].filter((k) => left.get(k) !== right.get(k)).sort();
}

describe('unready scenarios break exactly one thing', () => {
  const healthy = load('healthy');
  const w02Machine = all(healthy, 'Machine', (m) => m.metadata.labels?.['cluster.x-k8s.io/deployment-name'] === 'w02-md-0')[0]!.metadata.name;
  const cond = (o: SimObject | undefined, type: string) => o?.status.conditions.find((c: any) => c.type === type);
  const get = (s: Scenario, kind: string, group: string, name: string) => find(s, kind, group, name)!;

  it.each<[string, string[], (s: Scenario) => void]>([
    ['unready-eksa-not-ready', ['Cluster.anywhere.eks.amazonaws.com/default/w02'], (s) => {
      const ready = cond(get(s, 'Cluster', 'anywhere.eks.amazonaws.com', 'w02'), 'Ready');
      expect(ready).toMatchObject({ status: 'False', reason: 'ControlPlaneNotReady' });
      expect(ready.message).toBeTruthy();
    }],
    ['unready-failure-message', ['Cluster.anywhere.eks.amazonaws.com/default/w02'], (s) => {
      expect(get(s, 'Cluster', 'anywhere.eks.amazonaws.com', 'w02').status).toMatchObject({ failureReason: expect.any(String), failureMessage: expect.any(String) });
    }],
    ['unready-generation-behind', ['Cluster.anywhere.eks.amazonaws.com/default/w02'], (s) => {
      const c = get(s, 'Cluster', 'anywhere.eks.amazonaws.com', 'w02');
      expect([c.metadata.generation, c.status.observedGeneration]).toEqual([3, 2]);
    }],
    ['unready-paused', [
      'Cluster.anywhere.eks.amazonaws.com/default/w02', 'Cluster.cluster.x-k8s.io/eksa-system/w02', 'VSphereDatacenterConfig.anywhere.eks.amazonaws.com/default/w02',
      'VSphereMachineConfig.anywhere.eks.amazonaws.com/default/w02-cp', 'VSphereMachineConfig.anywhere.eks.amazonaws.com/default/w02-etcd', 'VSphereMachineConfig.anywhere.eks.amazonaws.com/default/w02-md-0',
    ], (s) => {
      expect(get(s, 'Cluster', 'anywhere.eks.amazonaws.com', 'w02').metadata.annotations).toEqual({ 'anywhere.eks.amazonaws.com/paused': 'true' });
      expect(get(s, 'Cluster', 'cluster.x-k8s.io', 'w02').spec.paused).toBe(true);
    }],
    ['unready-capi-cluster-missing', ['Cluster.cluster.x-k8s.io/eksa-system/w02'], (s) => {
      expect(find(s, 'Cluster', 'cluster.x-k8s.io', 'w02')).toBeUndefined();
    }],
    ['unready-capi-not-provisioned', ['Cluster.cluster.x-k8s.io/eksa-system/w02'], (s) => {
      const c = get(s, 'Cluster', 'cluster.x-k8s.io', 'w02');
      expect(c.status).toMatchObject({ phase: 'Provisioning', initialization: { infrastructureProvisioned: false, controlPlaneInitialized: true } });
    }],
    ['unready-control-plane-not-ready', ['KubeadmControlPlane.controlplane.cluster.x-k8s.io/eksa-system/w02'], (s) => {
      const kcp = get(s, 'KubeadmControlPlane', 'controlplane.cluster.x-k8s.io', 'w02');
      expect(kcp.status.readyReplicas).toBeLessThan(kcp.status.replicas);
      expect(kcp.status.upToDateReplicas).toBeLessThan(kcp.status.replicas);
      expect(cond(kcp, 'Available')).toMatchObject({ status: 'False', observedGeneration: 1 });
    }],
    ['unready-etcd-not-ready', ['EtcdadmCluster.etcdcluster.cluster.x-k8s.io/eksa-system/w02-etcd'], (s) => {
      expect(get(s, 'EtcdadmCluster', 'etcdcluster.cluster.x-k8s.io', 'w02-etcd').status.ready).toBe(false);
    }],
    ['unready-workers-rolling-out', ['MachineDeployment.cluster.x-k8s.io/eksa-system/w02-md-0'], (s) => {
      const md = get(s, 'MachineDeployment', 'cluster.x-k8s.io', 'w02-md-0');
      expect([md.status.upToDateReplicas, md.spec.replicas]).toEqual([0, 1]);
      expect(cond(md, 'RollingOut').status).toBe('True');
    }],
    // A failed Machine is never counted ready by CAPI: its MachineDeployment and MachineSet say so too.
    ['unready-machine-failed', [
      `Machine.cluster.x-k8s.io/eksa-system/${w02Machine}`,
      'MachineDeployment.cluster.x-k8s.io/eksa-system/w02-md-0',
      `MachineSet.cluster.x-k8s.io/eksa-system/${w02Machine.replace(/-[^-]+$/, '')}`,
    ], (s) => {
      const m = get(s, 'Machine', 'cluster.x-k8s.io', w02Machine);
      expect(m.status.phase).toBe('Failed');
      expect(m.status.deprecated.v1beta1.failureMessage).toBeTruthy();
      const md = get(s, 'MachineDeployment', 'cluster.x-k8s.io', 'w02-md-0');
      expect([md.status.readyReplicas, md.status.availableReplicas]).toEqual([0, 0]);
      expect(cond(md, 'Available').status).toBe('False');
    }],
    ['unready-management', ['KubeadmControlPlane.controlplane.cluster.x-k8s.io/eksa-system/mgmt'], (s) => {
      const kcp = get(s, 'KubeadmControlPlane', 'controlplane.cluster.x-k8s.io', 'mgmt');
      expect([kcp.status.readyReplicas, kcp.status.replicas]).toEqual([2, 3]);
      expect(cond(kcp, 'Available').status).toBe('False');
    }],
  ])('%s', (name, expectedChanges, check) => {
    const s = load(name);
    expect(s.name).toBe(name);
    expect(changed(healthy, s)).toEqual([...expectedChanges].sort());
    check(s);
  });
});

describe('other shapes and providers', () => {
  it('v1beta1-shape reports the older CAPI status fields', () => {
    const s = load('v1beta1-shape');
    const capi = find(s, 'Cluster', 'cluster.x-k8s.io', 'w02')!;
    expect(capi.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
    expect(capi.status).toMatchObject({ phase: 'Provisioned', infrastructureReady: true, controlPlaneReady: true });
    expect(capi.status.initialization).toBeUndefined();
    expect(capi.spec.controlPlaneRef).toEqual({ apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', name: 'w02', namespace: 'eksa-system' });
    const kcp = find(s, 'KubeadmControlPlane', 'controlplane.cluster.x-k8s.io', 'mgmt')!;
    expect(kcp.status).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 3, unavailableReplicas: 0, ready: true, initialized: true });
    expect(kcp.status.upToDateReplicas).toBeUndefined();
    const md = find(s, 'MachineDeployment', 'cluster.x-k8s.io', 'mgmt-md-0')!;
    expect(md.status).toMatchObject({ updatedReplicas: 2, phase: 'Running' });
    const machine = all(s, 'Machine', ofCluster('w01'))[0]!;
    expect(machine.status).toMatchObject({ bootstrapReady: true, infrastructureReady: true, nodeRef: { kind: 'Node' } });
    expect(machine.status.conditions[0]).toEqual({ type: 'Ready', status: 'True', lastTransitionTime: expect.any(String) });
  });

  it('tinkerbell-stacked has Tinkerbell configs and infrastructure, no etcd cluster', () => {
    const s = load('tinkerbell-stacked');
    expect(s.clusters.map((c) => [c.name, c.os, c.etcd])).toEqual([['mgmt', 'ubuntu', 'stacked'], ['w01', 'bottlerocket', 'stacked']]);
    expect(find(s, 'TinkerbellDatacenterConfig', 'anywhere.eks.amazonaws.com', 'mgmt')).toBeDefined();
    expect(all(s, 'TinkerbellMachineConfig').map((c) => `${c.metadata.name}:${c.spec.osFamily}:${c.spec.users[0].name}`).sort())
      .toEqual(['mgmt-cp:ubuntu:ec2-user', 'mgmt-md-0:ubuntu:ec2-user', 'w01-cp:bottlerocket:ec2-user', 'w01-md-0:bottlerocket:ec2-user']);
    expect(all(s, 'TinkerbellMachine')).toHaveLength(3 + 2 + 1 + 1);
    expect(find(s, 'Cluster', 'cluster.x-k8s.io', 'mgmt')!.spec.infrastructureRef.kind).toBe('TinkerbellCluster');
    expect(all(s, 'EtcdadmCluster')).toHaveLength(0);
    expect(all(s, 'VSphereMachine')).toHaveLength(0);
  });

  it('generates workload clusters w-0001… with unique addresses', () => {
    expect(generateWorkloads(2).map((w) => w.name)).toEqual(['w-0001', 'w-0002']);
    const s = load('healthy', 300);
    expect(s.clusters).toHaveLength(304);
    expect(s.clusters.at(-1)).toMatchObject({ name: 'w-0300', os: 'ubuntu', etcd: 'stacked', controlPlane: 1, kubernetesVersion: '1.31' });
    const addresses = all(s, 'Machine').map((m) => m.status.addresses[0].address);
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(find(s, 'Cluster', 'cluster.x-k8s.io', 'w-0300')!.status.phase).toBe('Provisioned');
  });
});

describe('scenario files', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eksa-sim-scn-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, doc: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof doc === 'string' ? doc : YAML.stringify(doc));
    return file;
  };
  const base = { name: 'base', management: 'm', clusters: [{ name: 'm', kubernetesVersion: '1.30' }, { name: 'w', kubernetesVersion: '1.30' }] };

  it('extends a parent, accumulating patches and removals', () => {
    write('parent.yaml', { ...base, patches: [{ kind: 'KubeadmControlPlane', name: 'w', patch: { status: { readyReplicas: 0 } } }] });
    const child = write('child.yaml', {
      extends: 'parent.yaml',
      patches: [{ kind: 'Machine', name: 'w-*', namespace: 'eksa-system', patch: { status: { phase: 'Deleting' } } }],
      remove: [{ kind: 'MachineHealthCheck', name: '*' }],
    });
    const s = loadScenario(child);
    expect(s.name).toBe('child');
    expect(find(s, 'KubeadmControlPlane', 'controlplane.cluster.x-k8s.io', 'w')!.status.readyReplicas).toBe(0);
    expect(all(s, 'Machine', ofCluster('w')).map((m) => m.status.phase)).toEqual(['Deleting', 'Deleting']);
    expect(all(s, 'Machine', ofCluster('m')).every((m) => m.status.phase === 'Running')).toBe(true);
    expect(all(s, 'MachineHealthCheck')).toHaveLength(0);
  });

  it.each<[string, unknown, RegExp]>([
    ['a patch that matches nothing', { ...base, patches: [{ kind: 'Machine', name: 'nope-*', patch: {} }] }, /no Machine.cluster.x-k8s.io named "nope-\*"/],
    ['an ambiguous kind', { ...base, patches: [{ kind: 'Cluster', name: 'w', patch: {} }] }, /ambiguous/],
    ['a patch without an effect', { ...base, patches: [{ kind: 'Machine', name: '*' }] }, /needs patch or conditions/],
    ['an unknown top-level key', { ...base, clustrs: [] }, /unknown key\(s\) clustrs/],
    ['an unknown cluster key', { ...base, clusters: [{ name: 'm', wrkers: [] }] }, /unknown key\(s\) wrkers/],
    ['an unquoted kubernetes version', 'name: x\nclusters:\n  - { name: m, kubernetesVersion: 1.30 }\n', /quoted string/],
    ['a management cluster not listed', { ...base, management: 'zz' }, /management cluster "zz"/],
    ['external etcd on Tinkerbell', { ...base, provider: 'tinkerbell', clusters: [{ name: 'm', etcd: 'external' }] }, /not supported on Tinkerbell/],
    ['a repeated cluster name', { ...base, clusters: [{ name: 'm' }, { name: 'm' }] }, /repeated/],
  ])('rejects %s', (_what, doc, message) => {
    expect(() => loadScenario(write('bad.yaml', doc))).toThrow(message);
  });

  it('resolves names to the shipped scenarios and paths to files', () => {
    expect(resolveScenarioPath('healthy')).toBe(path.join(SCENARIO_DIR, 'healthy.yaml'));
    expect(resolveScenarioPath('unready-paused.yaml')).toBe(path.join(SCENARIO_DIR, 'unready-paused.yaml'));
    expect(resolveScenarioPath(path.join(dir, 'x.yaml'))).toBe(path.join(dir, 'x.yaml'));
  });

  it('rejects an extends cycle', () => {
    write('a.yaml', { extends: 'b.yaml' });
    write('b.yaml', { extends: 'a.yaml' });
    expect(() => loadScenario(path.join(dir, 'a.yaml'))).toThrow(/extends cycle/);
  });

  it('builds from an in-memory definition too', () => {
    const s = buildScenario({ ...base, clusterDefaults: { shape: 'v1beta1' } }, { seed: 's' });
    expect(find(s, 'Cluster', 'cluster.x-k8s.io', 'w')!.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
  });
});
