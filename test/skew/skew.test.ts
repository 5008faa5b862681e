import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/kube/types.js';
import { parseKubernetesVersion } from '../../src/skew/kubernetes.js';
import { checkSkew, type SkewRule } from '../../src/skew/skew.js';
import { clusterSpec, readyCluster, st, type Cluster, type ClusterOptions, type SpecOptions } from '../readiness/fixtures.js';

interface Live extends ClusterOptions {
  name: string;
  failureReason?: string;
  /** Drop spec.eksaVersion from the live object (clusters created before the field existed). */
  noEksaVersion?: boolean;
}

/** The first live cluster is the management cluster. */
function inventory(live: Live[]): Inventory {
  const clusters: Cluster[] = live.map((l) => {
    const c = readyCluster(l.name, { ...l, management: l.management ?? live[0]!.name });
    if (l.failureReason) st(c.eksa).failureReason = l.failureReason;
    if (l.noEksaVersion) delete c.eksa.spec!.eksaVersion;
    return c;
  });
  return { management: live[0]!.name, clusters, kubectlCalls: 6 };
}

interface Row {
  name: string;
  spec: SpecOptions;
  target?: string;
  live: Live[];
  rules: SkewRule[];
  says?: string[];
}

const M = { name: 'm01', kubernetesVersion: '1.30', eksaVersion: 'v0.21.3' };
const mgmtSpec = (o: Partial<SpecOptions> = {}): SpecOptions => ({ name: 'm01', kubernetesVersion: '1.30', ...o });

const kubernetesRows: Row[] = [
  { name: 'same minor', spec: mgmtSpec(), target: 'v0.21.3', live: [M], rules: [] },
  { name: '+1 minor', spec: mgmtSpec({ kubernetesVersion: '1.31' }), target: 'v0.21.3', live: [M], rules: [] },
  {
    name: '+2 minors',
    spec: mgmtSpec({ kubernetesVersion: '1.32' }),
    live: [M],
    rules: ['kubernetes-minor-step'],
    says: ['kubernetesVersion 1.30 → 1.32 skips a minor', 'upgrade to "1.31" first'],
  },
  { name: 'a major change', spec: mgmtSpec({ kubernetesVersion: '2.0' }), live: [M], rules: ['kubernetes-minor-step'] },
  {
    name: '-1 minor',
    spec: mgmtSpec({ kubernetesVersion: '1.29' }),
    live: [M],
    rules: ['kubernetes-downgrade'],
    says: ['kubernetesVersion 1.30 → 1.29 is a downgrade', 'keep "1.30"'],
  },
  { name: 'spec version not a version', spec: mgmtSpec({ kubernetesVersion: 'latest' }), live: [M], rules: ['invalid-version'], says: ['"latest"'] },
  { name: 'live version not a version', spec: mgmtSpec(), live: [{ ...M, kubernetesVersion: '1.x' }], rules: ['invalid-version'], says: ['the live cluster reports kubernetesVersion "1.x"'] },
];

const workerRows: Row[] = [
  { name: 'group follows the control plane +1', spec: mgmtSpec({ kubernetesVersion: '1.31' }), live: [M], rules: [] },
  {
    name: 'group pinned 2 minors behind the new control plane',
    spec: mgmtSpec({ kubernetesVersion: '1.31', workerGroups: [{ name: 'md-0', kubernetesVersion: '1.29' }] }),
    live: [{ ...M, workerGroups: [{ name: 'md-0', replicas: 2, kubernetesVersion: '1.29' }] }],
    rules: [],
  },
  {
    name: 'group pinned 3 minors behind the new control plane',
    spec: mgmtSpec({ kubernetesVersion: '1.31', workerGroups: [{ name: 'md-0', kubernetesVersion: '1.28' }] }),
    live: [{ ...M, workerGroups: [{ name: 'md-0', replicas: 2, kubernetesVersion: '1.28' }] }],
    rules: ['worker-kubernetes'],
    says: ['worker node group md-0: kubernetesVersion 1.28 is more than 2 minors behind the control plane\'s 1.31', '"1.29" or later'],
  },
  {
    name: 'group steps +1 from its own pinned version',
    spec: mgmtSpec({ workerGroups: [{ name: 'md-0', kubernetesVersion: '1.29' }] }),
    live: [{ ...M, workerGroups: [{ name: 'md-0', replicas: 2, kubernetesVersion: '1.28' }] }],
    rules: [],
  },
  {
    name: 'group steps +2 from its own pinned version',
    spec: mgmtSpec({ workerGroups: [{ name: 'md-0', kubernetesVersion: '1.30' }] }),
    live: [{ ...M, workerGroups: [{ name: 'md-0', replicas: 2, kubernetesVersion: '1.28' }] }],
    rules: ['worker-kubernetes'],
    says: ['worker node group md-0: kubernetesVersion 1.28 → 1.30 skips a minor'],
  },
  {
    name: 'group unpinned in the spec jumps from its pinned 1.28 to the control plane 1.30',
    spec: mgmtSpec(),
    live: [{ ...M, workerGroups: [{ name: 'md-0', replicas: 2, kubernetesVersion: '1.28' }] }],
    rules: ['worker-kubernetes'],
  },
  {
    name: 'group downgrade',
    spec: mgmtSpec({ workerGroups: [{ name: 'md-0', kubernetesVersion: '1.29' }] }),
    live: [M],
    rules: ['worker-kubernetes'],
    says: ['worker node group md-0: kubernetesVersion 1.30 → 1.29 is a downgrade'],
  },
  {
    name: 'group newer than the control plane',
    spec: mgmtSpec({ workerGroups: [{ name: 'md-0', kubernetesVersion: '1.31' }] }),
    live: [M],
    rules: ['worker-kubernetes'],
    says: ['newer than the control plane\'s 1.30'],
  },
  {
    name: 'a new group 2 minors behind is fine, no step rule for it',
    spec: mgmtSpec({ kubernetesVersion: '1.31', workerGroups: [{ name: 'md-0' }, { name: 'old', kubernetesVersion: '1.29' }] }),
    live: [M],
    rules: [],
  },
  {
    name: 'a new group 3 minors behind',
    spec: mgmtSpec({ kubernetesVersion: '1.31', workerGroups: [{ name: 'md-0' }, { name: 'old', kubernetesVersion: '1.28' }] }),
    live: [M],
    rules: ['worker-kubernetes'],
  },
  {
    name: 'group version not a version',
    spec: mgmtSpec({ workerGroups: [{ name: 'md-0', kubernetesVersion: 'one.thirty' }] }),
    live: [M],
    rules: ['invalid-version'],
    says: ['worker node group md-0'],
  },
];

const eksaRows: Row[] = [
  { name: 'same version', spec: mgmtSpec(), target: 'v0.21.3', live: [M], rules: [] },
  { name: '+1 minor', spec: mgmtSpec(), target: 'v0.22.0', live: [M], rules: [] },
  {
    name: '+2 minors',
    spec: mgmtSpec(),
    target: 'v0.23.0',
    live: [M],
    rules: ['eksa-minor-step'],
    says: ['eksaVersion v0.21.3 → v0.23.0 skips a minor', 'eksctl v0.22.x first'],
  },
  { name: 'patch decrease (EKS-A compares minors only)', spec: mgmtSpec(), target: 'v0.21.1', live: [M], rules: [] },
  { name: '-1 minor', spec: mgmtSpec(), target: 'v0.20.9', live: [M], rules: ['eksa-downgrade'], says: ['eksaVersion v0.21.3 → v0.20.9 is a downgrade'] },
  { name: '-1 minor while EKS-A marked the current version invalid', spec: mgmtSpec(), target: 'v0.20.9', live: [{ ...M, failureReason: 'EksaVersionInvalid' }], rules: [] },
  { name: '-1 minor with another failureReason', spec: mgmtSpec(), target: 'v0.20.9', live: [{ ...M, failureReason: 'ClusterInvalid' }], rules: ['eksa-downgrade'] },
  { name: 'major change', spec: mgmtSpec(), target: 'v1.0.0', live: [M], rules: ['eksa-major'], says: ['eksaVersion v0.21.3 → v1.0.0 changes the major version'] },
  { name: 'target absent', spec: mgmtSpec(), target: undefined, live: [M], rules: [] },
  { name: 'live absent', spec: mgmtSpec(), target: 'v0.25.0', live: [{ ...M, noEksaVersion: true }], rules: [] },
  { name: 'live not semver', spec: mgmtSpec(), target: 'v0.25.0', live: [{ ...M, eksaVersion: 'dev' }], rules: [] },
  { name: 'target is the dev build', spec: mgmtSpec(), target: 'v0.19.0-dev+latest', live: [M], rules: [] },
  { name: 'target not semver', spec: mgmtSpec(), target: 'latest', live: [M], rules: ['invalid-version'], says: ['eksaVersion "latest" is not a semantic version'] },
];

const W = { name: 'w02', kubernetesVersion: '1.30', eksaVersion: 'v0.21.3' };
const wlSpec = (o: Partial<SpecOptions> = {}): SpecOptions => ({ name: 'w02', management: 'm01', kubernetesVersion: '1.30', ...o });

const treeRows: Row[] = [
  { name: 'management target equal to its workloads', spec: mgmtSpec(), target: 'v0.21.3', live: [M, W], rules: [] },
  {
    name: 'management target behind a workload',
    spec: mgmtSpec(),
    target: 'v0.21.3',
    live: [M, W, { ...W, name: 'w03', eksaVersion: 'v0.21.4' }],
    rules: ['management-behind-workload'],
    says: ['eksaVersion v0.21.3 → v0.21.3 would put management cluster m01 behind workload cluster w03 at v0.21.4', 'upgrade the management cluster to v0.21.4 or later'],
  },
  { name: 'management target ahead of a workload', spec: mgmtSpec(), target: 'v0.22.0', live: [M, W], rules: [] },
  { name: 'management dev build', spec: mgmtSpec(), target: 'v0.19.0-dev+latest', live: [M, { ...W, eksaVersion: 'v0.21.4' }], rules: [] },
  { name: 'workload without eksaVersion', spec: mgmtSpec(), target: 'v0.21.3', live: [M, { ...W, noEksaVersion: true }], rules: [] },
  { name: 'workload target equal to management', spec: wlSpec(), target: 'v0.21.3', live: [M, W], rules: [] },
  { name: 'workload target behind management', spec: wlSpec(), target: 'v0.21.3', live: [{ ...M, eksaVersion: 'v0.22.0' }, W], rules: [] },
  {
    name: 'workload target ahead of management',
    spec: wlSpec(),
    target: 'v0.22.0',
    live: [M, W],
    rules: ['management-behind-workload'],
    says: ['eksaVersion v0.21.3 → v0.22.0 would put workload cluster w02 ahead of management cluster m01 at v0.21.3; upgrade the management cluster first'],
  },
  { name: 'workload target ahead of a dev-build management', spec: wlSpec(), target: 'v0.22.0', live: [{ ...M, eksaVersion: 'v0.19.0-dev+latest' }, W], rules: [] },
  { name: 'workload spec, management absent from the inventory', spec: wlSpec(), target: 'v0.22.0', live: [W], rules: [] },
  { name: 'spec names a cluster absent from the inventory', spec: wlSpec({ name: 'w09', kubernetesVersion: '1.35' }), target: 'v0.29.0', live: [M, W], rules: [] },
];

describe.each([
  ['Kubernetes', kubernetesRows],
  ['worker node groups', workerRows],
  ['eksaVersion', eksaRows],
  ['management before workloads', treeRows],
])('checkSkew: %s', (_group, rows) => {
  it.each(rows)('$name', (row) => {
    const violations = checkSkew({ spec: clusterSpec(row.spec), targetEksaVersion: row.target, inventory: inventory(row.live) });
    expect(violations.map((v) => v.rule)).toEqual(row.rules);
    for (const v of violations) expect(v.cluster).toBe(row.spec.name);
    const messages = violations.map((v) => v.message).join('\n');
    for (const s of row.says ?? []) expect(messages).toContain(s);
  });
});

describe('checkSkew reports every violation at once', () => {
  it('control plane, worker group (step and distance), eksaVersion and tree order together', () => {
    const violations = checkSkew({
      spec: clusterSpec(mgmtSpec({ kubernetesVersion: '1.32', workerGroups: [{ name: 'md-0', kubernetesVersion: '1.29' }] })),
      targetEksaVersion: 'v0.23.0',
      inventory: inventory([M, { ...W, eksaVersion: 'v0.24.0' }]),
    });
    expect(violations.map((v) => v.rule)).toEqual([
      'kubernetes-minor-step',
      'worker-kubernetes',
      'worker-kubernetes',
      'eksa-minor-step',
      'management-behind-workload',
    ]);
    expect(violations[1]!.message).toContain('1.30 → 1.29 is a downgrade');
    expect(violations[2]!.message).toContain('more than 2 minors behind');
  });
});

describe('parseKubernetesVersion', () => {
  it.each([
    ['1.31', { major: 1, minor: 31 }],
    ['v1.31', { major: 1, minor: 31 }],
    ['1.31.2', { major: 1, minor: 31 }],
    [' 1.9 ', { major: 1, minor: 9 }],
    ['1', undefined],
    ['1.31-eks', undefined],
    [undefined, undefined],
  ])('%s', (text, parsed) => {
    expect(parseKubernetesVersion(text)).toEqual(parsed);
  });
});
