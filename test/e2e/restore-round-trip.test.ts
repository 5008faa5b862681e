// The CAPI half of a restore, actually run: a set made by the product (`backup`, the built CLI, against the
// simulator), the `clusterctl move --from-directory` step of its own RESTORE.md run as written (bash, through
// the fake docker and the fake clusterctl's from-directory path) into a second simulated management cluster
// whose store lacks the set's objects, and every restored object compared with the source tree: kind,
// namespace, name, spec, owner references (by kind and name, and resolved to the target's own UIDs), and the
// data of Secrets and ConfigMaps.
import { execa } from 'execa';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { argvOf, commandsOf, flag } from '../runbook/shell-parse.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const NO_ETCD = ['--skip-etcd-backup', '--reason', 'the CAPI round trip; etcd restores are drilled elsewhere'];
const sims: Sim[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});
async function sim(scenario: string): Promise<Sim> {
  const s = await startSim({ scenario });
  sims.push(s);
  return s;
}

interface SavedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }> };
  spec?: unknown;
  data?: unknown;
}

const refOf = (o: SavedObject) => {
  const slash = o.apiVersion.indexOf('/');
  return slash < 0 ? o.kind : `${o.kind}.${o.apiVersion.slice(0, slash)}`;
};
const keyOf = (o: SavedObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Run `backup` as an operator would and return the set: its folder, manifest and RESTORE.md. */
async function backupSet(source: Sim, args: string[], spec = source.specFile()) {
  const r = await runBin(['backup', '-f', spec, '--cli-tools-image', IMAGE, ...NO_ETCD, ...args, '-o', 'json'], { env: source.env, cwd: source.workdir });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const dir = JSON.parse(r.stdout).dir as string;
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const saved = readdirSync(path.join(dir, 'capi')).map((f) => JSON.parse(readFileSync(path.join(dir, 'capi', f), 'utf8')) as SavedObject);
  return { dir, manifest, runbook: readFileSync(path.join(dir, 'RESTORE.md'), 'utf8'), saved };
}

/** A fresh management cluster: the same world, without any object of the set (the API kinds and CRDs stay). */
async function freshTarget(scenario: string, saved: readonly SavedObject[]): Promise<Sim> {
  const target = await sim(scenario);
  for (const o of saved) {
    // Names with a time in them (machine templates) differ between the two worlds: only present ones go.
    if (target.server.store.get(refOf(o), o.metadata.namespace, o.metadata.name)) target.server.store.delete(refOf(o), o.metadata.namespace, o.metadata.name);
  }
  for (const o of saved) expect(target.server.store.get(refOf(o), o.metadata.namespace, o.metadata.name), keyOf(o)).toBeUndefined();
  return target;
}

/** The RESTORE.md commands that restore CAPI objects from the set into the cluster of `kubeconfigVar`. */
function restoreMoves(runbook: string, kubeconfigVar: string): string[] {
  const variable = new RegExp(`\\$(${kubeconfigVar}|\\{${kubeconfigVar}\\})\\b`);
  return commandsOf(runbook).filter((c) => c.includes('--from-directory') && variable.test(c));
}

/** Run one command of RESTORE.md as written, in bash, with the runbook's variables set (never sync: the API is in this process). */
async function runAsWritten(command: string, env: Record<string, string>, cwd: string): Promise<void> {
  const r = await execa('bash', ['--noprofile', '--norc', '-euc', command], { env, cwd, reject: false, timeout: 120_000 });
  expect(r.exitCode, `${command}\n${r.stderr}`).toBe(0);
}

/** What must survive the round trip, with owners by kind and name (UIDs are the target's own). */
function comparable(o: SavedObject) {
  return {
    kind: o.kind,
    namespace: o.metadata.namespace,
    name: o.metadata.name,
    spec: o.spec,
    data: o.data,
    owners: (o.metadata.ownerReferences ?? []).map(({ uid: _uid, ...rest }) => rest),
  };
}

/** The objects of the set that belong to `cluster`: its label, its name, or a `<cluster>-…` name (soft-owned Secrets). */
function objectsOf(saved: readonly SavedObject[], cluster: string): SavedObject[] {
  return saved.filter((o) => {
    const labels = (o.metadata as { labels?: Record<string, string> }).labels ?? {};
    return labels['cluster.x-k8s.io/cluster-name'] === cluster || o.metadata.name === cluster || o.metadata.name.startsWith(`${cluster}-`);
  });
}

/**
 * Every object of `cluster` in the set is in the target, equal to the source tree's object, its owner
 * references pointing at the target's own objects; the manifest's expected graph of the cluster is among them.
 */
function expectRestored(source: Sim, target: Sim, cluster: string, manifest: { expected: Record<string, { capi: string[] }> }, saved: readonly SavedObject[]): void {
  const mine = objectsOf(saved, cluster);
  const keys = mine.map(keyOf);
  for (const key of manifest.expected[cluster]!.capi) expect(keys, `${key} is in the set`).toContain(key);
  // The whole graph of a cluster, not a token of it.
  const kinds = new Set(mine.map((o) => o.kind));
  for (const kind of ['Cluster', 'KubeadmControlPlane', 'MachineDeployment', 'MachineSet', 'Machine', 'Secret', 'KubeadmConfig']) expect([...kinds], kind).toContain(kind);
  for (const file of mine) {
    const key = keyOf(file);
    const ref = refOf(file);
    const want = source.server.store.get(ref, file.metadata.namespace, file.metadata.name) as unknown as SavedObject;
    const got = target.server.store.get(ref, file.metadata.namespace, file.metadata.name) as unknown as SavedObject | undefined;
    expect(got, `${key} restored`).toBeDefined();
    expect(comparable(got!), key).toEqual(comparable(want));
    for (const owner of got!.metadata.ownerReferences ?? []) {
      const ownerObject = target.server.store.get(`${owner.kind}.${owner.apiVersion.split('/')[0]}`, got!.metadata.namespace, owner.name);
      expect(ownerObject?.metadata.uid, `${key}: owner ${owner.kind}/${owner.name} is the target's object`).toBe(owner.uid);
    }
  }
}

const capiClusterPaused = (s: Sim, name: string) => s.server.store.get('Cluster.cluster.x-k8s.io', 'eksa-system', name)?.spec?.paused;

describe('CAPI restore round trip: a set made by the product, restored by its own RESTORE.md', () => {
  it('whole tree: each workload cluster moved into a new management cluster, every object as in the source', async () => {
    const source = await sim('healthy');
    const set = await backupSet(source, []);
    expect(set.manifest.scope.kind).toBe('whole-tree');
    const target = await freshTarget('healthy', set.saved);
    const moves = restoreMoves(set.runbook, 'NEW_MGMT_KUBECONFIG');
    const env = { ...target.env, NEW_MGMT_KUBECONFIG: target.kubeconfig };
    expect(moves.map((m) => flag(argvOf(m, env), '--filter-cluster')).sort()).toEqual(['w01', 'w02', 'w03']);
    for (const move of moves) await runAsWritten(move, env, target.workdir);
    for (const w of ['w01', 'w02', 'w03']) {
      expectRestored(source, target, w, set.manifest, set.saved);
      expect(capiClusterPaused(target, w), `${w} resumed by the restore`).toBeUndefined();
    }
    // The management cluster is created anew (eksctl anywhere create cluster), not moved: none of its CAPI objects came back.
    expect(target.server.store.get('Cluster.cluster.x-k8s.io', 'eksa-system', 'mgmt')).toBeUndefined();
  });

  it('workload set: the cluster moved back into its management cluster, every object as in the source', async () => {
    const source = await sim('healthy');
    const set = await backupSet(source, [], source.specFile('w01'));
    expect(set.manifest.scope).toMatchObject({ kind: 'workload', clusters: ['w01'] });
    const target = await freshTarget('healthy', set.saved);
    const moves = restoreMoves(set.runbook, 'MGMT_KUBECONFIG');
    const env = { ...target.env, MGMT_KUBECONFIG: target.kubeconfig };
    expect(moves.map((m) => flag(argvOf(m, env), '--filter-cluster'))).toEqual(['w01']);
    for (const move of moves) await runAsWritten(move, env, target.workdir);
    expectRestored(source, target, 'w01', set.manifest, set.saved);
    expect(target.server.store.get('Cluster.cluster.x-k8s.io', 'eksa-system', 'w02'), 'the other clusters were never in the set and are untouched').toBeDefined();
  });

  it('management-only set: its RESTORE.md moves nothing (the management cluster is created anew); its capi/ restores through the same step', async () => {
    const source = await sim('unready-control-plane-not-ready');
    const set = await backupSet(source, []);
    expect(set.manifest.scope).toMatchObject({ kind: 'management-only', clusters: ['mgmt'] });
    // EKS-A's procedure for a lost management cluster recreates it and moves only workload clusters: none are in this set.
    expect(restoreMoves(set.runbook, 'NEW_MGMT_KUBECONFIG')).toEqual([]);
    expect(restoreMoves(set.runbook, 'MGMT_KUBECONFIG')).toEqual([]);
    // The set's capi/ is still a complete clusterctl directory: the step RESTORE.md renders for a cluster of
    // a set (taken from a whole-tree set's runbook), aimed at this set's folder and cluster, restores all of it.
    const whole = await backupSet(await sim('healthy'), []);
    const template = restoreMoves(whole.runbook, 'NEW_MGMT_KUBECONFIG').find((m) => m.includes('--filter-cluster w01'));
    expect(template).toBeDefined();
    const move = template!.split(path.join(whole.dir, 'capi')).join(path.join(set.dir, 'capi')).replace('--filter-cluster w01', '--filter-cluster mgmt');
    const target = await freshTarget('unready-control-plane-not-ready', set.saved);
    await runAsWritten(move, { ...target.env, NEW_MGMT_KUBECONFIG: target.kubeconfig }, target.workdir);
    expectRestored(source, target, 'mgmt', set.manifest, set.saved);
  });
});
