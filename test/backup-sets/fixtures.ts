// Real backup sets on disk for the backup-sets and runbook tests: the files a set holds, their real sha256, and a
// manifest that passes parseManifest, written the way src/backup/apply.ts writes them.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { digestFiles, listFiles } from '../../src/backup/digest.js';
import { MANIFEST_FILE, parseManifest, type BackupManifest } from '../../src/backup/manifest.js';
import { backupDirName, backupTimestamp } from '../../src/backup/naming.js';
import { writeRestoreRunbook } from '../../src/backup-sets/restore-file.js';

export const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.22.3-eks-a-92';

export interface FixtureMember {
  readonly name: string;
  readonly ip: string;
}

export interface FixtureCluster {
  readonly name: string;
  readonly role: 'management' | 'workload';
  readonly controlPlane: readonly FixtureMember[];
  /** External etcd members; stacked when absent. */
  readonly etcd?: readonly FixtureMember[];
  readonly os?: 'ubuntu' | 'redhat' | 'bottlerocket';
  /** Whether the set holds an etcd snapshot of it. */
  readonly snapshot?: boolean;
  readonly namespace?: string;
}

export interface FixtureSet {
  readonly cluster: string;
  readonly management: string;
  readonly when: Date;
  readonly kind?: 'complete' | 'failed' | 'partial' | 'no-manifest';
  readonly scope?: 'whole-tree' | 'management-only' | 'workload';
  readonly clusters: readonly FixtureCluster[];
  readonly leftOut?: readonly string[];
  readonly upgradedAt?: string;
  readonly clusterctl?: { source: 'image'; image: string } | { source: 'binary'; binary: string };
  /** Write RESTORE.md as apply.ts does: after hashing, listed in the manifest. */
  readonly runbook?: boolean;
}

export async function tempFolder(prefix = 'lifecycle-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

const json = (o: unknown) => `${JSON.stringify(o)}\n`;

function machine(cluster: string, m: FixtureMember, labels: Record<string, string>, node: boolean) {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Machine',
    metadata: { name: m.name, namespace: 'eksa-system', labels: { 'cluster.x-k8s.io/cluster-name': cluster, ...labels } },
    spec: { clusterName: cluster },
    status: { phase: 'Running', addresses: [{ type: 'ExternalIP', address: m.ip }], ...(node ? { nodeRef: { kind: 'Node', name: m.name } } : {}) },
  };
}

/** The objects clusterctl would write for one cluster, keyed by file name. */
function capiObjects(c: FixtureCluster): Map<string, object> {
  const files = new Map<string, object>();
  const add = (o: { kind: string; metadata: { name: string; namespace: string } }) => files.set(`${o.kind}_${o.metadata.namespace}_${o.metadata.name}.yaml`, o);
  const meta = (name: string) => ({ name, namespace: 'eksa-system', labels: { 'cluster.x-k8s.io/cluster-name': c.name } });
  add({ kind: 'Cluster', apiVersion: 'cluster.x-k8s.io/v1beta1', metadata: { name: c.name, namespace: 'eksa-system' }, spec: { paused: true } } as never);
  add({ kind: 'KubeadmControlPlane', apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', metadata: meta(c.name) } as never);
  add({ kind: 'MachineDeployment', apiVersion: 'cluster.x-k8s.io/v1beta1', metadata: meta(`${c.name}-md-0`), spec: { clusterName: c.name } } as never);
  add({ kind: 'Secret', apiVersion: 'v1', metadata: { name: `${c.name}-kubeconfig`, namespace: 'eksa-system' } } as never);
  add({ kind: 'Secret', apiVersion: 'v1', metadata: { name: `${c.name}-ca`, namespace: 'eksa-system' } } as never);
  for (const m of c.controlPlane) add(machine(c.name, m, { 'cluster.x-k8s.io/control-plane': '' }, true) as never);
  if (c.etcd) {
    add({ kind: 'EtcdadmCluster', apiVersion: 'etcdcluster.cluster.x-k8s.io/v1beta1', metadata: meta(`${c.name}-etcd`) } as never);
    for (const m of c.etcd) add(machine(c.name, m, { 'cluster.x-k8s.io/etcd-cluster': `${c.name}-etcd` }, false) as never);
  }
  return files;
}

function eksaObjects(c: FixtureCluster): Map<string, object> {
  const ns = c.namespace ?? 'default';
  const files = new Map<string, object>();
  const add = (kind: string, name: string, spec: object) =>
    files.set(`${kind}_${ns}_${name}.yaml`, { apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind, metadata: { name, namespace: ns }, spec });
  add('VSphereDatacenterConfig', c.name, {});
  add('VSphereMachineConfig', `${c.name}-cp`, { osFamily: c.os ?? 'ubuntu' });
  add('Cluster', c.name, { datacenterRef: { kind: 'VSphereDatacenterConfig', name: c.name }, eksaVersion: 'v0.22.3' });
  return files;
}

const keyOf = (file: string) => file.replace(/\.yaml$/, '').split('_').join('/');

/** Builds one set under `mgmtFolder`; returns its folder and manifest (undefined when it has none). */
export async function buildSet(mgmtFolder: string, f: FixtureSet): Promise<{ dir: string; manifest: BackupManifest | undefined }> {
  const kind = f.kind ?? 'complete';
  const name = backupDirName(f.cluster, f.when);
  const partialDir = path.join(mgmtFolder, `${name}.partial`);
  const finalDir = kind === 'failed' ? path.join(mgmtFolder, `${name}.failed`) : kind === 'partial' ? partialDir : path.join(mgmtFolder, name);
  for (const sub of ['capi', 'eksa', 'spec']) await mkdir(path.join(partialDir, sub), { recursive: true, mode: 0o700 });
  const inScope = f.clusters.filter((c) => !(f.leftOut ?? []).includes(c.name));
  const expected: BackupManifest['expected'] = {};
  for (const c of inScope) {
    const capi = capiObjects(c);
    const eksa = eksaObjects(c);
    for (const [file, o] of capi) await writeFile(path.join(partialDir, 'capi', file), json(o), { mode: 0o600 });
    for (const [file, o] of eksa) await writeFile(path.join(partialDir, 'eksa', file), json(o), { mode: 0o600 });
    expected[c.name] = { capi: [...capi.keys()].map(keyOf), eksa: [...eksa.keys()].map(keyOf) };
  }
  await writeFile(path.join(partialDir, 'spec', `${f.cluster}-eks-a-cluster.yaml`), `kind: Cluster\nmetadata:\n  name: ${f.cluster}\n`, { mode: 0o600 });
  const etcd: Record<string, unknown>[] = [];
  for (const c of inScope.filter((c) => c.snapshot)) {
    const from = (c.etcd ?? c.controlPlane)[0]!;
    const file = `etcd/${c.name}-${from.name}.db`;
    await mkdir(path.join(partialDir, 'etcd'), { recursive: true });
    const bytes = randomBytes(4096 + Math.floor(Math.random() * 1024));
    await writeFile(path.join(partialDir, file), bytes, { mode: 0o600 });
    const [digest] = await digestFiles(partialDir, [file]);
    etcd.push({
      cluster: c.name, member: from.name, address: from.ip, topology: c.etcd ? 'external' : 'stacked', os: c.os ?? 'ubuntu',
      file, size: digest!.size, sha256: digest!.sha256, revision: 42, totalKeys: 7, durationMs: 12, failedAttempts: [],
    });
  }
  if (kind === 'no-manifest') {
    await rename(partialDir, finalDir);
    return { dir: finalDir, manifest: undefined };
  }
  if (kind === 'partial') return { dir: partialDir, manifest: undefined };
  const scopeKind = f.scope ?? (f.cluster === f.management ? 'whole-tree' : 'workload');
  const raw = {
    schemaVersion: 1,
    tool: { name: 'eksa-safe-upgrade', version: '0.1.0' },
    state: kind === 'failed' ? 'failed' : 'complete',
    ...(kind === 'failed' ? { error: 'clusterctl move failed: cannot start the move operation' } : {}),
    createdAt: f.when.toISOString(),
    folderTimestamp: backupTimestamp(f.when),
    managementCluster: f.management,
    spec: { cluster: f.cluster, role: f.cluster === f.management ? 'management' : 'workload', files: [`spec/${f.cluster}-eks-a-cluster.yaml`] },
    scope: {
      kind: scopeKind,
      clusters: inScope.map((c) => c.name),
      summary: scopeKind === 'management-only' ? 'management cluster only: a workload cluster is not ready' : scopeKind === 'whole-tree' ? 'the whole management tree' : `workload cluster ${f.cluster}`,
      leftOut: (f.leftOut ?? []).map((c) => ({ cluster: c, reasons: [{ code: 'eksa-not-ready', object: `Cluster/default/${c}`, message: 'Ready is False' }] })),
    },
    clusters: f.clusters.map((c) => ({ name: c.name, role: c.role, kubernetesVersion: '1.31', eksaVersion: 'v0.22.3', ready: true, reasons: [], paused: { eksa: false, capi: false } })),
    tools: { kubectl: 'v1.31.0', eksctl: 'v0.22.3' },
    clusterctl: { ...(f.clusterctl ?? { source: 'image', image: IMAGE }), argv: ['docker', 'run', '--entrypoint', 'clusterctl', IMAGE, 'move'] },
    expected,
    pauseRestore: [],
    files: kind === 'failed' ? [] : await digestFiles(partialDir, await listFiles(partialDir, new Set([MANIFEST_FILE]))),
    etcd,
    ...(f.upgradedAt ? { upgradedAt: f.upgradedAt } : {}),
  };
  const manifest = parseManifest(JSON.stringify(raw));
  if (f.runbook && kind === 'complete') manifest.files.push(await writeRestoreRunbook(partialDir, finalDir, manifest));
  const written = f.upgradedAt ? { ...manifest, upgradedAt: f.upgradedAt } : manifest;
  await writeFile(path.join(partialDir, MANIFEST_FILE), `${JSON.stringify(written, null, 2)}\n`, { mode: 0o600 });
  if (finalDir !== partialDir) await rename(partialDir, finalDir);
  return { dir: finalDir, manifest };
}

/** A management cluster and two workload clusters, as a whole-tree set would hold them. */
export const TREE: FixtureCluster[] = [
  { name: 'mgmt', role: 'management', controlPlane: [{ name: 'mgmt-cp-a1', ip: '10.0.0.11' }, { name: 'mgmt-cp-b2', ip: '10.0.0.12' }, { name: 'mgmt-cp-c3', ip: '10.0.0.13' }], snapshot: true },
  { name: 'w01', role: 'workload', controlPlane: [{ name: 'w01-cp-a1', ip: '10.0.1.11' }], etcd: [{ name: 'w01-etcd-a1', ip: '10.0.1.21' }, { name: 'w01-etcd-b2', ip: '10.0.1.22' }, { name: 'w01-etcd-c3', ip: '10.0.1.23' }], snapshot: true },
  { name: 'w02', role: 'workload', controlPlane: [{ name: 'w02-cp-a1', ip: '10.0.2.11' }], os: 'bottlerocket', etcd: [{ name: 'w02-etcd-a1', ip: '10.0.2.21' }], snapshot: true },
];

/** A management folder with one set of every kind, and one set tampered with after it was taken. */
export async function mixedFolder() {
  const root = await tempFolder();
  const at = (d: number) => new Date(2026, 0, d, 10, 0, 0);
  const complete = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: at(5), clusters: TREE });
  const tampered = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: at(4), clusters: TREE });
  const failed = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: at(3), clusters: TREE, kind: 'failed' });
  const partial = await buildSet(root, { cluster: 'w01', management: 'mgmt', when: at(2), clusters: TREE.slice(1, 2), kind: 'partial' });
  const eksa = await buildSet(root, { cluster: 'mgmt', management: 'mgmt', when: at(1), clusters: TREE, kind: 'no-manifest' });
  const snapshot = JSON.parse(await readFile(path.join(tampered.dir, 'manifest.json'), 'utf8')).etcd[0].file as string;
  await appendFile(path.join(tampered.dir, snapshot), 'tampered');
  return { root, complete, tampered, failed, partial, eksa, snapshot };
}

