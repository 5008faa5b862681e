// Fake `eksctl anywhere upgrade plan cluster|management-components` and `upgrade management-components`:
// real processes against the simulated API server; the plan parsed by the product's own parser.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUpgradePlan } from '../../src/handoff/upgrade-plan.js';
import { componentVersions } from '../../sim/index.js';
import { startSim, type Sim } from '../helpers/sim.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim({ scenario: 'healthy', seed: 'eksctl-plan' });
});
afterAll(async () => {
  await sim.close();
});

const eksctl = (args: string[], env: Record<string, string> = {}, s: Sim = sim) =>
  execa('eksctl', args, { env: { ...s.env, ...env }, cwd: s.workdir, reject: false, extendEnv: false, timeout: 60_000 });
const spec = (name: string) => ['-f', `${name}/${name}-eks-a-cluster.yaml`];
const plan = (what: string, args: string[], env?: Record<string, string>, s?: Sim) => eksctl(['anywhere', 'upgrade', 'plan', what, ...args], env, s);

const old = componentVersions('v0.22.0');
const next = componentVersions('v0.23.0');
const KUBERNETES = { name: 'kubernetes', oldVersion: 'v1.31.5-eks-1-31-20', newVersion: 'v1.32.1-eks-1-32-20' };
const CILIUM = { name: 'cilium', oldVersion: old.cilium, newVersion: next.cilium };
const MANAGEMENT = [
  { name: 'EKS-A Management', oldVersion: 'v0.22.0', newVersion: 'v0.23.0' },
  { name: 'cert-manager', oldVersion: old.certManager, newVersion: next.certManager },
  { name: 'cluster-api', oldVersion: old.clusterAPI, newVersion: next.clusterAPI },
  { name: 'kubeadm', oldVersion: old.controlPlane, newVersion: next.controlPlane },
  { name: 'kubeadm', oldVersion: old.bootstrap, newVersion: next.bootstrap },
  { name: 'etcdadm-bootstrap', oldVersion: old.etcdadmBootstrap, newVersion: next.etcdadmBootstrap },
  { name: 'etcdadm-controller', oldVersion: old.etcdadmController, newVersion: next.etcdadmController },
  { name: 'vsphere', oldVersion: old.vsphere, newVersion: next.vsphere },
];

describe('upgrade plan cluster', () => {
  it('prints "Checking new release availability..." then the JSON plan as the last line, live cluster vs spec', async () => {
    const [mgmt, w01] = await Promise.all([plan('cluster', [...spec('mgmt'), '-o', 'json']), plan('cluster', [...spec('w01'), '-o', 'json'])]);
    for (const r of [mgmt, w01]) {
      expect([r.exitCode, r.stderr]).toEqual([0, '']);
      expect(r.stdout.split('\n')[0]).toBe('Checking new release availability...');
    }
    expect(parseUpgradePlan(mgmt.stdout).components).toEqual([...MANAGEMENT, CILIUM, KUBERNETES]);
    // A workload cluster has no management components of its own.
    expect(w01.stdout.split('\n')).toEqual(['Checking new release availability...', JSON.stringify({ components: [CILIUM, KUBERNETES] })]);
  });

  it('says {"components":null} when nothing changes, and prints a table by default', async () => {
    const same = await plan('cluster', [...spec('w02'), '-o', 'json'], { EKSA_SIM_EKSCTL_VERSION: 'v0.22.0' });
    // The spec file asks for 1.32, so only a spec at the live versions changes nothing.
    expect(same.stdout.split('\n').at(-1)).toBe(JSON.stringify({ components: [KUBERNETES] }));
    const live = await execa('sh', ['-c', 'sed "s/kubernetesVersion: \\"1.32\\"/kubernetesVersion: \\"1.31\\"/" w02/w02-eks-a-cluster.yaml > w02-live.yaml'], { cwd: sim.workdir });
    expect(live.exitCode).toBe(0);
    const nothing = await plan('cluster', ['-f', 'w02-live.yaml', '-o', 'json'], { EKSA_SIM_EKSCTL_VERSION: 'v0.22.0' });
    expect(nothing.stdout.split('\n')).toEqual(['Checking new release availability...', '{"components":null}']);
    expect(parseUpgradePlan(nothing.stdout).components).toEqual([]);
    const text = await plan('cluster', ['-f', 'w02-live.yaml'], { EKSA_SIM_EKSCTL_VERSION: 'v0.22.0' });
    expect(text.stdout.split('\n').at(-1)).toBe('All the components are up to date with the latest versions');

    const table = await plan('cluster', spec('w01'));
    expect(table.stdout.split('\n').slice(1)).toEqual([
      `NAME         CURRENT VERSION       NEXT VERSION`,
      `cilium       ${CILIUM.oldVersion.padEnd(22)}${CILIUM.newVersion}`,
      `kubernetes   v1.31.5-eks-1-31-20   v1.32.1-eks-1-32-20`,
      '',
    ]);
  });

  it('is parsed from -v 4 output too, where every line carries a time and a level', async () => {
    const r = await plan('cluster', [...spec('w01'), '-o', 'json', '-v', '4']);
    const last = r.stdout.split('\n').at(-1)!;
    expect(last).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{4})\tV0\t\{"components":/);
    expect(parseUpgradePlan(r.stdout).components).toEqual([CILIUM, KUBERNETES]);
  });

  it('fails like the real one on missing flags, files, kubeconfigs and formats', async () => {
    const cases: Array<[string[], string]> = [
      [['-o', 'json'], 'Error: required flag(s) "filename" not set'],
      [['-f', 'nope.yaml'], 'Error: failed to display upgrade plan: common validations failed due to: the cluster config file nope.yaml does not exist'],
      [[...spec('mgmt'), '--kubeconfig', 'nope.kubeconfig'], 'Error: failed to display upgrade plan: common validations failed due to: validating kubeconfig "nope.kubeconfig": file does not exist'],
      [[...spec('mgmt'), '-o', 'yaml'], 'Error: failed to display upgrade plan: invalid output format [yaml]'],
    ];
    const results = await Promise.all(cases.map(([args]) => plan('cluster', args)));
    results.forEach((r, i) => expect([r.exitCode, r.stderr]).toEqual([255, cases[i]![1]]));
  });
});

describe('management components', () => {
  it('plan management-components lists only them, and nothing for a workload cluster', async () => {
    const [mgmt, w01] = await Promise.all([
      plan('management-components', [...spec('mgmt'), '-o', 'json']),
      plan('management-components', [...spec('w01'), '-o', 'json']),
    ]);
    expect(parseUpgradePlan(mgmt.stdout).components).toEqual(MANAGEMENT);
    expect([w01.exitCode, w01.stdout.split('\n').at(-1)]).toEqual([0, 'No management components to plan. Cluster w01 is not a self-managed cluster.']);
  });

  it('upgrade management-components moves them, installs the release and leaves the cluster alone', async () => {
    const s = await startSim({ scenario: 'healthy', seed: 'umc' });
    try {
      const refused = await Promise.all([
        eksctl(['anywhere', 'upgrade', 'management-components', ...spec('w01')], {}, s),
        eksctl(['anywhere', 'upgrade', 'management-components', ...spec('mgmt'), '--kubeconfig', 'mgmt/mgmt-eks-a-cluster.kubeconfig'], {}, s),
        eksctl(['anywhere', 'upgrade', 'management-components', ...spec('mgmt')], { EKSA_SIM_EKSCTL_VERSION: 'v0.24.0' }, s),
      ]);
      expect(refused.map((r) => [r.exitCode, r.stderr])).toEqual([
        [255, "Error: cluster w01 doesn't contain management components to be upgraded"],
        [255, 'Error: unknown flag: --kubeconfig'],
        [255, 'Error: validations failed: management components version v0.24.0 can only be one minor version greater than cluster version v0.22.0'],
      ]);
      const r = await eksctl(['anywhere', 'upgrade', 'management-components', ...spec('mgmt')], {}, s);
      expect([r.exitCode, r.stderr]).toEqual([0, '']);
      expect(r.stdout.split('\n').filter((l) => l !== '')).toEqual([
        'Performing setup and validations', '✅ Vsphere provider setup and validation', '✅ Control plane ready', '✅ Cluster CRDs ready',
        '✅ Validate compatibility of management components version to cluster eksaVersion', 'Upgrading core components',
        '🎉 Management components upgraded!',
      ]);
      const mgmt = s.server.store.get('Cluster.anywhere.eks.amazonaws.com', 'default', 'mgmt')!;
      expect(mgmt.metadata.annotations?.['anywhere.eks.amazonaws.com/management-components-version']).toBe('v0.23.0');
      expect([mgmt.spec.eksaVersion, mgmt.metadata.generation]).toEqual(['v0.22.0', 1]);
      expect(s.server.store.get('eksareleases', 'eksa-system', 'eksa-v0-23-0')?.spec.bundlesRef.name).toBe('bundles-230');
      const after = await plan('cluster', [...spec('mgmt'), '-o', 'json'], {}, s);
      expect(parseUpgradePlan(after.stdout).components).toEqual([CILIUM, KUBERNETES]);
    } finally {
      await s.close();
    }
  });

  it('names the Tinkerbell provider for a bare-metal management cluster', async () => {
    const s = await startSim({ scenario: 'tinkerbell-stacked', seed: 'tink' });
    try {
      const r = await plan('management-components', [...spec(s.scenario.management), '-o', 'json'], {}, s);
      expect(parseUpgradePlan(r.stdout).components.at(-1)).toEqual({ name: 'tinkerbell', oldVersion: old.tinkerbell, newVersion: next.tinkerbell });
    } finally {
      await s.close();
    }
  });
});
