import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { specYaml } from './spec-yaml.js';

describe('parseSpec', () => {
  it('reads a management cluster spec', () => {
    const spec = parseSpec(specYaml(), '/x/mgmt/mgmt-eks-a-cluster.yaml');
    expect(spec).toMatchObject({
      name: 'mgmt',
      namespace: 'default',
      isManagement: true,
      managementClusterName: 'mgmt',
      kubernetesVersion: '1.32',
      eksaVersion: 'v0.23.0',
      externalEtcd: true,
      provider: 'vsphere',
      controlPlaneOs: 'bottlerocket',
    });
    expect(spec.workerGroups).toEqual([{ name: 'md-0', count: 2, kubernetesVersion: undefined, machineConfigName: 'mgmt-md-0' }]);
    expect(spec.datacenter?.kind).toBe('VSphereDatacenterConfig');
  });

  it('tells a workload cluster by managementCluster.name', () => {
    const spec = parseSpec(specYaml({ name: 'w01', mgmt: 'mgmt', etcd: false }), 'w.yaml');
    expect(spec).toMatchObject({ isManagement: false, managementClusterName: 'mgmt', externalEtcd: false });
  });

  it('leaves eksaVersion undefined when the spec omits it', () => {
    expect(parseSpec(specYaml({ eksa: null }), 'x').eksaVersion).toBeUndefined();
  });

  it.each([
    ['a name with a slash', specYaml({ name: 'a/b' }), /cluster name "a\/b" is not a valid name/],
    ['a name with ..', specYaml({ name: '..' }), /cluster name "\.\." is not a valid name/],
    ['a name with a space', specYaml().replace('  name: mgmt\nspec:', '  name: "a b"\nspec:'), /cluster name "a b" is not a valid name/],
    ['a name with shell characters', specYaml().replace('  name: mgmt\nspec:', '  name: "x;$(id)"\nspec:'), /cluster name "x;\$\(id\)" is not a valid name/],
    ['an upper-case name', specYaml({ name: 'Mgmt' }), /not a valid name/],
    ['a hostile managementCluster.name', specYaml({ name: 'w', mgmt: '"../etc"' }), /managementCluster.name "\.\.\/etc"/],
    ['a bad kubernetesVersion', specYaml({ k8s: 'latest' }), /kubernetesVersion "latest" is not a Kubernetes version/],
    ['a bad eksaVersion', specYaml({ eksa: 'zero' }), /eksaVersion "zero" is not a semantic version/],
    ['no Cluster document', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n', /has no EKS Anywhere Cluster document/],
    ['two Cluster documents', `${specYaml()}\n---\n${specYaml({ name: 'other' })}`, /has 2 Cluster documents/],
    ['a document without kind', 'foo: bar\n', /without apiVersion\/kind/],
    ['a scalar document', 'just text\n', /not a Kubernetes object/],
    ['an unknown datacenter kind', specYaml().replace('VSphereDatacenterConfig, name', 'MarsDatacenterConfig, name'), /MarsDatacenterConfig" is not an EKS Anywhere datacenter kind/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseSpec(text, 'spec.yaml')).toThrow(UsageError);
    expect(() => parseSpec(text, 'spec.yaml')).toThrow(message);
  });

  it('reports malformed YAML with line and column', () => {
    const text = 'apiVersion: v1\nkind: Cluster\nmetadata:\n  name: [unclosed\n';
    expect(() => parseSpec(text, 'bad.yaml')).toThrow(/bad.yaml is not valid YAML at line \d+, column \d+/);
  });

  it('rejects duplicate keys rather than guessing', () => {
    expect(() => parseSpec(`${specYaml()}\nkind: Again\n`, 'dup.yaml')).toThrow(/not valid YAML/);
  });
});

describe('hostile YAML is bounded (issue 15, finding 12)', () => {
  const head = 'apiVersion: anywhere.eks.amazonaws.com/v1alpha1\nkind: Cluster\nmetadata:\n  name: mgmt\n';
  it('an alias bomb is a usage error (exit 2), not an internal one', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const text = `${head}spec:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
    expect(() => parseSpec(text, 'bomb.yaml')).toThrow(UsageError);
    expect(() => parseSpec(text, 'bomb.yaml')).toThrow(/alias/);
  });

  it.each([
    ['flow', `${head}spec: ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}\n`],
    ['block sequences', `${head}spec:\n${'- '.repeat(200_000)}x\n`],
    ['indentation', `${head}spec:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 2)}k${i}:`).join('\n')} x\n`],
  ])('deep nesting (%s) is refused quickly, before it is parsed', (_label, text) => {
    // Bounded by the test's timeout, not a timed assertion: before the bound, parsing these took 17 s and 2.3 GB.
    expect(() => parseSpec(text, 'deep.yaml')).toThrow(UsageError);
    expect(() => parseSpec(text, 'deep.yaml')).toThrow(/nest/);
  }, 30_000);
});
