import { chmod, copyFile, readdir, rename, rm } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { SafeUpgradeError, ToolError, firstMeaningfulLine, printable } from '../errors.js';
import { CAPI_CLUSTERS, EKSA_CLUSTERS, EKSA_GROUP, groupOf } from '../kube/kinds.js';
import type { Kubectl } from '../kube/kubectl.js';
import type { ClusterVerdict } from '../readiness/verdict.js';
import { read } from '../runner/command.js';
import type { Runner } from '../runner/runner.js';
import type { ClusterSpec } from '../spec/types.js';
import type { ToolVersions } from '../tools/versions.js';
import { digestFiles, listFiles } from './digest.js';
import { eksaExportKinds, forReapply, selectEksaObjects } from './eksa-export.js';
import { MANIFEST_FILE, MANIFEST_SCHEMA_VERSION, type BackupManifest } from './manifest.js';
import { describeMissing, expectedEksaObjects, findMissing, parseRefKey } from './object-graph.js';
import { pauseStateOf, planPauseRestore, recordPauseState, type PauseState } from './pause-state.js';
import type { BackupPlan } from './plan.js';
import { chmodTree, createSetDir, privateDir, privateFile } from './private-files.js';
import { readObjectFiles } from './read-object-files.js';
import { writeRestoreRunbook } from '../lifecycle/restore-file.js';
import { requireAllSnapshots, snapshotClusters } from '../etcd/snapshot.js';
import type { EtcdSnapshotRequest } from '../etcd/snapshot-plan.js';
import type { EtcdSnapshotEntry } from '../etcd/types.js';

export interface ClusterctlInfo {
  readonly source: 'image' | 'binary';
  readonly image?: string;
  readonly binary?: string;
  readonly releaseManifest?: string;
  readonly bundleManifestUrl?: string;
}

/** The etcd phase of a backup: snapshot every cluster in scope, or the recorded reason why not. */
export type EtcdPhase =
  | { readonly kind: 'snapshot'; readonly plan: (setDir: string, clusters: readonly string[]) => EtcdSnapshotRequest[]; readonly concurrency: number; readonly onProgress?: (cluster: string, member: string, bytes: number) => void }
  | { readonly kind: 'skip'; readonly reason: string };

export interface ApplyDeps {
  readonly runner: Runner;
  readonly kubectl: Kubectl;
  readonly spec: ClusterSpec;
  readonly verdicts: readonly ClusterVerdict[];
  readonly tools: ToolVersions;
  readonly clusterctl: ClusterctlInfo;
  readonly toolVersion: string;
  readonly now: Date;
  readonly cleanFailed: boolean;
  readonly warn: (line: string) => void;
  readonly etcd: EtcdPhase;
}

export interface BackupResult {
  readonly dir: string;
  readonly manifest: BackupManifest;
}

/**
 * Apply a backup plan: move into `<name>.partial/capi`, put pause state back, export the EKS-A objects,
 * verify the object graph, hash every file, write the manifest, and only then rename into place.
 * A failure leaves `<name>.failed` with the error in its manifest (or nothing, with cleanFailed).
 */
export async function applyBackup(plan: BackupPlan, deps: ApplyDeps): Promise<BackupResult> {
  const tree = plan.clusters;
  const recorded = recordPauseState(tree);
  const pauseRestore: BackupManifest['pauseRestore'] = [];
  let scope: BackupManifest['scope'] = {
    kind: plan.scope.kind,
    clusters: [...plan.scope.clusters],
    summary: plan.scope.summary,
    leftOut: plan.scope.kind === 'management-only' ? plan.scope.leftOut.map((l) => ({ cluster: l.cluster, reasons: [...l.reasons] })) : [],
  };
  let argv = [...plan.move.argv];
  const expected = { ...plan.expected };
  const base = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: 'eksa-safe-upgrade' as const, version: deps.toolVersion },
    createdAt: deps.now.toISOString(),
    folderTimestamp: plan.folderTimestamp,
    managementCluster: deps.spec.managementClusterName,
    spec: { cluster: deps.spec.name, role: deps.spec.isManagement ? ('management' as const) : ('workload' as const), files: [`spec/${path.basename(deps.spec.file)}`] },
    clusters: deps.verdicts.map((v) => ({
      name: v.name,
      role: v.role,
      ...(v.kubernetesVersion ? { kubernetesVersion: v.kubernetesVersion } : {}),
      ...(v.eksaVersion ? { eksaVersion: v.eksaVersion } : {}),
      ready: v.ready,
      reasons: v.reasons.map((r) => ({ ...r })),
      paused: v.paused,
    })),
    tools: deps.tools,
    etcd: [],
  };

  await privateDir(path.dirname(plan.partialDir));
  await createSetDir(plan.partialDir); // refuses anything already there, a planted symlink included
  const capiDir = path.join(plan.partialDir, 'capi');
  try {
    await privateDir(capiDir);
    const moved = await deps.runner.run(plan.move, { reject: false });
    deps.runner.throwIfInterrupted();
    if (moved.exitCode !== 0) {
      const error = firstMeaningfulLine(moved.stderr) || `exit code ${moved.exitCode}`;
      if (!plan.fallbackMove) throw moveFailed(plan.move.argv, error, moved.stderr);
      deps.warn(`whole-tree backup failed (${error}); falling back to the management cluster only, as EKS-A does`);
      await restorePause(deps, recorded, pauseRestore);
      await rm(capiDir, { recursive: true, force: true });
      await privateDir(capiDir);
      const fallback = await deps.runner.run(plan.fallbackMove, { reject: false });
      deps.runner.throwIfInterrupted();
      argv = [...plan.fallbackMove.argv];
      if (fallback.exitCode !== 0) {
        throw moveFailed(plan.fallbackMove.argv, firstMeaningfulLine(fallback.stderr) || `exit code ${fallback.exitCode}`, fallback.stderr);
      }
      const mgmt = deps.spec.managementClusterName;
      scope = {
        kind: 'management-only',
        clusters: [mgmt],
        summary: `management only, because the whole-tree move failed: ${error}`,
        leftOut: tree.filter((c) => c.name !== mgmt).map((c) => ({ cluster: c.name, reasons: [{ code: 'whole-tree-move-failed', object: 'clusterctl move', message: error }] })),
        fallbackFrom: { kind: 'whole-tree', error },
      };
      for (const key of Object.keys(expected)) if (key !== mgmt) delete expected[key];
    }
  } catch (error) {
    await restorePause(deps, recorded, pauseRestore).catch((e) => deps.warn(`pause state not restored: ${(e as Error).message}`));
    throw await failSet(plan, deps, { ...base, scope, expected, pauseRestore, argv }, error);
  }

  try {
    await restorePause(deps, recorded, pauseRestore);
    // Regular files only: a symlink from clusterctl's output must not carry the chmod outside the set
    // (the graph check reports it). A name that is not UTF-8 cannot even be named back: refuse it here.
    for (const entry of await readdir(capiDir, { withFileTypes: true, encoding: 'buffer' })) {
      if (!isUtf8(entry.name)) throw new SafeUpgradeError('BackupFailed', `clusterctl wrote a file whose name is not UTF-8: ${printable(JSON.stringify(entry.name.toString('latin1')))}`, { hint: 'check the clusterctl that ran (--clusterctl or the cli-tools image)' });
      if (entry.isFile()) await chmod(path.join(capiDir, entry.name.toString()), 0o600);
    }
    await exportEksaObjects(plan, deps, Object.keys(expected));
    await privateDir(path.join(plan.partialDir, 'spec'));
    await copyFile(deps.spec.file, path.join(plan.partialDir, 'spec', path.basename(deps.spec.file)));
    await chmod(path.join(plan.partialDir, 'spec', path.basename(deps.spec.file)), 0o600);

    const problems = await checkBackupGraph(plan.partialDir, expected);
    if (problems.length > 0) throw new SafeUpgradeError('BackupFailed', `backup did not verify: ${problems.join('; ')}`, { hint: 'see the .failed folder; rerun the backup' });

    // etcd last: the CAPI graph is the cheaper check and a snapshot of a tree we could not back up is no use.
    let etcd: EtcdSnapshotEntry[] = [];
    let etcdSkipped: BackupManifest['etcdSkipped'];
    if (deps.etcd.kind === 'skip') {
      etcdSkipped = { reason: deps.etcd.reason };
    } else {
      const requests = deps.etcd.plan(plan.partialDir, Object.keys(expected));
      const outcomes = await snapshotClusters(deps.runner, requests, {
        backupDir: plan.partialDir,
        concurrency: deps.etcd.concurrency,
        ...(deps.etcd.onProgress ? { onProgress: deps.etcd.onProgress } : {}),
      });
      deps.runner.throwIfInterrupted();
      etcd = requireAllSnapshots(outcomes);
      await chmodTree(plan.partialDir);
    }

    const files = await digestFiles(plan.partialDir, await listFiles(plan.partialDir, new Set([MANIFEST_FILE])));
    const manifest: BackupManifest = { ...base, state: 'complete', scope, clusterctl: { ...deps.clusterctl, argv }, expected, pauseRestore, files, etcd: etcd.map((e) => ({ ...e, failedAttempts: [...e.failedAttempts] })), ...(etcdSkipped ? { etcdSkipped } : {}) };
    // Written last, from the final manifest, and hashed too: the runbook is part of what verify checks.
    manifest.files.push(await writeRestoreRunbook(plan.partialDir, plan.dir, manifest));
    await privateFile(path.join(plan.partialDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(plan.partialDir, plan.dir);
    return { dir: plan.dir, manifest };
  } catch (error) {
    throw await failSet(plan, deps, { ...base, scope, expected, pauseRestore, argv }, error);
  }
}

function moveFailed(argv: readonly string[], error: string, stderr: string): ToolError {
  return new ToolError('BackupFailed', `clusterctl move failed: ${error}`, {
    argv,
    stderr,
    hint: 'fix the cause above (a cluster not provisioned, paused, or unreachable) and rerun; the partial set was kept as .failed',
  });
}

/** Re-read both pause switches of every cluster and write back the ones that differ from the record. */
async function restorePause(deps: ApplyDeps, recorded: readonly PauseState[], log: BackupManifest['pauseRestore']): Promise<void> {
  if (deps.runner.dryRun || recorded.length === 0) return;
  const items = await deps.kubectl.listAll([EKSA_CLUSTERS, CAPI_CLUSTERS], 're-read pause state after clusterctl');
  const eksa = new Map(items.filter((i) => groupOf(i.apiVersion) === EKSA_GROUP).map((i) => [i.metadata.name, i]));
  const capi = new Map(items.filter((i) => groupOf(i.apiVersion) === 'cluster.x-k8s.io').map((i) => [i.metadata.name, i]));
  const current = recorded.map((r) => pauseStateOf(eksa.get(r.cluster), capi.get(r.cluster), r.cluster));
  for (const action of planPauseRestore(recorded, current, (args) => deps.kubectl.argv(args))) {
    await deps.runner.run(action.command, { failAs: 'BackupFailed', hint: `restore the pause state of ${action.cluster} by hand` });
    log.push({ cluster: action.cluster, what: action.what, before: action.before, after: action.after, action: `restored to ${action.before ? 'paused' : 'unpaused'}` });
  }
}

async function exportEksaObjects(plan: BackupPlan, deps: ApplyDeps, clusters: readonly string[]): Promise<void> {
  const dir = path.join(plan.partialDir, 'eksa');
  await privateDir(dir);
  const kinds = eksaExportKinds(deps.spec.provider);
  const command = read(deps.kubectl.argv(['get', kinds.join(','), '--all-namespaces', '-o', 'json']), 'export the EKS-A objects clusterctl does not carry');
  const stdout = await deps.kubectl.runRead(command);
  const items = (JSON.parse(stdout) as { items: any[] }).items;
  const wanted = plan.clusters.filter((c) => clusters.includes(c.name)).flatMap(expectedEksaObjects);
  for (const [file, object] of selectEksaObjects(items, wanted)) await privateFile(path.join(dir, file), forReapply(object));
}

/** Every file of capi/ and eksa/ parses and says what it holds, and every expected object is there. */
export async function checkBackupGraph(setDir: string, expected: BackupManifest['expected']): Promise<string[]> {
  const capi = await readObjectFiles(path.join(setDir, 'capi'));
  const eksa = await readObjectFiles(path.join(setDir, 'eksa'));
  const problems = [...capi.problems.map((p) => `capi/${p}`), ...eksa.problems.map((p) => `eksa/${p}`)];
  const missingCapi = findMissing(Object.fromEntries(Object.entries(expected).map(([c, e]) => [c, e.capi.map(parseRefKey)])), capi.objects);
  const missingEksa = findMissing(Object.fromEntries(Object.entries(expected).map(([c, e]) => [c, e.eksa.map(parseRefKey)])), eksa.objects);
  if (missingCapi.length > 0) problems.push(`missing from capi/: ${describeMissing(missingCapi)}`);
  if (missingEksa.length > 0) problems.push(`missing from eksa/: ${describeMissing(missingEksa)}`);
  return problems;
}

/** Record the failure in the set's manifest and move it aside as `.failed` (or remove it): never complete-looking. */
async function failSet(
  plan: BackupPlan,
  deps: ApplyDeps,
  partial: Omit<BackupManifest, 'state' | 'clusterctl' | 'files'> & { argv: string[] },
  error: unknown,
): Promise<unknown> {
  if (deps.runner.interruptedBy && !(error instanceof SafeUpgradeError && error.exit === 'Interrupted')) {
    error = new SafeUpgradeError('Interrupted', `interrupted by ${deps.runner.interruptedBy} during the backup`, { hint: 'the partial set was kept as .failed; pause state was restored', cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  const { argv, ...rest } = partial;
  try {
    if (deps.cleanFailed) {
      await rm(plan.partialDir, { recursive: true, force: true });
    } else {
      // What the failed step left (an etcd/ folder, ssh's known_hosts) gets the set's modes too: it may be kept for long.
      await chmodTree(plan.partialDir).catch(() => undefined);
      const manifest: BackupManifest = { ...rest, state: 'failed', error: message, clusterctl: { ...deps.clusterctl, argv }, files: [] };
      await privateFile(path.join(plan.partialDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      await rename(plan.partialDir, plan.failedDir);
    }
  } catch (cleanupError) {
    deps.warn(`could not mark the failed set: ${(cleanupError as Error).message}`);
  }
  if (error instanceof SafeUpgradeError) return error;
  return new SafeUpgradeError('BackupFailed', `backup failed: ${message}`, { hint: 'see the .failed folder and rerun', cause: error });
}
