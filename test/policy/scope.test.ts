import { describe, expect, it } from 'vitest';
import { decideScope, gateVerdicts, pausedHint, type OnUnready, type ScopeDecision, type ScopeSpec } from '../../src/policy/scope.js';
import { judgeTree, type ClusterVerdict, type Reason, type ReasonCode } from '../../src/readiness/verdict.js';
import { readyCluster, st, tree } from '../readiness/fixtures.js';

function why(code: ReasonCode, cluster: string, detail: string): Reason {
  const object = `CAPI Cluster eksa-system/${cluster}`;
  return { code, object, message: `${object}: ${detail}` };
}

function verdict(name: string, reasons: Reason[] = [], paused = { eksa: false, capi: false }): ClusterVerdict {
  return { name, role: name.startsWith('m') ? 'management' : 'workload', namespace: 'default', ready: reasons.length === 0, paused, reasons };
}

const ready = (name: string) => verdict(name);
const pausedCapi = (name: string) => verdict(name, [why('paused', name, 'spec.paused=true')], { eksa: false, capi: true });
const rolling = (name: string) => verdict(name, [why('workers-rolling-out', name, '1/2 up to date')]);

const MGMT: ScopeSpec = { name: 'm01', isManagement: true, managementClusterName: 'm01' };
const W02: ScopeSpec = { name: 'w02', isManagement: false, managementClusterName: 'm01' };

interface Row {
  name: string;
  spec: ScopeSpec;
  verdicts: ClusterVerdict[];
  onUnready: OnUnready;
  kind: ScopeDecision['kind'];
  clusters?: string[];
  /** Clusters in leftOut (management-only) or blocking (stop). */
  named?: string[];
  summary?: string | RegExp;
  hint?: Array<string | RegExp>;
  notHint?: string[];
}

const rows: Row[] = [
  {
    name: 'management spec, whole tree ready',
    spec: MGMT,
    verdicts: [ready('m01'), ready('w01'), ready('w02')],
    onUnready: 'fail',
    kind: 'whole-tree',
    clusters: ['m01', 'w01', 'w02'],
    summary: 'whole tree: all 3 clusters are ready',
  },
  {
    name: 'management spec, a paused workload, fallback',
    spec: MGMT,
    verdicts: [ready('m01'), ready('w01'), pausedCapi('w02')],
    onUnready: 'fallback',
    kind: 'management-only',
    clusters: ['m01'],
    named: ['w02'],
    summary: 'management only, because w02 is not ready (paused: CAPI Cluster eksa-system/w02: spec.paused=true)',
  },
  {
    name: 'management spec, two unready workloads, fallback',
    spec: MGMT,
    verdicts: [ready('m01'), rolling('w01'), ready('w02'), pausedCapi('w03')],
    onUnready: 'fallback',
    kind: 'management-only',
    clusters: ['m01'],
    named: ['w01', 'w03'],
    summary: /^management only, because w01 and w03 are not ready \(workers-rolling-out: .*1\/2 up to date; paused: .*spec\.paused=true\)$/,
  },
  {
    name: 'management spec, an unready workload, fail',
    spec: MGMT,
    verdicts: [ready('m01'), rolling('w01')],
    onUnready: 'fail',
    kind: 'stop',
    named: ['w01'],
    summary: /^stop: w01 is not ready \(workers-rolling-out: .*\) and --on-unready=fail$/,
    hint: ['--on-unready=fallback'],
  },
  {
    name: 'management spec, a paused workload, fail: the hint explains the pause too',
    spec: MGMT,
    verdicts: [ready('m01'), pausedCapi('w02')],
    onUnready: 'fail',
    kind: 'stop',
    named: ['w02'],
    hint: ['w02 is paused', 'clusterctl 1.12 and later refuse', 'Or pass --on-unready=fallback'],
    notHint: ['Fix the clusters named'],
  },
  {
    name: 'management spec, management not ready, fallback cannot help',
    spec: MGMT,
    verdicts: [verdict('m01', [why('control-plane-not-ready', 'm01', 'ControlPlaneAvailable=False')]), rolling('w01')],
    onUnready: 'fallback',
    kind: 'stop',
    named: ['m01', 'w01'],
    summary: 'stop: management cluster m01 is not ready (control-plane-not-ready: CAPI Cluster eksa-system/m01: ControlPlaneAvailable=False)',
    hint: ['Fix what the reasons name on m01', '--on-unready only lets workload clusters be left out'],
    notHint: ['is paused'],
  },
  {
    name: 'management spec, management paused: its own message only',
    spec: MGMT,
    verdicts: [verdict('m01', [why('paused', 'm01', 'annotation')], { eksa: true, capi: true }), ready('w01')],
    onUnready: 'fallback',
    kind: 'stop',
    named: ['m01'],
    hint: [
      'm01 is paused: clusterctl 1.12 and later refuse to back up a paused Cluster, and older versions silently unpause it',
      'kubectl annotate clusters.anywhere.eks.amazonaws.com m01 -n default anywhere.eks.amazonaws.com/paused-',
      `kubectl patch clusters.cluster.x-k8s.io m01 -n eksa-system --type merge -p '{"spec":{"paused":null}}'`,
    ],
    notHint: ['Fix what the reasons name'],
  },
  {
    name: 'management spec, management paused and failing',
    spec: MGMT,
    verdicts: [verdict('m01', [why('paused', 'm01', 'x'), why('failure-message', 'm01', 'y')], { eksa: true, capi: false }), ready('w01')],
    onUnready: 'fallback',
    kind: 'stop',
    named: ['m01'],
    hint: ['m01 is paused', 'Fix what the reasons name on m01'],
    notHint: ['clusters.cluster.x-k8s.io'],
  },
  {
    name: 'management spec, management absent from the verdicts',
    spec: MGMT,
    verdicts: [ready('w01')],
    onUnready: 'fallback',
    kind: 'stop',
    named: ['m01'],
    summary: 'stop: management cluster m01 is not in the inventory',
    hint: ['--kubeconfig'],
  },
  {
    name: 'workload spec, workload and management ready',
    spec: W02,
    verdicts: [ready('m01'), ready('w02')],
    onUnready: 'fail',
    kind: 'workload',
    clusters: ['w02'],
    summary: 'workload w02: it and its management cluster m01 are ready',
  },
  {
    name: 'workload spec, another workload unready does not matter',
    spec: W02,
    verdicts: [ready('m01'), rolling('w01'), ready('w02'), pausedCapi('w03')],
    onUnready: 'fail',
    kind: 'workload',
    clusters: ['w02'],
  },
  {
    name: 'workload spec, workload unready: stop even with fallback',
    spec: W02,
    verdicts: [ready('m01'), rolling('w02')],
    onUnready: 'fallback',
    kind: 'stop',
    named: ['w02'],
    hint: ['--on-unready does not apply'],
  },
  {
    name: 'workload spec, management unready',
    spec: W02,
    verdicts: [rolling('m01'), ready('w02')],
    onUnready: 'fallback',
    kind: 'stop',
    named: ['m01'],
    summary: /^stop: m01 is not ready/,
  },
  {
    name: 'workload spec, both unready: management first',
    spec: W02,
    verdicts: [rolling('m01'), rolling('w02')],
    onUnready: 'fallback',
    kind: 'stop',
    named: ['m01', 'w02'],
    summary: /^stop: m01 and w02 are not ready/,
  },
  {
    name: 'workload spec, workload paused',
    spec: W02,
    verdicts: [ready('m01'), pausedCapi('w02')],
    onUnready: 'fallback',
    kind: 'stop',
    named: ['w02'],
    hint: ['w02 is paused', 'kubectl annotate clusters.cluster.x-k8s.io w02 -n eksa-system cluster.x-k8s.io/paused-'],
    notHint: ['Fix what the reasons name'],
  },
  {
    name: 'workload spec, workload absent',
    spec: W02,
    verdicts: [ready('m01')],
    onUnready: 'fallback',
    kind: 'stop',
    named: ['w02'],
    summary: 'stop: w02 is not ready (eksa-not-ready: EKS-A Cluster w02: not found in the management tree)',
  },
  {
    name: 'workload spec, management absent',
    spec: W02,
    verdicts: [ready('w02')],
    onUnready: 'fallback',
    kind: 'stop',
    named: ['m01'],
  },
];

function matches(text: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? text.includes(expected) : expected.test(text);
}

describe('decideScope', () => {
  it.each(rows)('$name', (row) => {
    const decision = decideScope({ verdicts: row.verdicts, spec: row.spec, onUnready: row.onUnready });
    expect(decision.kind).toBe(row.kind);
    if (row.clusters) expect('clusters' in decision && decision.clusters).toEqual(row.clusters);
    if (decision.kind === 'management-only') {
      expect(decision.leftOut.map((l) => l.cluster)).toEqual(row.named);
      for (const l of decision.leftOut) {
        expect(l.reasons).toEqual(row.verdicts.find((v) => v.name === l.cluster)!.reasons);
      }
    }
    if (decision.kind === 'stop') {
      expect(decision.blocking.map((b) => b.cluster)).toEqual(row.named);
      for (const b of decision.blocking) expect(b.reasons.length).toBeGreaterThan(0);
      for (const h of row.hint ?? []) expect(matches(decision.hint, h), `${String(h)} in ${decision.hint}`).toBe(true);
      for (const h of row.notHint ?? []) expect(decision.hint).not.toContain(h);
    } else {
      expect(row.hint).toBeUndefined();
    }
    if (row.summary !== undefined) {
      if (typeof row.summary === 'string') expect(decision.summary).toBe(row.summary);
      else expect(decision.summary).toMatch(row.summary);
    }
  });
});

describe('gateVerdicts', () => {
  const all = [ready('m01'), ready('w01'), ready('w02'), ready('w03')];
  it('judges the whole tree for a management spec', () => {
    expect(gateVerdicts(all, MGMT).map((v) => v.name)).toEqual(['m01', 'w01', 'w02', 'w03']);
  });
  it('judges the workload and its management cluster for a workload spec, management first', () => {
    expect(gateVerdicts(all, W02).map((v) => v.name)).toEqual(['m01', 'w02']);
  });
});

describe('pausedHint', () => {
  it('names only the EKS-A resume command when only EKS-A is paused', () => {
    const hint = pausedHint(verdict('w02', [why('paused', 'w02', 'x')], { eksa: true, capi: false }));
    expect(hint).toContain('anywhere.eks.amazonaws.com/paused-');
    expect(hint).not.toContain('clusters.cluster.x-k8s.io');
  });
});

describe('decideScope over real verdicts', () => {
  it('falls back to the management cluster when a workload is mid-rollout', () => {
    const m01 = readyCluster('m01');
    const w01 = readyCluster('w01', { management: 'm01', shape: 'v1beta1' });
    const w02 = readyCluster('w02', { management: 'm01' });
    st(w02.machineDeployments[0]).upToDateReplicas = 1;
    const decision = decideScope({ verdicts: judgeTree(tree(m01, w01, w02)), spec: MGMT, onUnready: 'fallback' });
    expect(decision).toMatchObject({ kind: 'management-only', clusters: ['m01'] });
    expect(decision.summary).toBe(
      'management only, because w02 is not ready (workers-rolling-out: MachineDeployment eksa-system/w02-md-0: 2/2 ready, 2/2 available, 1/2 up to date)',
    );
  });
});
