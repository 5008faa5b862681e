import type { ConfirmResult } from '../../src/confirm/index.js';
import type { EtcdSnapshotEntry } from '../../src/etcd/types.js';
import type { HandoffResult } from '../../src/handoff/run-handoff.js';
import type { LockRecord } from '../../src/lock/index.js';
import type { ScopeDecision } from '../../src/policy/scope.js';
import type { ClusterVerdict } from '../../src/readiness/verdict.js';
import type { EvidenceParts } from '../../src/report/evidence.js';
import { StepTimer } from '../../src/report/step-timer.js';

export const STARTED = new Date('2025-03-01T10:00:00.000Z');
export const FINISHED = new Date('2025-03-01T10:42:05.250Z');
const hex = (c: string) => c.repeat(64);

export const spec = { file: '/ops/mgmt.yaml', name: 'mgmt', isManagement: true, managementClusterName: 'mgmt' };

export const readyMgmt: ClusterVerdict = {
  name: 'mgmt', role: 'management', namespace: 'default', kubernetesVersion: '1.31', eksaVersion: 'v0.22.0',
  ready: true, paused: { eksa: false, capi: false }, reasons: [],
};
export const unreadyW01: ClusterVerdict = {
  name: 'w01', role: 'workload', namespace: 'default', kubernetesVersion: '1.31', ready: false, paused: { eksa: false, capi: false },
  reasons: [
    { code: 'control-plane-not-ready', object: 'KubeadmControlPlane eksa-system/w01', message: 'KubeadmControlPlane eksa-system/w01: 2 of 3 replicas ready | rolling' },
    { code: 'machine-failed', object: 'Machine eksa-system/w01-md-0-x', message: 'Machine eksa-system/w01-md-0-x: failed\nsecond line' },
  ],
};

export const managementOnly: ScopeDecision = {
  kind: 'management-only', clusters: ['mgmt'], leftOut: [{ cluster: 'w01', reasons: unreadyW01.reasons }],
  summary: 'management only, because w01 is not ready',
};
export const stop: ScopeDecision = {
  kind: 'stop', blocking: [{ cluster: 'w01', reasons: unreadyW01.reasons }],
  summary: 'stop: w01 is not ready and --on-unready=fail', hint: 'Fix the clusters named and run again, or pass --on-unready=fallback',
};

export const heldLock: LockRecord = {
  audit: 'lock: held by ci@runner pid 7', dryRun: false, holder: 'ci@runner pid 7', acquireTime: '2025-03-01T10:00:03.000000Z',
  leaseSeconds: 300, renewals: 12, takeover: { previousHolder: 'ops@laptop pid 9', previousAcquireTime: undefined, staleSeconds: 600 },
  lost: undefined, release: { released: true },
};

export const etcdEntry: EtcdSnapshotEntry = {
  cluster: 'mgmt', member: 'mgmt-etcd-a', address: '10.0.0.5', topology: 'external', os: 'ubuntu', file: 'etcd/mgmt-mgmt-etcd-a.db',
  size: 2_097_152, sha256: hex('c'), revision: 4711, durationMs: 3120, failedAttempts: [],
};

export const handoffOk: HandoffResult = { exitCode: 0, durationMs: 1_800_000, interrupted: false, forwardedSignals: [], skipped: false };

export const handoffArgv = [
  'eksctl', 'anywhere', 'upgrade', 'cluster', '-f', '/ops/mgmt.yaml', '--token', 'hunter2', '--tinkerbell-bmc-hmac-secrets=s3cr3t', '-v', '4',
];

export const confirmed: ConfirmResult = {
  confirmed: true, polls: 4, durationMs: 40_000,
  clusters: [
    {
      name: 'mgmt', found: true, ready: true, generation: 5, observedGeneration: 5, kubernetesVersion: '1.32', eksaVersion: 'v0.23.0',
      conditions: [{ type: 'Ready', status: 'True' }, { type: 'ControlPlaneReady', status: 'True', reason: 'Done', message: 'all up' }],
      failureMessage: undefined, consecutiveReady: 3,
    },
  ],
};

/** A fake clock for step timers: every call moves time on by `stepMs`. */
export function clock(stepMs: number): () => number {
  let t = 0;
  return () => (t += stepMs);
}

function fullSteps() {
  const timer = new StepTimer(clock(250));
  for (const name of ['spec', 'tools', 'inventory', 'readiness', 'skew', 'scope', 'upgrade plan', 'lock', 'capi backup', 'etcd mgmt', 'handoff', 'confirm']) {
    timer.start(name).end('ok');
  }
  timer.skip('etcd w01', 'left out of the scope: w01 is not ready');
  return timer.records();
}

/** Everything a run can know, with a secret in the flags and in the hand-off argv. */
export function fullParts(): EvidenceParts {
  return {
    command: 'cluster', toolVersion: '0.1.0', dryRun: false, startedAt: STARTED, finishedAt: FINISHED, exit: 'Success',
    inputs: {
      specFile: 'mgmt.yaml', kubeconfig: '/ops/mgmt/mgmt-eks-a-cluster.kubeconfig', onUnready: 'fallback',
      flags: ['cluster', '-f', 'mgmt.yaml', '--on-unready=fallback', '--token', 'hunter2', '--tinkerbell-bmc-hmac-secrets=s3cr3t'],
      passThrough: handoffArgv.slice(6),
    },
    spec,
    tools: { kubectl: '1.32.4', eksctl: 'v0.23.0' },
    clusterctl: { source: 'image', image: 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0' },
    plan: { components: [{ name: 'EKS-A Management', oldVersion: 'v0.22.0', newVersion: 'v0.23.0' }, { name: 'Cluster API', oldVersion: 'v1.8.1', newVersion: 'v1.9.4' }] },
    steps: fullSteps(),
    verdicts: [readyMgmt, unreadyW01],
    skew: [],
    scope: managementOnly,
    lock: heldLock,
    backup: {
      dir: '/ops/mgmt/mgmt-backup-2025-03-01T10_00_05', state: 'complete', reused: false,
      files: [{ path: 'capi/Cluster_eksa-system_mgmt.yaml', size: 812, sha256: hex('a') }, { path: 'etcd/mgmt-mgmt-etcd-a.db', size: 2_097_152, sha256: hex('c') }],
      etcd: [etcdEntry],
    },
    handoff: { argv: handoffArgv, result: handoffOk },
    confirm: confirmed,
  };
}
