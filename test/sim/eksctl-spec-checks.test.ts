// The fake eksctl refuses what the real one refuses and accepts what it accepts, on the bundled scenarios
// whose written spec differs from the live objects (sim/README.md, `specFile:`).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { startSim, type Sim } from '../helpers/sim.js';

const sims: Sim[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});
async function upgrade(scenario: string, cluster = 'mgmt', env: Record<string, string> = {}) {
  const s = await startSim({ scenario, seed: `spec-checks-${scenario}` });
  sims.push(s);
  const r = await execa('eksctl', ['anywhere', 'upgrade', 'cluster', '-f', `${cluster}/${cluster}-eks-a-cluster.yaml`], {
    env: { ...s.env, EKSA_SIM_EKSCTL_UPGRADE: JSON.stringify({ durationMs: 100 }), ...env }, cwd: s.workdir, reject: false, extendEnv: false, timeout: 60_000,
  });
  return { s, r };
}

describe('fake eksctl: the spec checks of the real upgrade preflight', () => {
  it('refuses removing a pinned worker version while the control plane is upgraded, before any write', async () => {
    const { s, r } = await upgrade('spec-worker-pin-removed');
    expect(r.exitCode).toBe(255);
    expect(r.stdout).toMatch(/Validation failed.*upgrade cluster worker node group kubernetes version increment.*can't simultaneously remove worker kubernetesVersion/);
    expect(r.stderr).toMatch(/^Error: failed to upgrade cluster: validations failed: spec.WorkerNodeConfiguration.kubernetesVersion: Invalid value: "1.30"/m);
    expect(s.journal().filter((e) => e.source === 'apiserver')).toEqual([]);
  });

  it('reads an unquoted kubernetesVersion: 1.30 as "1.30" and upgrades', async () => {
    const { s, r } = await upgrade('spec-unquoted-kubernetes-version');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(s.server.store.get('Cluster.anywhere.eks.amazonaws.com', 'default', 'mgmt')!.spec.kubernetesVersion).toBe('1.30');
  });

  it("replaces a stale spec eksaVersion with its own: the live cluster ends at eksctl's version", async () => {
    const { s, r } = await upgrade('spec-stale-eksa-version');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.server.store.get('Cluster.anywhere.eks.amazonaws.com', 'default', 'mgmt')!.spec.eksaVersion).toBe('v0.23.0');
  });

  it('refuses a +2 eksaVersion step even when the spec names the running version', async () => {
    const { r } = await upgrade('spec-stale-eksa-version-two-minors');
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/cannot upgrade to v0.24.0 from v0.22.0: EksaVersion upgrades must have a skew of 1 minor version/);
  });

  it('upgrades a workload cluster whose EKS-A objects live in another namespace (mixed-providers w01, CloudStack)', async () => {
    // eksctl at the management cluster's own version: a workload may not go ahead of its management cluster.
    const { s, r } = await upgrade('mixed-providers', 'w01', { EKSA_SIM_EKSCTL_VERSION: 'v0.22.0' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.server.store.get('Cluster.anywhere.eks.amazonaws.com', 'team-a', 'w01')!.spec.kubernetesVersion).toBe('1.32');
  });
});

// GetAndValidateClusterConfig (pkg/api/v1alpha1/cluster.go) and cluster.ValidateConfig (pkg/cluster): the
// real CLI refuses these specs before it reads or writes anything in the cluster, with these texts.
type Docs = Array<Record<string, any>>;
const cp = (d: Docs) => d.find((x) => x.kind === 'Cluster')!;
const refusals: Array<[what: string, source: string, mutate: (d: Docs) => void, error: string]> = [
  ['an unknown field', 'ParseClusterConfigFromContent → yaml.UnmarshalStrict', (d) => (cp(d).spec.controlPlaneConfiguration.replicas = 3),
    'unable to parse mgmt/bad.yaml file: error unmarshaling JSON: while decoding JSON: json: unknown field "replicas"'],
  ['a count given as a string', 'yaml.UnmarshalStrict (int field)', (d) => (cp(d).spec.controlPlaneConfiguration.count = '3'),
    'json: cannot unmarshal string into Go struct field ControlPlaneConfiguration.spec.controlPlaneConfiguration.count of type int'],
  ['a worker count of 1.5', 'yaml.UnmarshalStrict (int field)', (d) => (cp(d).spec.workerNodeGroupConfigurations[0].count = 1.5),
    'json: cannot unmarshal number 1.5 into Go struct field WorkerNodeGroupConfiguration.spec.workerNodeGroupConfigurations.count of type int'],
  ['an invalid cluster name', 'validateClusterConfigName → ValidateClusterName', (d) => (cp(d).metadata.name = '1mgmt'),
    'failed to validate cluster config name: 1mgmt is not a valid cluster name'],
  ['two worker groups with one name', 'validateWorkerNodeGroups', (d) => cp(d).spec.workerNodeGroupConfigurations.push({ ...cp(d).spec.workerNodeGroupConfigurations[0] }),
    'worker node group names must be unique'],
  ['no worker groups on vSphere', 'validateWorkerNodeGroups', (d) => (cp(d).spec.workerNodeGroupConfigurations = []),
    'WorkerNodeGroupConfigs cannot be empty for VSphereDatacenterConfig'],
  ['an external etcd count of 2', 'validateEtcdReplicas', (d) => (cp(d).spec.externalEtcdConfiguration.count = 2),
    'external etcd count cannot be an even number'],
  ['an external etcd count of -1', 'validateEtcdReplicas', (d) => (cp(d).spec.externalEtcdConfiguration.count = -1),
    'etcd replicas cannot be a negative number'],
  ['a control plane of 2 with stacked etcd', 'validateControlPlaneReplicas', (d) => {
    delete cp(d).spec.externalEtcdConfiguration;
    cp(d).spec.controlPlaneConfiguration.count = 2;
  }, 'control plane node count cannot be an even number when using stacked etcd topology'],
  ['a control plane of 0', 'validateControlPlaneReplicas', (d) => (cp(d).spec.controlPlaneConfiguration.count = 0),
    'control plane node count must be positive'],
  ['autoscaling with minCount above count', 'validateWorkerNodeGroups → validateAutoscalingConfig', (d) => (cp(d).spec.workerNodeGroupConfigurations[0].autoscalingConfiguration = { minCount: 3, maxCount: 5 }),
    'validating autoscaling configuration: min count must be less than or equal to count'],
  ['bundlesRef and eksaVersion both', 'validateEksaVersion', (d) => (cp(d).spec.bundlesRef = { name: 'bundles-1', namespace: 'eksa-system', apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1' }),
    'cannot pass both bundlesRef and eksaVersion'],
  ['a datacenter config in another namespace', 'pkg/cluster ValidateConfig → validateSameNamespace', (d) => (d.find((x) => x.kind === 'VSphereDatacenterConfig')!.metadata.namespace = 'elsewhere'),
    'unable to get cluster config from file: VSphereDatacenterConfig and Cluster objects must have the same namespace specified'],
];

describe('fake eksctl: the spec checks of GetAndValidateClusterConfig, before any read or write', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ scenario: 'healthy', seed: 'spec-checks-refusals' });
  });
  afterAll(async () => sim.close());

  const run = async (mutate: (d: Docs) => void) => {
    const docs = parseAllDocuments(readFileSync(sim.specFile('mgmt'), 'utf8')).map((d) => d.toJS()) as Docs;
    mutate(docs);
    writeFileSync(path.join(sim.workdir, 'mgmt', 'bad.yaml'), docs.map((d) => stringify(d)).join('---\n'));
    const before = sim.journal().filter((e) => e.source === 'apiserver').length;
    const r = await execa('eksctl', ['anywhere', 'upgrade', 'cluster', '-f', 'mgmt/bad.yaml'], { env: sim.env, cwd: sim.workdir, reject: false, extendEnv: false, timeout: 60_000 });
    return { r, apiCalls: sim.journal().filter((e) => e.source === 'apiserver').length - before };
  };

  it.each(refusals)('refuses %s (%s)', async (_what, _source, mutate, error) => {
    const { r, apiCalls } = await run(mutate);
    expect(r.exitCode, r.stdout).toBe(255);
    expect(r.stderr).toContain(error);
    expect(r.stderr).toMatch(/^Error: failed to upgrade cluster: (the cluster config file provided is invalid|unable to get cluster config from file): /m);
    expect(apiCalls).toBe(0);
  });

  it('accepts the spec as written, and a datacenter name with a dot', async () => {
    // EKS-A's names of configs are object names: a dot is fine. The rename itself is refused later, by the
    // upgrade preflight's immutable fields, which shows the spec checks let it through.
    const docs = (d: Docs) => {
      const dc = d.find((x) => x.kind === 'VSphereDatacenterConfig')!;
      dc.metadata.name = 'dc.example';
      cp(d).spec.datacenterRef.name = 'dc.example';
    };
    const { r } = await run(docs);
    expect(r.stderr).not.toMatch(/config file provided is invalid|unable to get cluster config/);
    expect(r.stderr).toContain('spec.dataCenterRef.name is immutable');
  });
});

describe('fake eksctl: the warnings of the spec checks', () => {
  it('logs the external etcd warning (validateEtcdReplicas) and goes on', async () => {
    const { r } = await upgrade('spec-etcd-count-one');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Warning: The recommended size of an external etcd cluster is 3 or 5');
  });
});
