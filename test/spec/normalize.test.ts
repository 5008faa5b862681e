// Rule 2: aws/eks-anywhere pkg/api/v1alpha1/cluster.go NormalizeKubernetesVersion (issue #9184).
import { describe, expect, it } from 'vitest';
import { normalizeKubernetesVersion } from '../../src/spec/normalize.js';
import { parseSpec } from '../../src/spec/load-spec.js';

describe('normalizeKubernetesVersion (NormalizeKubernetesVersion)', () => {
  it.each([
    ['unquoted 1.30', 'kubernetesVersion: 1.30', 'kubernetesVersion: "1.30"'],
    ['single-quoted', "  kubernetesVersion: '1.29'", '  kubernetesVersion: "1.29"'],
    ['already double-quoted', 'kubernetesVersion: "1.31"', 'kubernetesVersion: "1.31"'],
    ['a trailing comment is kept', 'kubernetesVersion: 1.30 # pinned', 'kubernetesVersion: "1.30" # pinned'],
    ['a one-digit minor is left alone (EKS-A then refuses the number)', 'kubernetesVersion: 1.3', 'kubernetesVersion: 1.3'],
    ['a worker group entry', '  - kubernetesVersion: 1.28', '  - kubernetesVersion: "1.28"'],
    ['other keys untouched', 'count: 1.30', 'count: 1.30'],
  ])('%s', (_name, input, output) => {
    expect(normalizeKubernetesVersion(input)).toBe(output);
  });
});

const SPEC = (version: string, workerVersion = '') => `apiVersion: anywhere.eks.amazonaws.com/v1alpha1
kind: Cluster
metadata:
  name: m01
spec:
  kubernetesVersion: ${version}
  controlPlaneConfiguration:
    count: 1
    endpoint: { host: 10.0.0.1 }
    machineGroupRef: { kind: VSphereMachineConfig, name: m01-cp }
  datacenterRef: { kind: VSphereDatacenterConfig, name: m01 }
  workerNodeGroupConfigurations:
  - name: md-0
    count: 1
    machineGroupRef: { kind: VSphereMachineConfig, name: m01-cp }
${workerVersion === '' ? '' : `    kubernetesVersion: ${workerVersion}\n`}`;

describe('parseSpec reads an unquoted kubernetesVersion as EKS-A does', () => {
  it('kubernetesVersion: 1.30 is "1.30", not 1.3', () => {
    expect(parseSpec(SPEC('1.30'), 'c.yaml').kubernetesVersion).toBe('1.30');
  });
  it('a worker group\'s unquoted 1.30 is "1.30"', () => {
    expect(parseSpec(SPEC('1.31', '1.30'), 'c.yaml').workerGroups[0]!.kubernetesVersion).toBe('1.30');
  });
});
