// PlanFacts built from the readiness fixtures: a management cluster m01 with two workloads, w01 and w02,
// every cluster with external etcd on three Running machines and an Ubuntu etcd machine config.
import type { Command } from '../../src/command.js';
import type { KubeObject } from '../../src/kube/types.js';
import { stampObjects, type Fingerprint } from '../../src/plan/fingerprint.js';
import type { PlanFacts, PlanOptions } from '../../src/plan/plan-upgrade.js';
import type { BackupScope } from '../../src/plan/types.js';
import { judgeTree } from '../../src/readiness/verdict.js';
import type { ClusterSpec } from '../../src/spec/types.js';
import { clusterSpec, readyCluster, tree, type Cluster } from '../readiness/fixtures.js';

export const ADMIN = '/admin/m01';
export const SPEC_FILE = `${ADMIN}/m01-eks-a-cluster.yaml`;
export const KUBECONFIG = `${ADMIN}/m01-eks-a-cluster.kubeconfig`;
/** Local time, as EKS-A names its backup folders. */
export const NOW = new Date(2026, 7, 1, 10, 20, 30);
export const NOW_STAMP = '2026-08-01T10_20_30';

/** A ready cluster whose etcd machine config is in the inventory, so an etcd snapshot can be planned. */
export function plannable(name: string, management = name): Cluster {
  const c = readyCluster(name, { management });
  c.machineConfigs = [{ apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'VSphereMachineConfig', metadata: { name: `${name}-etcd`, namespace: 'default' }, spec: { osFamily: 'ubuntu' } }];
  return c;
}

export const WHOLE_TREE: BackupScope = { kind: 'whole-tree', clusters: ['m01', 'w01', 'w02'], summary: 'whole tree: all 3 clusters are ready' };
export const MANAGEMENT_ONLY: BackupScope = {
  kind: 'management-only',
  clusters: ['m01'],
  leftOut: [{ cluster: 'w02', reasons: [] }],
  summary: 'management only, because w02 is not ready',
};

export function handoffCommand(specFile = SPEC_FILE): Command {
  return { argv: ['eksctl', 'anywhere', 'upgrade', 'cluster', '-f', specFile, '--kubeconfig', KUBECONFIG], kind: 'handoff', why: 'the upgrade' };
}

export interface FactsOptions {
  command?: PlanFacts['command'];
  spec?: ClusterSpec;
  scope?: BackupScope;
  clusters?: Cluster[];
  lockAudit?: string | undefined;
  forceUnlockFrom?: string;
  reuse?: PlanFacts['reuse'];
  handoff?: Command;
  eksctl?: string;
}

export function allObjects(clusters: readonly Cluster[]): KubeObject[] {
  return clusters.flatMap((c) => [c.eksa, ...(c.capi ? [c.capi] : []), ...(c.controlPlane ? [c.controlPlane] : []), ...(c.etcd ? [c.etcd] : []), ...c.machineDeployments, ...c.machines]);
}

export function facts(o: FactsOptions = {}): PlanFacts {
  const clusters = o.clusters ?? [plannable('m01'), plannable('w01', 'm01'), plannable('w02', 'm01')];
  const inventory = tree(clusters[0]!, ...clusters.slice(1));
  const spec = o.spec ?? { ...clusterSpec({ name: 'm01', eksaVersion: 'v0.22.0' }), file: SPEC_FILE };
  const command = o.command ?? 'cluster';
  const tools = { kubectl: '1.32.4', eksctl: o.eksctl ?? 'v0.23.0' };
  const fingerprint: Fingerprint = { objects: stampObjects(allObjects(clusters)), specSha256: 'a'.repeat(64), tools, flags: {} };
  return {
    command,
    spec,
    managementFolder: ADMIN,
    kubectl: { kubeconfig: KUBECONFIG, requestTimeout: '30s' },
    inventory,
    verdicts: judgeTree(inventory),
    scope: o.scope ?? WHOLE_TREE,
    tools,
    clusterctl: { source: { kind: 'binary', path: '/usr/local/bin/clusterctl' }, info: { source: 'binary', binary: '/usr/local/bin/clusterctl' } },
    lockAudit: 'lockAudit' in o ? o.lockAudit : command === 'backup' ? undefined : 'lock: free',
    forceUnlockFrom: o.forceUnlockFrom,
    handoff: command === 'backup' ? undefined : (o.handoff ?? handoffCommand(spec.file)),
    reuse: o.reuse,
    fingerprint,
    cwd: ADMIN,
    now: NOW,
    toolVersion: '0.0.0-test',
  };
}

export function options(o: { skipReason?: string; cleanFailed?: boolean } = {}): PlanOptions {
  return {
    etcd: { skipReason: o.skipReason, flags: { sshKey: `${ADMIN}/eks-a-id_rsa` }, concurrency: 2 },
    cleanFailed: o.cleanFailed ?? false,
    leaseSeconds: 300,
    confirmTimeoutMs: 3_600_000,
    confirmIntervalMs: 15_000,
  };
}
