// The simulated controllers: observedGeneration catches up after a spec change, as the real
// kubectl sees it, unless the object is marked stuck.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/index.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import { startSim, type Sim } from '../helpers/sim.js';

const kubectl = (sim: Sim, args: string[]) =>
  execa('kubectl', args, { env: sim.env, cwd: sim.workdir, reject: false, timeout: 30_000 });

async function json(sim: Sim, args: string[]) {
  const r = await kubectl(sim, [...args, '-o', 'json']);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout);
}

/** `kubectl wait --for=jsonpath=…`: the real client's own watch decides. */
async function waitFor(sim: Sim, resource: string, namespace: string, jsonpath: string, value: number) {
  const r = await kubectl(sim, ['wait', resource, '-n', namespace, `--for=jsonpath={${jsonpath}}=${value}`, '--timeout=15s']);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
}

const merge = (sim: Sim, resource: string, namespace: string, patch: unknown, extra: string[] = []) =>
  json(sim, ['patch', resource, '-n', namespace, '--type', 'merge', '-p', JSON.stringify(patch), ...extra]);

describe('default controllers (reconcileDelayMs 50)', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ scenario: 'healthy', seed: 'controllers' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('catch a CAPI Cluster up after clusterctl-style pause and resume, paused or not', async () => {
    const paused = await merge(sim, 'clusters.cluster.x-k8s.io/w01', 'eksa-system', { spec: { paused: true } });
    // The write itself answers before any controller ran.
    expect([paused.metadata.generation, paused.status.observedGeneration]).toEqual([2, 1]);
    await waitFor(sim, 'clusters.cluster.x-k8s.io/w01', 'eksa-system', '.status.observedGeneration', 2);
    const resumed = await merge(sim, 'clusters.cluster.x-k8s.io/w01', 'eksa-system', { spec: { paused: null } });
    expect(resumed.metadata.generation).toBe(3);
    await waitFor(sim, 'clusters.cluster.x-k8s.io/w01', 'eksa-system', '.status.observedGeneration', 3);
    const capi = await json(sim, ['get', 'clusters.cluster.x-k8s.io/w01', '-n', 'eksa-system']);
    expect(capi.spec.paused).toBeUndefined();
    // metav1 conditions carry the generation they were computed for; v1beta1 ones do not.
    expect(new Set(capi.status.conditions.map((c: any) => c.observedGeneration))).toEqual(new Set([3]));
    expect(capi.status.deprecated.v1beta1.conditions.every((c: any) => !('observedGeneration' in c))).toBe(true);
  });

  it('catch up KubeadmControlPlane, MachineDeployment, EtcdadmCluster and the EKS-A Cluster', async () => {
    const cases: Array<[string, string, unknown]> = [
      ['kubeadmcontrolplanes.controlplane.cluster.x-k8s.io/w02', 'eksa-system', { spec: { rolloutStrategy: null, rollout: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0 } } } } }],
      ['machinedeployments.cluster.x-k8s.io/w02-md-0', 'eksa-system', { spec: { replicas: 2 } }],
      ['etcdadmclusters.etcdcluster.cluster.x-k8s.io/w02-etcd', 'eksa-system', { spec: { replicas: 5 } }],
      ['clusters.anywhere.eks.amazonaws.com/w02', 'default', { spec: { kubernetesVersion: '1.32' } }],
    ];
    for (const [resource, namespace, patch] of cases) {
      const written = await merge(sim, resource, namespace, patch);
      expect(written.status.observedGeneration, resource).toBe(written.metadata.generation - 1);
      await waitFor(sim, resource, namespace, '.status.observedGeneration', written.metadata.generation);
    }
    const eksa = await json(sim, ['get', 'clusters.anywhere.eks.amazonaws.com/w02', '-n', 'default']);
    // EKS-A records the reconciled generations as well; conditions and versions are not a controller's guess.
    expect(eksa.status).toMatchObject({ observedGeneration: 2, reconciledGeneration: 2, childrenReconciledGeneration: 2 });
    expect(eksa.status.conditions.every((c: any) => c.status === 'True')).toBe(true);
  });

  it('do nothing for metadata changes, status writes and server-side dry runs', async () => {
    const before = await json(sim, ['get', 'kcp/w03', '-n', 'eksa-system']);
    const labelled = await json(sim, ['label', 'kcp/w03', '-n', 'eksa-system', 'touched=yes']);
    expect(labelled.metadata.generation).toBe(before.metadata.generation);
    const dry = await merge(sim, 'kcp/w03', 'eksa-system', { spec: { replicas: 3 } }, ['--dry-run=server']);
    expect([dry.metadata.generation, dry.status.observedGeneration]).toEqual([2, 1]);
    await new Promise((r) => setTimeout(r, 200));
    const after = await json(sim, ['get', 'kcp/w03', '-n', 'eksa-system']);
    expect([after.metadata.generation, after.status.observedGeneration, after.spec.replicas]).toEqual([1, 1, 1]);
  });
});

describe('a stuck object (unready-generation-behind)', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ scenario: 'unready-generation-behind', seed: 'stuck' });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('stays behind through further spec changes until the stuck annotation goes', async () => {
    const written = await merge(sim, 'clusters.anywhere.eks.amazonaws.com/w02', 'default', { spec: { kubernetesVersion: '1.32' } });
    expect([written.metadata.generation, written.status.observedGeneration]).toEqual([4, 2]);
    await new Promise((r) => setTimeout(r, 300));
    const still = await json(sim, ['get', 'clusters.anywhere.eks.amazonaws.com/w02', '-n', 'default']);
    expect([still.metadata.generation, still.status.observedGeneration]).toEqual([4, 2]);
    // Its neighbours are not stuck.
    await merge(sim, 'clusters.anywhere.eks.amazonaws.com/w01', 'default', { spec: { kubernetesVersion: '1.32' } });
    await waitFor(sim, 'clusters.anywhere.eks.amazonaws.com/w01', 'default', '.status.observedGeneration', 2);

    const released = await kubectl(sim, ['annotate', 'clusters.anywhere.eks.amazonaws.com/w02', '-n', 'default', 'sim.eksa.aws/stuck-']);
    expect(released.exitCode).toBe(0);
    await waitFor(sim, 'clusters.anywhere.eks.amazonaws.com/w02', 'default', '.status.observedGeneration', 4);
  });
});

describe('reconcileDelayMs 0', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ scenario: scenarioExtending('healthy', { controllers: { reconcileDelayMs: 0 } }) });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('catches up within the write itself', async () => {
    const written = await merge(sim, 'machinedeployments.cluster.x-k8s.io/w01-md-0', 'eksa-system', { spec: { replicas: 3 } });
    expect([written.metadata.generation, written.status.observedGeneration]).toEqual([2, 2]);
    expect(written.status.conditions.every((c: any) => c.observedGeneration === 2)).toBe(true);
  });

  it('catches up a v1beta1-shaped object and its v1beta2 condition mirror too', async () => {
    const v1 = await startSim({ scenario: scenarioExtending('v1beta1-shape', { controllers: { reconcileDelayMs: 0 } }) });
    try {
      const name = v1.scenario.clusters.find((c) => c.shape === 'v1beta1')!.name;
      const written = await merge(v1, `clusters.cluster.x-k8s.io/${name}`, 'eksa-system', { spec: { paused: true } });
      expect(written.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
      expect([written.metadata.generation, written.status.observedGeneration]).toEqual([2, 2]);
      expect(written.status.v1beta2.conditions.every((c: any) => c.observedGeneration === 2)).toBe(true);
    } finally {
      await v1.close();
    }
  });
});

describe('scenario controllers block', () => {
  it('defaults to a 50 ms delay and is checked key by key', () => {
    expect(loadScenario('healthy', { seed: 's' }).controllers).toEqual({ reconcileDelayMs: 50 });
    expect(() => loadScenario(scenarioExtending('healthy', { controllers: { reconcileDelay: 5 } }))).toThrow(/unknown key\(s\) controllers\.reconcileDelay/);
    expect(() => loadScenario(scenarioExtending('healthy', { controllers: { reconcileDelayMs: -1 } }))).toThrow(/whole number >= 0/);
  });
});
