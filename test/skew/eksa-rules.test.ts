// Rules 1 and 3 of the readiness/skew fidelity work, each row citing the EKS Anywhere function it follows.
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/kube/types.js';
import { checkSkew, eksaTarget, skewTitle, type SkewRule } from '../../src/skew/skew.js';
import { clusterSpec, readyCluster, type ClusterOptions, type SpecOptions } from '../readiness/fixtures.js';

function inventory(live: Array<ClusterOptions & { name: string }>): Inventory {
  const clusters = live.map((l) => readyCluster(l.name, { ...l, management: l.management ?? live[0]!.name }));
  return { management: live[0]!.name, clusters, kubectlCalls: 6 };
}

// aws/eks-anywhere pkg/cluster/builder.go FileSpecBuilder.Build (via cmd/eksctl-anywhere/cmd/options.go
// newClusterSpec): the spec's eksaVersion is overwritten with the CLI's release version.
describe('eksaTarget: the target eksaVersion is eksctl\'s (FileSpecBuilder.Build)', () => {
  it.each([
    ['spec unset: eksctl\'s, no note', undefined, 'v0.23.0', 'v0.23.0', false],
    ['spec equal: no note', 'v0.23.0', 'v0.23.0', 'v0.23.0', false],
    ['spec equal without the v: no note', '0.23.0', 'v0.23.0', 'v0.23.0', false],
    ['spec stale (what create wrote): eksctl\'s, with a note', 'v0.21.3', 'v0.23.0', 'v0.23.0', true],
    ['spec later than eksctl: eksctl\'s, with a note', 'v0.24.0', 'v0.22.0', 'v0.22.0', true],
    ['eksctl unknown (read-only command): the spec\'s', 'v0.22.0', undefined, 'v0.22.0', false],
  ])('%s', (_name, spec, eksctl, target, noted) => {
    const t = eksaTarget(spec, eksctl);
    expect(t.target).toBe(target);
    expect(t.note !== undefined).toBe(noted);
    if (noted) expect(t.note).toContain(`eksctl replaces it with its own version, so the upgrade moves to ${eksctl}`);
  });
});

interface Row {
  name: string;
  source: string;
  spec: SpecOptions;
  eksctl: string;
  live: Array<ClusterOptions & { name: string }>;
  rules: SkewRule[];
  says?: string[];
}

const M = { name: 'm01', kubernetesVersion: '1.30', eksaVersion: 'v0.21.3' };
const W = { name: 'w02', kubernetesVersion: '1.30', eksaVersion: 'v0.21.3' };

const rows: Row[] = [
  // Rule 1
  {
    name: 'eksctl two minors ahead of a stale spec: the +2 step is refused',
    source: 'FileSpecBuilder.Build + ValidateEksaVersionSkew',
    spec: { name: 'm01', kubernetesVersion: '1.30', eksaVersion: 'v0.21.3' },
    eksctl: 'v0.23.0',
    live: [M],
    rules: ['eksa-minor-step'],
    says: ['v0.21.3 → v0.23.0 skips a minor', 'spec.eksaVersion v0.21.3 differs from eksctl\'s v0.23.0'],
  },
  {
    name: 'a workload whose stale spec matches management, but eksctl would take it ahead of management',
    source: 'FileSpecBuilder.Build + ValidateManagementEksaVersion',
    spec: { name: 'w02', management: 'm01', kubernetesVersion: '1.30', eksaVersion: 'v0.21.3' },
    eksctl: 'v0.22.0',
    live: [M, W],
    rules: ['management-behind-workload'],
    says: ['ahead of management cluster m01'],
  },
  {
    name: 'spec names a later version than eksctl: the valid +1 step of eksctl is allowed',
    source: 'FileSpecBuilder.Build',
    spec: { name: 'm01', kubernetesVersion: '1.30', eksaVersion: 'v0.23.0' },
    eksctl: 'v0.22.0',
    live: [M],
    rules: [],
  },
  // Rule 3
  {
    name: 'removing a pinned worker version while the control plane is upgraded is refused',
    source: 'cluster_webhook.go validateRemoveWorkerKubernetesVersion',
    spec: { name: 'm01', kubernetesVersion: '1.31', workerGroups: [{ name: 'md-0' }] },
    eksctl: 'v0.21.3',
    live: [{ ...M, workerGroups: [{ name: 'md-0', replicas: 2, kubernetesVersion: '1.30' }] }],
    rules: ['worker-kubernetes'],
    says: ['removing its kubernetesVersion "1.30" while the control plane moves 1.30 → 1.31'],
  },
  {
    name: 'removing a pinned worker version with the control plane unchanged: the group steps +1 to it',
    source: 'cluster_webhook.go validateRemoveWorkerKubernetesVersion → ValidateVersionSkew',
    spec: { name: 'm01', kubernetesVersion: '1.30', workerGroups: [{ name: 'md-0' }] },
    eksctl: 'v0.21.3',
    live: [{ ...M, workerGroups: [{ name: 'md-0', replicas: 2, kubernetesVersion: '1.29' }] }],
    rules: [],
  },
  {
    name: 'an unpinned group newly pinned steps from the old control-plane version (+1 fine)',
    source: 'cluster_webhook.go performWorkerKubernetesValidations',
    spec: { name: 'm01', kubernetesVersion: '1.31', workerGroups: [{ name: 'md-0', kubernetesVersion: '1.31' }] },
    eksctl: 'v0.21.3',
    live: [M],
    rules: [],
  },
  {
    name: 'an unpinned group newly pinned two minors past the old control-plane version',
    source: 'cluster_webhook.go performWorkerKubernetesValidations → validateKubeVersionSkew',
    spec: { name: 'm01', kubernetesVersion: '1.30', workerGroups: [{ name: 'md-0', kubernetesVersion: '1.32' }] },
    eksctl: 'v0.21.3',
    live: [{ ...M, kubernetesVersion: '1.30' }],
    rules: ['worker-kubernetes', 'worker-kubernetes'],
  },
  {
    name: 'control plane 3 minors ahead of a pinned group',
    source: 'cluster_webhook.go validateCPWorkerKubeSkew',
    spec: { name: 'm01', kubernetesVersion: '1.31', workerGroups: [{ name: 'md-0', kubernetesVersion: '1.28' }] },
    eksctl: 'v0.21.3',
    live: [{ ...M, workerGroups: [{ name: 'md-0', replicas: 2, kubernetesVersion: '1.28' }] }],
    rules: ['worker-kubernetes'],
  },
  {
    name: 'a new group is held to the control-plane skew only',
    source: 'cluster_webhook.go performWorkerKubernetesValidationsNewNodeGroup',
    spec: { name: 'm01', kubernetesVersion: '1.30', workerGroups: [{ name: 'md-0' }, { name: 'md-1', kubernetesVersion: '1.28' }] },
    eksctl: 'v0.21.3',
    live: [M],
    rules: [],
  },
];

describe('checkSkew follows EKS-A', () => {
  it.each(rows)('$name ($source)', (row) => {
    const violations = checkSkew({
      spec: clusterSpec(row.spec),
      targetEksaVersion: eksaTarget(row.spec.eksaVersion, row.eksctl).target,
      inventory: inventory(row.live),
    });
    expect(violations.map((v) => v.rule)).toEqual(row.rules);
    const messages = violations.map((v) => v.message).join('\n');
    for (const s of row.says ?? []) expect(messages).toContain(s);
  });

  it('the step title says when the spec\'s eksaVersion is replaced', () => {
    expect(skewTitle([], eksaTarget('v0.23.0', 'v0.22.0').note)).toBe(
      'Check version skew: allowed; spec.eksaVersion v0.23.0 differs from eksctl\'s v0.22.0; eksctl replaces it with its own version, so the upgrade moves to v0.22.0',
    );
    expect(skewTitle([], undefined)).toBe('Check version skew: allowed');
  });
});
