import { describe, expect, it } from 'vitest';
import { bundlesOverrideProblems, imagesToPull, versionsBundleFor } from '../../src/airgap/bundles.js';
import { bundlesSpec } from '../../sim/generate/bundles.js';

const CLI = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-230';
const vb = (kubeVersion: string, cli: unknown = CLI) => ({ kubeVersion, eksa: { cliTools: { uri: cli } } });
const bundles = (versionsBundles: unknown) => ({ apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'Bundles', metadata: { name: 'b' }, spec: { number: 230, versionsBundles } });

describe('bundlesOverrideProblems', () => {
  it.each([
    ['a usable file', bundles([vb('1.31'), vb('1.32')]), ['1.31', '1.32'], []],
    ['a list, not a mapping', [1, 2], ['1.32'], ['it is not a YAML mapping (expected a Bundles object)']],
    ['another kind', { apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'Release', spec: {} }, ['1.32'], ['it is not a Bundles object (apiVersion "anywhere.eks.amazonaws.com/v1alpha1", kind "Release"; expected anywhere.eks.amazonaws.com/v1alpha1 Bundles)']],
    ['another group', { apiVersion: 'example.com/v1', kind: 'Bundles', spec: {} }, ['1.32'], ['it is not a Bundles object (apiVersion "example.com/v1", kind "Bundles"; expected anywhere.eks.amazonaws.com/v1alpha1 Bundles)']],
    ['no versionsBundles', { ...bundles([]), spec: {} }, ['1.32'], ['it has no spec.versionsBundles list']],
    ['a minor missing (each named, sorted)', bundles([vb('1.31')]), ['1.32', '1.31', '1.30'], ['no versions bundle for Kubernetes 1.30, 1.32 (spec.versionsBundles[].kubeVersion)']],
    ['no cli-tools image', bundles([vb('1.32', null)]), ['1.32'], ['spec.versionsBundles[0] (Kubernetes 1.32) has no eksa.cliTools.uri (the cli-tools image)']],
    ['a cli-tools image that is no reference', bundles([vb('1.32', 'not an image; rm -rf')]), ['1.32'], ['spec.versionsBundles[0] (Kubernetes 1.32) names a cli-tools image that is not an image reference: "not an image; rm -rf"']],
    ['no kubeVersion', bundles([{ eksa: { cliTools: { uri: CLI } } }]), [], ['spec.versionsBundles[0] has no kubeVersion']],
  ])('%s', (_name, doc, minors, expected) => {
    expect(bundlesOverrideProblems(doc, minors)).toEqual(expected);
  });
});

describe('imagesToPull', () => {
  const doc = { spec: bundlesSpec('v0.23.0', ['1.31', '1.32']) };
  const cluster = { name: 'mgmt', minors: ['1.32'], osFamilies: ['ubuntu'], externalEtcd: false, cni: 'cilium' as const, gitOps: false };

  it('takes the management components, the provider and the CNI of each minor, never a manifest URL', () => {
    const { images, missingMinors } = imagesToPull(doc, { managementMinor: '1.32', providers: ['vsphere'], clusters: [cluster] });
    expect(missingMinors).toEqual([]);
    const from = images.map((i) => i.from);
    expect(from).toContain('1.32 eksa.cliTools');
    expect(from).toContain('1.32 certManager.controller');
    expect(from).toContain('1.32 vSphere.kubeVip');
    expect(from).toContain('1.32 cilium.cilium');
    expect(from.some((f) => f.includes('flux') || f.includes('etcdadm') || f.includes('bottlerocket') || f.includes('tinkerbell'))).toBe(false);
    expect(images.every((i) => !i.uri.startsWith('http'))).toBe(true);
    expect(new Set(images.map((i) => i.uri)).size).toBe(images.length);
  });

  it('adds external etcd, Flux, Bottlerocket per cluster, and names a minor the bundle lacks', () => {
    const w = { ...cluster, name: 'w', minors: ['1.31', '1.30'], osFamilies: ['bottlerocket'], externalEtcd: true, gitOps: true };
    const { images, missingMinors } = imagesToPull(doc, { managementMinor: '1.32', providers: ['vsphere'], clusters: [cluster, w] });
    const from = images.map((i) => i.from);
    expect(from).toContain('1.32 flux.sourceController');
    expect(from).toContain('1.32 etcdadmController.controller');
    expect(from).toContain('1.31 bottlerocketHostContainers.admin');
    expect(from).toContain('1.32 etcdadmBootstrap.controller');
    // The cloud provider is built per Kubernetes minor: the workload's minor brings its own image.
    expect(from).toContain('1.31 vSphere.manager');
    expect(missingMinors).toEqual(['1.30']);
    expect(versionsBundleFor(doc, '1.30')).toBeUndefined();
  });
});
