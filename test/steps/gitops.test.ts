// GitOps trees on the simulated API server: a cluster whose spec has a gitOpsRef gets its Flux objects
// read; a suspended Kustomization is named and stops the run (exit 4) before any write.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { judgeGitOps } from '../../src/airgap/gitops.js';
import type { KubeObject } from '../../src/kube/types.js';
import { runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';

const ARGS = ['--skip-etcd-backup', '--reason', 'gitops tests', '--cli-tools-image', 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99', '--dry-run'];
const ready = { conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision: main@sha1:abc' }], observedGeneration: 1 };
const cluster = (name: string, ref?: string): KubeObject => ({ apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'Cluster', metadata: { name, namespace: 'default' }, spec: ref ? { gitOpsRef: { kind: 'FluxConfig', name: ref } } : {} });
const fluxConfig: KubeObject = { apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'FluxConfig', metadata: { name: 'fc', namespace: 'default' }, spec: { branch: 'main', clusterConfigPath: 'clusters/mgmt' } };
const ks = (extra: Partial<KubeObject> = {}): KubeObject => ({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'flux-system', namespace: 'flux-system', generation: 1 }, spec: {}, status: ready, ...extra });
const repo: KubeObject = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: { name: 'flux-system', namespace: 'flux-system', generation: 1 }, spec: {}, status: ready };

describe('judgeGitOps', () => {
  it.each([
    ['no gitOpsRef: nothing to check', [cluster('m')], [], []],
    ['Ready and current', [cluster('m', 'fc')], [fluxConfig, ks(), repo], []],
    ['suspended', [cluster('m', 'fc')], [fluxConfig, ks({ spec: { suspend: true } }), repo], ['gitops-suspended Kustomization flux-system/flux-system']],
    ['not Ready', [cluster('m', 'fc')], [fluxConfig, ks({ status: { conditions: [{ type: 'Ready', status: 'False', reason: 'BuildFailed' }] } }), repo], ['gitops-not-ready Kustomization flux-system/flux-system']],
    ['behind', [cluster('m', 'fc')], [fluxConfig, ks({ metadata: { name: 'flux-system', namespace: 'flux-system', generation: 2 } }), repo], ['gitops-not-ready Kustomization flux-system/flux-system']],
    ['the FluxConfig is missing', [cluster('m', 'fc')], [ks(), repo], ['gitops-not-ready FluxConfig default/fc']],
    ['no Flux objects', [cluster('m', 'fc')], [fluxConfig], ['gitops-not-ready namespace flux-system']],
  ])('%s', (_n, clusters, flux, expected) => {
    expect(judgeGitOps(clusters, flux).reasons.map((r) => `${r.code} ${r.object}`)).toEqual(expected);
  });
});

describe('the GitOps check on the simulated tree', () => {
  let sim: Sim | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('names a suspended Flux Kustomization and stops before any write; a Ready one passes', async () => {
    sim = await startSim({ scenario: 'healthy' });
    const docs = parseAllDocuments(readFileSync(sim.specFile(), 'utf8')).map((d) => d.toJS());
    for (const d of docs) if (d.kind === 'Cluster') d.spec.gitOpsRef = { kind: 'FluxConfig', name: 'fc' };
    writeFileSync(sim.specFile(), [...docs, fluxConfig].map((d) => stringify(d)).join('---\n'));
    const store = sim.server.store as any;
    store.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } });
    store.create('fluxconfigs', 'default', fluxConfig);
    store.create('gitrepositories', 'flux-system', repo);
    store.create('kustomizations', 'flux-system', { ...ks(), spec: { suspend: true } });
    // Status is written through the status subresource only, as on a real API server.
    store.patch('gitrepositories', 'flux-system', 'flux-system', 'merge', { status: ready }, { subresource: 'status' });
    store.patch('kustomizations', 'flux-system', 'flux-system', 'merge', { status: ready }, { subresource: 'status' });
    const before = sim.journal().filter((e) => e.source === 'apiserver').length;
    const r = await runBin(['cluster', '-f', sim.specFile(), ...ARGS], { env: sim.env, cwd: sim.workdir, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(4);
    expect(r.stderr).toContain('Error: gitops-suspended: Kustomization flux-system/flux-system: suspended (spec.suspend: true)');
    expect(sim.journal().filter((e) => e.source === 'apiserver').length).toBe(before);

    store.patch('kustomizations', 'flux-system', 'flux-system', 'merge', { spec: { suspend: false } });
    // Flux's controller catches up with the new generation.
    const generation = store.get('kustomizations', 'flux-system', 'flux-system').metadata.generation;
    store.patch('kustomizations', 'flux-system', 'flux-system', 'merge', { status: { ...ready, observedGeneration: generation } }, { subresource: 'status' });
    const ok = await runBin(['cluster', '-f', sim.specFile(), ...ARGS], { env: sim.env, cwd: sim.workdir, timeoutMs: 120_000 });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('eksctl will commit the upgraded spec to the Git repository');
  }, 240_000);
});
