import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { planRoute, RouteError, type RouteCluster } from '../../src/route/route.js';
import { runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';

const mgmt = (eksaVersion: string, kube = '1.31', target = kube): RouteCluster => ({ name: 'mgmt', role: 'management', eksaVersion, kubernetesVersion: kube, targetKubernetesVersion: target, specFile: 'mgmt/mgmt-eks-a-cluster.yaml' });
const w01: RouteCluster = { name: 'w01', role: 'workload', eksaVersion: 'v0.22.0', kubernetesVersion: '1.30', targetKubernetesVersion: '1.30', specFile: 'w01/w01-eks-a-cluster.yaml' };
const RELEASES = ['v0.21.0', 'v0.22.0', 'v0.23.0', 'v0.23.2', 'v0.24.0-rc.1', 'v0.24.0', 'v0.24.1'];
const base = { releases: RELEASES, managementKubeconfig: 'mgmt/mgmt-eks-a-cluster.kubeconfig', managementFolder: 'mgmt' };

describe('planRoute', () => {
  it.each([
    ['two EKS-A minors behind', [mgmt('v0.22.0')], 'v0.24.1', [['v0.23.2', '1.31'], ['v0.24.1', '1.31']]],
    ['one minor, a Kubernetes step with it', [mgmt('v0.23.0', '1.31', '1.32')], 'v0.24.0', [['v0.24.0', '1.32']]],
    ['Kubernetes two minors: two hops at the same EKS-A version', [mgmt('v0.24.0', '1.30', '1.32')], 'v0.24.0', [['v0.24.0', '1.31'], ['v0.24.0', '1.32']]],
    ['a patch only', [mgmt('v0.24.0')], 'v0.24.1', [['v0.24.1', '1.31']]],
    ['already there', [mgmt('v0.24.1')], 'v0.24.1', []],
  ])('%s', (_n, clusters, target, expected) => {
    const r = planRoute({ ...base, clusters, target });
    expect(r.hops.map((h) => [h.eksctlVersion, h.steps[0]!.set.kubernetesVersion])).toEqual(expected);
  });

  it('takes the management cluster first in every hop, workloads with the management kubeconfig', () => {
    const r = planRoute({ ...base, clusters: [w01, mgmt('v0.22.0', '1.31', '1.32')], target: 'v0.24.0' });
    for (const hop of r.hops) expect(hop.steps.map((s) => s.cluster)).toEqual(['mgmt', 'w01']);
    expect(r.hops[0]!.steps[1]!.command).toEqual(['eksa-safe-upgrade', 'cluster', '-f', 'w01/w01-eks-a-cluster.yaml', '--kubeconfig', 'mgmt/mgmt-eks-a-cluster.kubeconfig']);
    expect(r.hops[0]!.steps[1]!.set.kubernetesVersion).toBe('1.30');
    expect(r.hops[0]!.steps[0]!.backup).toMatch(/^mgmt\/mgmt-backup-<timestamp>: /);
  });

  it.each([
    ['a downgrade', 'v0.21.0', /older than/],
    ['another major', 'v1.0.0', /across major/],
    ['a minor missing from the manifest', 'v0.26.0', /no EKS-A v0.25 release/],
  ])('refuses %s', (_n, target, message) => {
    expect(() => planRoute({ ...base, releases: [...RELEASES, 'v0.26.0'], clusters: [mgmt('v0.22.0')], target })).toThrow(RouteError);
    expect(() => planRoute({ ...base, releases: [...RELEASES, 'v0.26.0'], clusters: [mgmt('v0.22.0')], target })).toThrow(message);
  });
});

describe('route on the simulated tree', () => {
  let sim: Sim;
  let manifest: string;
  beforeAll(async () => {
    sim = await startSim({ scenario: 'healthy' });
    manifest = path.join(sim.workdir, 'releases.yaml');
    writeFileSync(manifest, stringify({
      apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'Release', metadata: { name: 'eks-anywhere' },
      spec: { latestVersion: 'v0.24.0', releases: ['v0.22.0', 'v0.23.0', 'v0.23.1', 'v0.24.0'].map((version) => ({ version, bundleManifestUrl: `bundles-${version}.yaml` })) },
    }));
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  it('prints two hops from a tree two EKS-A minors behind, and writes nothing', async () => {
    const before = sim.journal().filter((e) => e.source === 'apiserver').length;
    const r = await runBin(['route', '-f', sim.specFile(), '--to', 'v0.24.0', '--release-manifest', manifest], { env: sim.env, cwd: sim.workdir, timeoutMs: 60_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Route of mgmt from EKS-A v0.22.0 / Kubernetes 1.31 to EKS-A v0.24.0 / Kubernetes 1.32: 2 hops');
    expect(r.stdout).toContain('Hop 1: EKS-A v0.23.1 with eksctl anywhere v0.23.1');
    expect(r.stdout).toContain('Hop 2: EKS-A v0.24.0 with eksctl anywhere v0.24.0');
    expect(r.stdout).toContain('  1. mgmt (management): set eksaVersion: v0.23.1 and kubernetesVersion: "1.32" in mgmt/mgmt-eks-a-cluster.yaml');
    expect(r.stdout).toContain('     eksa-safe-upgrade cluster -f w01/w01-eks-a-cluster.yaml --kubeconfig mgmt/mgmt-eks-a-cluster.kubeconfig');
    expect(sim.journal().filter((e) => e.source === 'apiserver').length).toBe(before);

    const json = await runBin(['route', '-f', sim.specFile(), '--to', 'v0.24.0', '--release-manifest', manifest, '-o', 'json'], { env: sim.env, cwd: sim.workdir, timeoutMs: 60_000 });
    expect(json.exitCode, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.hops.map((h: any) => h.eksctlVersion)).toEqual(['v0.23.1', 'v0.24.0']);
    expect(parsed.hops[0].steps.map((s: any) => s.cluster)).toEqual(['mgmt', 'w01', 'w02', 'w03']);
  }, 120_000);
});
