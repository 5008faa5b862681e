import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readObjectFiles } from '../backup/read-object-files.js';
import { firstMeaningfulLine } from '../errors.js';
import { parseSnapshotStatus } from '../etcd/snapshot-status.js';
import type { BackgroundProcess, Runner } from '../runner/runner.js';
import { SCRATCH_PREFIX, planSnapshotDrill, type DrillTools, type SnapshotDrillPlan, type SnapshotToDrill } from './plan.js';
import { countByResource, crossCheck, parseEndpointRevision, parseGetJson, prefixesFor, sanityProblems, type CrossCheck, type DecodedKv, type FileObject } from './registry.js';

/** How long a throwaway etcd may take to answer `endpoint health` before the drill gives up on it. */
const HEALTH_TIMEOUT_MS = 60_000;
const HEALTH_POLL_MS = 50;

export interface SnapshotDrillResult {
  readonly cluster: string;
  readonly member: string;
  readonly file: string;
  readonly ok: boolean;
  readonly problems: string[];
  /** Of the restored database (`snapshot status`), compared with the manifest's. */
  readonly revision?: number;
  readonly totalKeys?: number;
  /** Live keys under /registry/ of the running throwaway etcd. */
  readonly registryKeys?: number;
  readonly resources?: Record<string, number>;
  /** The management snapshot against capi/ and eksa/. */
  readonly crossCheck?: CrossCheck;
  readonly durationMs: number;
}

export interface DrillResult {
  readonly ok: boolean;
  readonly snapshots: SnapshotDrillResult[];
}

/** Two free TCP ports on 127.0.0.1 (held together while chosen, so they differ). */
async function freePorts(): Promise<{ client: number; peer: number }> {
  const servers = [createServer(), createServer()];
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            if (typeof address === 'object' && address) resolve(address.port);
            else reject(new Error('no port'));
          });
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return { client: ports[0]!, peer: ports[1]! };
}

/** The objects of capi/ and eksa/ with what the cross-check compares. */
export async function readSetObjects(setDir: string): Promise<FileObject[]> {
  const out: FileObject[] = [];
  for (const folder of ['capi', 'eksa']) {
    const { documents } = await readObjectFiles(path.join(setDir, folder));
    for (const { name, object } of documents) {
      const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
      const m = object.metadata ?? {};
      out.push({
        file: `${folder}/${name}`,
        group: apiVersion.includes('/') ? apiVersion.split('/')[0]! : '',
        kind: object.kind,
        namespace: m.namespace ?? '',
        name: m.name,
        ...(typeof m.uid === 'string' ? { uid: m.uid } : {}),
        ...(typeof m.resourceVersion === 'string' && m.resourceVersion !== '' ? { resourceVersion: m.resourceVersion } : {}),
      });
    }
  }
  return out;
}

async function waitHealthy(runner: Runner, plan: SnapshotDrillPlan, server: BackgroundProcess): Promise<string | undefined> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    runner.throwIfInterrupted();
    if (server.exited()) return `the throwaway etcd exited during start-up: ${firstMeaningfulLine(lastLines(server.stderrTail())) || 'no output'}`;
    const r = await runner.run(plan.health, { reject: false });
    if (r.exitCode === 0) return undefined;
    if (Date.now() > deadline) return `the throwaway etcd was not healthy after ${HEALTH_TIMEOUT_MS / 1000} s`;
    await sleep(HEALTH_POLL_MS);
  }
}

/** The last few lines of etcd's log, where the fatal one is. */
function lastLines(text: string): string {
  const lines = text.trim().split('\n');
  const fatal = lines.reverse().find((l) => /"level":"(fatal|panic|error)"|panic:/.test(l));
  if (!fatal) return lines.slice(0, 1).join('\n');
  try {
    const entry = JSON.parse(fatal) as { msg?: string; error?: string };
    return `${entry.msg ?? ''}${entry.error ? `: ${entry.error}` : ''}`;
  } catch {
    return fatal;
  }
}

/**
 * Drill one snapshot: restore into a private scratch folder, check the restored database against the manifest,
 * start a throwaway etcd on loopback, read it, stop it by pid and remove the scratch folder whatever happens.
 */
export async function drillSnapshot(
  runner: Runner,
  tools: DrillTools,
  setDir: string,
  snapshot: SnapshotToDrill,
  options: { readonly setObjects?: readonly FileObject[]; readonly tmpdir?: string; /** false: no `snapshot status` pass (bench/drill.mjs measures its cost) */ readonly status?: boolean },
): Promise<SnapshotDrillResult> {
  const started = performance.now();
  const problems: string[] = [];
  const base = { cluster: snapshot.cluster, member: snapshot.member, file: snapshot.file };
  // mkdtemp makes the folder 0700: the restored data holds every Secret of the cluster.
  const scratch = await mkdtemp(path.join(options.tmpdir ?? os.tmpdir(), SCRATCH_PREFIX));
  let server: BackgroundProcess | undefined;
  let result: Omit<SnapshotDrillResult, 'ok' | 'problems' | 'durationMs'> = base;
  try {
    const plan = planSnapshotDrill(tools, setDir, snapshot, scratch, await freePorts());
    const restored = await runner.run(plan.restore, { reject: false });
    if (restored.exitCode !== 0) {
      problems.push(`restore failed: ${firstMeaningfulLine(restored.stderr) || `exit code ${restored.exitCode}`}`);
      return { ...result, ok: false, problems, durationMs: Math.round(performance.now() - started) };
    }
    let status: { revision: number; totalKeys: number } | undefined;
    if (options.status !== false) {
      const statusRun = await runner.run(plan.status, { reject: false });
      if (statusRun.exitCode !== 0) {
        problems.push(`the restored database does not read: ${firstMeaningfulLine(statusRun.stderr) || `exit code ${statusRun.exitCode}`}`);
        return { ...result, ok: false, problems, durationMs: Math.round(performance.now() - started) };
      }
      status = parseSnapshotStatus(statusRun.stdout);
      result = { ...result, revision: status.revision, totalKeys: status.totalKeys };
      if (snapshot.revision !== undefined && status.revision !== snapshot.revision) problems.push(`revision ${status.revision}, the manifest says ${snapshot.revision}`);
      if (snapshot.totalKeys !== undefined && status.totalKeys !== snapshot.totalKeys) problems.push(`${status.totalKeys} keys, the manifest says ${snapshot.totalKeys}`);
    }

    server = runner.spawnBackground(plan.server);
    const unhealthy = await waitHealthy(runner, plan, server);
    if (unhealthy) {
      problems.push(unhealthy);
      return { ...result, ok: false, problems, durationMs: Math.round(performance.now() - started) };
    }
    const live = parseEndpointRevision((await runner.run(plan.endpointStatus, { failAs: 'VerifyFailed' })).stdout);
    if (status && live !== status.revision) problems.push(`the running etcd is at revision ${live}, its database at ${status.revision}`);
    if (!status) {
      result = { ...result, revision: live };
      if (snapshot.revision !== undefined && live !== snapshot.revision) problems.push(`revision ${live}, the manifest says ${snapshot.revision}`);
    }
    const keys = parseGetJson((await runner.run(plan.keys, { failAs: 'VerifyFailed' })).stdout).kvs.map((kv) => kv.key);
    result = { ...result, registryKeys: keys.length, resources: countByResource(keys) };
    problems.push(...sanityProblems(snapshot.cluster, keys));

    if (options.setObjects) {
      const kvs: DecodedKv[] = [];
      for (const prefix of prefixesFor(options.setObjects)) kvs.push(...parseGetJson((await runner.run(plan.values(prefix), { failAs: 'VerifyFailed' })).stdout).kvs);
      const check = crossCheck(options.setObjects, kvs);
      result = { ...result, crossCheck: check };
      if (check.missingFromEtcd.length > 0) problems.push(`${check.missingFromEtcd.length} object(s) of the files are not in etcd: ${shortList(check.missingFromEtcd)}`);
      if (check.uidMismatch.length > 0) problems.push(`${check.uidMismatch.length} object(s) have another uid in etcd: ${shortList(check.uidMismatch)}`);
      if (check.olderInEtcd.length > 0) problems.push(`${check.olderInEtcd.length} object(s) are older in etcd than in the files: ${shortList(check.olderInEtcd)}`);
    }
    return { ...result, ok: problems.length === 0, problems, durationMs: Math.round(performance.now() - started) };
  } finally {
    try {
      await server?.stop();
    } finally {
      await rm(scratch, { recursive: true, force: true, maxRetries: 3 });
    }
  }
}

function shortList(items: readonly string[], max = 10): string {
  return items.length <= max ? items.join('; ') : `${items.slice(0, max).join('; ')}; and ${items.length - max} more`;
}

/** The snapshots of a set as the drill takes them, the management cluster's cross-checked against capi/ and eksa/. */
export async function drillSet(runner: Runner, tools: DrillTools, setDir: string, manifest: { readonly etcd: readonly SnapshotToDrill[]; readonly managementCluster: string }, options: { readonly tmpdir?: string; readonly onSnapshot?: (r: SnapshotDrillResult) => void } = {}): Promise<DrillResult> {
  const snapshots: SnapshotDrillResult[] = [];
  const setObjects = await readSetObjects(setDir);
  for (const entry of manifest.etcd) {
    runner.throwIfInterrupted();
    const isManagement = entry.cluster === manifest.managementCluster;
    const r = await drillSnapshot(runner, tools, setDir, entry, { ...(isManagement ? { setObjects } : {}), ...(options.tmpdir ? { tmpdir: options.tmpdir } : {}) });
    options.onSnapshot?.(r);
    snapshots.push(r);
  }
  return { ok: snapshots.length > 0 && snapshots.every((s) => s.ok), snapshots };
}
