import { chmod, copyFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { SafeUpgradeError, ToolError, firstMeaningfulLine, printable } from '../errors.js';
import { EKSA_GROUP, groupOf } from '../kube/kinds.js';
import { parseList, type Kubectl } from '../kubectl/kubectl.js';
import type { Runner, RunResult } from '../runner/runner.js';
import type { Command } from '../command.js';
import { digestFiles, listFiles } from '../backup/digest.js';
import { forReapply, selectEksaObjects } from '../backup/eksa-export.js';
import { MANIFEST_FILE, MANIFEST_SCHEMA_VERSION, type BackupManifest } from '../backup/manifest.js';
import { checkBackupGraph } from '../backup/check-graph.js';
import { parseRefKey } from '../backup/object-graph.js';
import { PAUSE_STATE_FILE, pauseStateOf, type PauseStateRecord } from '../backup/pause-state.js';
import { chmodTree, createSetDir, privateDir, privateFile, replacePrivateFile, rewriteReservedFile, writeReservedFile } from '../backup/private-files.js';
import { writeRestoreRunbook } from '../backup-sets/restore-file.js';
import { requireAllSnapshots, snapshotClusters } from '../etcd/snapshot.js';
import type { EtcdSnapshotEntry } from '../etcd/types.js';
import type { BackupAction, FileAction } from '../plan/types.js';
import { toDrillRecord, writeDrillRecord } from '../backup-sets/drill-record.js';
import { drillSet, type DrillResult } from '../drill/run-drill.js';

export interface ApplyDeps {
  readonly runner: Runner;
  readonly kubectl: Kubectl;
  readonly now: Date;
  readonly warn: (line: string) => void;
  readonly onProgress?: (cluster: string, member: string, bytes: number) => void;
  /** `--drill`: each snapshot's drill as it ends (cluster, passed). */
  readonly onDrill?: (cluster: string, ok: boolean) => void;
}

export interface BackupResult {
  readonly dir: string;
  readonly manifest: BackupManifest;
  /** `--drill`: what the drill of the new set found (also in the manifest, RESTORE.md and `<set>.drill.json`). */
  readonly drill?: DrillResult;
}

/**
 * Apply the backup action of a plan: move into `<name>.partial/capi`, put pause state back, export the
 * EKS-A objects, verify the object graph, snapshot etcd, hash every file, write the manifest, and only
 * then rename into place. A failure leaves `<name>.failed` with the error in its manifest (or nothing,
 * with --clean-failed). Every command and path comes from the plan; nothing is decided here again.
 */
export async function applyBackup(plan: BackupAction, deps: ApplyDeps): Promise<BackupResult> {
  const { set } = plan;
  const recorded = plan.pause.recorded;
  const pauseRestore: BackupManifest['pauseRestore'] = [];
  let scope: BackupManifest['scope'] = {
    kind: plan.scope.kind,
    clusters: [...plan.scope.clusters],
    summary: plan.scope.summary,
    leftOut: plan.scope.kind === 'management-only' ? plan.scope.leftOut.map((l) => ({ cluster: l.cluster, reasons: [...l.reasons] })) : [],
  };
  let argv = [...plan.move.argv];
  const expected = { ...plan.expected };
  const { toolVersion, ...facts } = plan.manifest;
  const base = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: 'eksa-safe-upgrade' as const, version: toolVersion },
    createdAt: deps.now.toISOString(),
    folderTimestamp: set.folderTimestamp,
    ...facts,
    etcd: [],
  };

  const capiDir = path.join(set.partialDir, 'capi');
  const marker: BackupManifest = { ...base, state: 'failed', error: UNFINISHED, scope, clusterctl: { ...plan.clusterctl, argv }, expected, pauseRestore, files: [] };
  let created = false;
  try {
    for (const action of [...plan.prepare, ...(plan.records ?? [])]) {
      await applyPrepareAction(action, plan, marker, deps.now);
      if (action.op === 'mkdir' && action.exclusive && action.path === set.partialDir) created = true;
    }
  } catch (error) {
    // Nothing was paused or moved yet, and a set this run created holds nothing of value: it is not left behind.
    if (created) await rm(set.partialDir, { recursive: true, force: true }).catch(() => undefined);
    if (error instanceof SafeUpgradeError) throw error;
    throw new SafeUpgradeError('BackupFailed', `cannot start the backup set ${set.partialDir}: ${(error as Error).message}`, { hint: 'free space in (or fix the permissions of) the management folder and rerun', cause: error });
  }
  try {
    const moved = await deps.runner.run(plan.move, { reject: false });
    deps.runner.throwIfInterrupted();
    if (moved.exitCode !== 0) {
      const error = moveError(plan.move, moved);
      if (!plan.fallback) throw moveFailed(plan.move.argv, error, moved.stderr);
      // A local cause (the disk, the set folder) would fail the management-only move too, or leave a
      // smaller set than planned for no cluster-side reason: the backup fails instead.
      const local = await localMoveFailure(moved.stderr, capiDir);
      if (local) throw moveFailed(plan.move.argv, `${error} (a local cause: ${local}; not retried for the management cluster alone)`, moved.stderr);
      deps.warn(`whole-tree backup failed (${error}); falling back to the management cluster only, as EKS-A does`);
      await restorePause(plan, deps, pauseRestore);
      for (const action of plan.fallback.prepare) await applyFileAction(action);
      const fallback = await deps.runner.run(plan.fallback.move, { reject: false });
      deps.runner.throwIfInterrupted();
      argv = [...plan.fallback.move.argv];
      if (fallback.exitCode !== 0) {
        throw moveFailed(plan.fallback.move.argv, moveError(plan.fallback.move, fallback), fallback.stderr);
      }
      const mgmt = plan.fallback.managementCluster;
      scope = {
        kind: 'management-only',
        clusters: [mgmt],
        summary: `management only, because the whole-tree move failed: ${error}`,
        leftOut: recorded.filter((c) => c.cluster !== mgmt).map((c) => ({ cluster: c.cluster, reasons: [{ code: 'whole-tree-move-failed', object: 'clusterctl move', message: error }] })),
        fallbackFrom: { kind: 'whole-tree', error },
      };
      for (const key of Object.keys(expected)) if (key !== mgmt) delete expected[key];
    }
  } catch (error) {
    await restorePause(plan, deps, pauseRestore).catch((e) => deps.warn(`pause state not restored: ${(e as Error).message}`));
    throw await failSet(plan, deps, { ...base, scope, expected, pauseRestore, argv }, error);
  }

  try {
    await restorePause(plan, deps, pauseRestore);
    // Regular files only: a symlink from clusterctl's output must not carry the chmod outside the set
    // (the graph check reports it). A name that is not UTF-8 cannot even be named back: refuse it here.
    for (const entry of await readdir(capiDir, { withFileTypes: true, encoding: 'buffer' })) {
      if (!isUtf8(entry.name)) throw new SafeUpgradeError('BackupFailed', `clusterctl wrote a file whose name is not UTF-8: ${printable(JSON.stringify(entry.name.toString('latin1')))}`, { hint: 'check the clusterctl that ran (--clusterctl or the cli-tools image)' });
      if (entry.isFile()) await chmod(path.join(capiDir, entry.name.toString()), 0o600);
    }
    await exportEksaObjects(plan, deps, Object.keys(expected));
    await applyFileAction(plan.specCopy);

    const problems = await checkBackupGraph(set.partialDir, expected);
    if (problems.length > 0) throw new SafeUpgradeError('BackupFailed', `backup did not verify: ${problems.join('; ')}`, { hint: 'see the .failed folder; rerun the backup' });

    // etcd last: the CAPI graph is the cheaper check and a snapshot of a tree we could not back up is no use.
    let etcd: EtcdSnapshotEntry[] = [];
    let etcdSkipped: BackupManifest['etcdSkipped'];
    let hostKeys: BackupManifest['hostKeys'];
    if (plan.etcd.kind === 'skip') {
      etcdSkipped = { reason: plan.etcd.reason };
    } else {
      const requests = plan.etcd.clusters.filter((c) => c.request.target.cluster in expected).map((c) => c.request);
      // The keys the last set saw, where the new ones are recorded: ssh (accept-new) refuses a key that changed.
      if (plan.etcd.pinKnownHosts) await applyFileAction(plan.etcd.pinKnownHosts);
      hostKeys = plan.etcd.acceptChangedHostKeys ? { acceptChanged: true } : plan.etcd.pinKnownHosts?.other ? { checkedAgainst: path.relative(set.parent, plan.etcd.pinKnownHosts.other), acceptChanged: false } : undefined;
      const outcomes = await snapshotClusters(deps.runner, requests, {
        backupDir: set.partialDir,
        concurrency: plan.etcd.concurrency,
        folders: plan.etcd.folders,
        ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
      });
      deps.runner.throwIfInterrupted();
      etcd = requireAllSnapshots(outcomes);
      await chmodTree(set.partialDir);
    }

    // Before the runbook and the manifest, which record its result; a failed drill still completes the set.
    const drilled = plan.drill && etcd.length > 0 ? await drillNewSet(plan, deps, etcd) : undefined;
    const drill = drilled && toDrillRecord(deps.now, drilled.problems, drilled.result);

    // The pause state was put back and is in the manifest (clusters, pauseRestore): the record of an unfinished set goes.
    await rm(path.join(set.partialDir, PAUSE_STATE_FILE), { force: true });
    const files = await digestFiles(set.partialDir, await listFiles(set.partialDir, new Set([MANIFEST_FILE])));
    const manifest: BackupManifest = { ...base, state: 'complete', scope, clusterctl: { ...plan.clusterctl, argv }, expected, pauseRestore, files, etcd: etcd.map((e) => ({ ...e, failedAttempts: [...e.failedAttempts] })), ...(etcdSkipped ? { etcdSkipped } : {}), ...(hostKeys ? { hostKeys } : {}), ...(drill ? { drill } : {}) };
    // Written last, from the final manifest, and hashed too: the runbook is part of what verify checks.
    manifest.files.push(await writeRestoreRunbook(set.partialDir, set.dir, manifest));
    // A new file renamed over the failure marker: a full disk here leaves the marker whole.
    await replacePrivateFile(path.join(set.partialDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(set.partialDir, set.dir);
    // The set is complete whatever the drill found: its record goes beside it, as `drill <set>` writes it.
    if (drill) await writeDrillRecord(set.dir, drill).catch((e) => deps.warn(`${set.dir}.drill.json not written: ${(e as Error).message}`));
    return { dir: set.dir, manifest, ...(drilled?.result ? { drill: drilled.result } : {}) };
  } catch (error) {
    throw await failSet(plan, deps, { ...base, scope, expected, pauseRestore, argv }, error);
  }
}

/**
 * `--drill`: the snapshots just taken, in the set being written, as `drill <set>` takes them. A drill that cannot
 * run (a tool that fails) is a failed drill, not a failed backup: the bytes were verified, their worth is unproven.
 */
async function drillNewSet(plan: BackupAction, deps: ApplyDeps, etcd: readonly EtcdSnapshotEntry[]): Promise<{ problems: string[]; result: DrillResult | undefined }> {
  if (!plan.drill) throw new Error('internal: drill without a drill step');
  try {
    const result = await drillSet(deps.runner, plan.drill.tools, plan.set.partialDir, { etcd, managementCluster: plan.manifest.managementCluster }, {
      tmpdir: plan.drill.tmpdir,
      onSnapshot: (s) => deps.onDrill?.(s.cluster, s.ok),
    });
    return { problems: [], result };
  } catch (error) {
    if (deps.runner.interruptedBy) throw error;
    return { problems: [`the drill could not run: ${firstMeaningfulLine((error as Error).message)}`], result: undefined };
  }
}

/** What a set's first marker says until the complete manifest (or the failure's own) replaces it. */
const UNFINISHED = 'the backup did not finish: the run stopped before it wrote the complete manifest (killed, or the disk filled up)';
/** Room kept in the marker for the failure manifest, whatever the disk does later. */
const MARKER_RESERVE_BYTES = 64 * 1024;

/** The set's first files: its folders, the failure marker (room reserved), the pause state before the move. */
async function applyPrepareAction(action: FileAction, plan: BackupAction, marker: BackupManifest, now: Date): Promise<void> {
  if (action.op !== 'write') return applyFileAction(action);
  const name = path.basename(action.path);
  if (name === MANIFEST_FILE) {
    const text = `${JSON.stringify(marker, null, 2)}\n`;
    await writeReservedFile(action.path, text, Math.max(MARKER_RESERVE_BYTES, 2 * Buffer.byteLength(text) + 16 * 1024));
    return;
  }
  if (name === PAUSE_STATE_FILE) {
    const record: PauseStateRecord = { schemaVersion: 1, managementCluster: plan.manifest.managementCluster, recordedAt: now.toISOString(), pid: process.pid, hostname: hostname(), clusters: plan.pause.recorded };
    await writeReservedFile(action.path, `${JSON.stringify(record, null, 2)}\n`, 0);
    return;
  }
  throw new Error(`internal: file action ${action.op} ${name} is applied where its content is known`);
}

/**
 * Whether a failed move failed for a local reason: clusterctl's own error names a full disk, a quota, a
 * read-only file system, or a denied write to a path; or the set's folder cannot take a small file now.
 */
async function localMoveFailure(stderr: string, capiDir: string): Promise<string | undefined> {
  const said = /no space left on device|disk quota exceeded|read-only file system|(?:open|mkdir|create|write|rename)\s+\S+:\s+permission denied/i.exec(stderr);
  if (said) return /permission denied/i.test(said[0]) ? 'permission denied writing the set' : said[0].toLowerCase();
  const probe = path.join(capiDir, `.probe-${process.pid}`);
  try {
    await writeFile(probe, 'x'.repeat(4096), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code && ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR'].includes(code)) return `the set folder cannot be written (${code})`;
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
  return undefined;
}

/** The folder and copy actions of a plan; the runbook, manifest and rename are written where their content is known. */
async function applyFileAction(action: FileAction): Promise<void> {
  switch (action.op) {
    case 'mkdir':
      // The set itself: refuses anything already there, a planted symlink included.
      await (action.exclusive ? createSetDir(action.path) : privateDir(action.path));
      return;
    case 'remove':
      await rm(action.path, { recursive: true, force: true });
      return;
    case 'copy':
      await privateDir(path.dirname(action.path));
      await copyFile(action.other ?? '', action.path);
      await chmod(action.path, action.mode ?? 0o600);
      return;
    default:
      throw new Error(`internal: file action ${action.op} is applied where its content is known`);
  }
}

/** Why a move failed: stopped at --move-timeout, else clusterctl's own first line. */
function moveError(command: Command, result: RunResult): string {
  if (result.timedOut) return `stopped after ${command.timeoutMs} ms (--move-timeout)`;
  return firstMeaningfulLine(result.stderr) || `exit code ${result.exitCode}`;
}

function moveFailed(argv: readonly string[], error: string, stderr: string): ToolError {
  return new ToolError('BackupFailed', `clusterctl move failed: ${error}`, {
    argv,
    stderr,
    hint: 'fix the cause above (a cluster not provisioned, paused, or unreachable; a move that needs longer: --move-timeout) and rerun; the partial set was kept as .failed',
  });
}

/**
 * Re-read both pause switches of every cluster and run the planned write for each one that differs from the
 * record. A write that fails does not stop the others: every cluster that can be put back is, and the error
 * names each one that was not.
 */
async function restorePause(plan: BackupAction, deps: ApplyDeps, log: BackupManifest['pauseRestore']): Promise<void> {
  const recorded = plan.pause.recorded;
  if (recorded.length === 0) return;
  const items = parseList(await deps.kubectl.runRead(plan.pause.read), plan.pause.read);
  const eksa = new Map(items.filter((i) => groupOf(i.apiVersion) === EKSA_GROUP).map((i) => [i.metadata.name, i]));
  const capi = new Map(items.filter((i) => groupOf(i.apiVersion) === 'cluster.x-k8s.io').map((i) => [i.metadata.name, i]));
  const failed: Array<{ cluster: string; error: unknown }> = [];
  for (const before of recorded) {
    const now = pauseStateOf(eksa.get(before.cluster), capi.get(before.cluster), before.cluster);
    if (!eksa.has(before.cluster) && !capi.has(before.cluster)) continue;
    for (const action of plan.pause.restore.filter((a) => a.cluster === before.cluster)) {
      const after = action.what === 'capi-spec-paused' ? now.capi : now.eksa;
      if (after === action.before) continue;
      try {
        await deps.runner.run(action.command, { failAs: 'BackupFailed', hint: `restore the pause state of ${action.cluster} by hand` });
      } catch (error) {
        if (deps.runner.interruptedBy) throw error;
        failed.push({ cluster: action.cluster, error });
        continue;
      }
      log.push({ cluster: action.cluster, what: action.what, before: action.before, after, action: `restored to ${action.before ? 'paused' : 'unpaused'}` });
    }
  }
  if (failed.length === 1) throw failed[0]!.error;
  if (failed.length > 1) {
    const others = [...new Set(failed.slice(1).map((f) => f.cluster))].join(', ');
    throw new SafeUpgradeError('BackupFailed', `${(failed[0]!.error as Error).message}; not restored either: ${others}`, {
      hint: `restore the pause state of ${[...new Set(failed.map((f) => f.cluster))].join(', ')} by hand`,
    });
  }
}

async function exportEksaObjects(plan: BackupAction, deps: ApplyDeps, clusters: readonly string[]): Promise<void> {
  await privateDir(plan.export.dir);
  const stdout = await deps.kubectl.runRead(plan.export.command);
  const items = (JSON.parse(stdout) as { items: any[] }).items;
  const wanted = clusters.flatMap((c) => (plan.expected[c]?.eksa ?? []).map(parseRefKey));
  for (const [file, object] of selectEksaObjects(items, wanted)) await privateFile(path.join(plan.export.dir, file), forReapply(object));
}

/** Record the failure in the set's manifest and move it aside as `.failed` (or remove it): never complete-looking. */
async function failSet(
  plan: BackupAction,
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
    if (plan.cleanFailed) {
      await rm(plan.set.partialDir, { recursive: true, force: true });
    } else {
      // What the failed step left (an etcd/ folder, ssh's known_hosts) gets the set's modes too: it may be kept for long.
      await chmodTree(plan.set.partialDir).catch(() => undefined);
      const manifest: BackupManifest = { ...rest, state: 'failed', error: message, clusterctl: { ...plan.clusterctl, argv }, files: [] };
      // Atomically when there is room, else in place over the marker's reserved blocks: a full disk cannot stop it.
      await rewriteReservedFile(path.join(plan.set.partialDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`).catch((e) => {
        deps.warn(`the failed set keeps its first marker (state: failed), the error could not be added: ${(e as Error).message}`);
      });
      await rename(plan.set.partialDir, plan.set.failedDir);
    }
  } catch (cleanupError) {
    deps.warn(`could not mark the failed set: ${(cleanupError as Error).message}`);
  }
  if (error instanceof SafeUpgradeError) return error;
  return new SafeUpgradeError('BackupFailed', `backup failed: ${message}`, { hint: 'see the .failed folder and rerun', cause: error });
}
