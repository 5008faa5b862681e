// The spec's warnings (EKS-A logs them and goes on: validateControlPlaneReplicas, validateWorkerNodeGroups,
// validateEtcdReplicas in pkg/api/v1alpha1/cluster.go) reach the user on stderr, once, terminal-escaped.
import { describe, expect, it } from 'vitest';
import { printSpecWarnings, specWarningLines } from '../../src/commands/spec-warnings.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import type { ClusterSpec } from '../../src/spec/types.js';

const spec = (warnings: string[]) => ({ warnings }) as unknown as ClusterSpec;

const SPEC = (etcd: number, cp = 3) => `apiVersion: anywhere.eks.amazonaws.com/v1alpha1
kind: Cluster
metadata: { name: mgmt, namespace: default }
spec:
  kubernetesVersion: "1.31"
  datacenterRef: { kind: VSphereDatacenterConfig, name: dc }
  controlPlaneConfiguration: { count: ${cp}, endpoint: { host: 10.0.0.1 }, machineGroupRef: { kind: VSphereMachineConfig, name: cp } }
  externalEtcdConfiguration: { count: ${etcd}, machineGroupRef: { kind: VSphereMachineConfig, name: cp } }
  workerNodeGroupConfigurations: [{ name: md-0, count: 2, machineGroupRef: { kind: VSphereMachineConfig, name: cp } }]
---
apiVersion: anywhere.eks.amazonaws.com/v1alpha1
kind: VSphereDatacenterConfig
metadata: { name: dc, namespace: default }
---
apiVersion: anywhere.eks.amazonaws.com/v1alpha1
kind: VSphereMachineConfig
metadata: { name: cp, namespace: default }
`;

describe('spec warnings', () => {
  it.each([
    [1, ['the recommended size of an external etcd cluster is 3 or 5']],
    [7, ['the recommended size of an external etcd cluster is 3 or 5']],
    [3, []],
    [5, []],
  ])('external etcd count %i: the loaded spec carries %j (validateEtcdReplicas)', (count, expected) => {
    expect(parseSpec(SPEC(count), 'mgmt.yaml').warnings).toEqual(expected);
  });

  it('a control plane of 2 with external etcd is no warning (validateControlPlaneReplicas returns before it)', () => {
    expect(parseSpec(SPEC(3, 2), 'mgmt.yaml').warnings).toEqual([]);
  });

  it('prints each warning once, on stderr, through the terminal sink', () => {
    const lines: string[] = [];
    const s = spec(['the recommended size \u001b[31mof an external etcd cluster is 3 or 5']);
    printSpecWarnings(s, { stderr: (l) => lines.push(l) });
    printSpecWarnings(s, { stderr: (l) => lines.push(l) });
    expect(lines).toEqual(['warning: the recommended size ?[31mof an external etcd cluster is 3 or 5 (eksctl warns the same and goes on)']);
  });

  it('prints nothing without a spec or without warnings', () => {
    const lines: string[] = [];
    printSpecWarnings(undefined, { stderr: (l) => lines.push(l) });
    printSpecWarnings(spec([]), { stderr: (l) => lines.push(l) });
    expect(lines).toEqual([]);
    expect(specWarningLines(spec([]))).toEqual([]);
  });
});
