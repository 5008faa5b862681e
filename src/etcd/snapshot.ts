import { existsSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SafeUpgradeError, UsageError, isSafeUpgradeError, printable } from '../errors.js';
import { describeValue } from '../kube/names.js';
import { isDns1123Subdomain } from './validate.js';
import type { Runner } from '../runner/runner.js';
import { streamCommand } from '../runner/stream.js';
import { mapBounded } from './concurrency.js';
import { changedHostKey, knownHostsName, knownKeysFor } from './known-hosts.js';
import { snapshotCommand, snapshotFileName, snapshotFolders, type EtcdSnapshotRequest } from './snapshot-plan.js';
import { localStatusTool, readSnapshotStatus, type SnapshotStatus } from './snapshot-status.js';
import { BOLT_META_BYTES, SnapshotVerifier, boltMetaProblem } from './snapshot-verify.js';
import type { EtcdMember, EtcdSnapshotEntry, SnapshotAttemptFailure } from './types.js';

/**
 * The most a snapshot stream may carry before ssh is stopped. etcd's own database quota is 2 GiB by default
 * and 8 GiB at most is recommended, and a snapshot is the database plus a 32-byte trailer; the size of the
 * member's database is not known before the stream starts, so the bound is a generous multiple of the largest
 * recommended quota. A node that streams past it is not sending a snapshot, and the disk is not filled.
 */
export const MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024 * 1024;

/** ssh's own failures (connect, auth, host key, dropped connection) all exit 255. */
const SSH_FAILED = 'ssh exit 255 (connection failed or dropped)';

export interface SnapshotRunOptions {
  /** The backup directory; snapshots go to `<backupDir>/etcd/<cluster>-<member>.db` (or `etcd/<cluster>/<member>.db`, `folders`). */
  readonly backupDir: string;
  /** A folder per cluster, so names cannot collide (set by snapshotClusters from every cluster of the backup). */
  readonly folders?: boolean;
  readonly onProgress?: (cluster: string, member: string, bytes: number) => void;
  /** Local tool for `snapshot status`; default: etcdutl, else etcdctl, else none. `false`: never. */
  readonly statusTool?: 'etcdutl' | 'etcdctl' | false;
}

export type EtcdSnapshotOutcome =
  | { readonly cluster: string; readonly status: 'ok'; readonly entry: EtcdSnapshotEntry }
  | { readonly cluster: string; readonly status: 'dry-run' }
  | { readonly cluster: string; readonly status: 'failed'; readonly error: SafeUpgradeError };

/**
 * Snapshots one cluster: tries its members in order until one snapshot streams completely and verifies.
 * The file is written as `.partial` and renamed only then. Dry-run prints the first member's command and
 * returns undefined. Throws EtcdSnapshotFailed naming every member's reason when none succeeds.
 */
export async function snapshotCluster(runner: Runner, request: EtcdSnapshotRequest, options: SnapshotRunOptions): Promise<EtcdSnapshotEntry | undefined> {
  const { target } = request;
  if (!existsSync(request.ssh.keyFile)) {
    throw new UsageError(`SSH key ${request.ssh.keyFile} for cluster ${target.cluster} does not exist`, { hint: 'pass --ssh-key' });
  }
  if (target.members.length === 0) {
    // A machine name that failed validation is shown escaped and bounded, never raw.
    const why = target.skipped.map((s) => `${isDns1123Subdomain(s.machine) ? s.machine : describeValue(s.machine)}: ${s.reason}`).join('; ') || 'no etcd machines found';
    throw new SafeUpgradeError('EtcdSnapshotFailed', `cluster ${target.cluster}: no etcd member to snapshot (${why})`, {
      hint: 'check the Machines of the cluster, or --ssh-address-type',
    });
  }
  const statusTool = options.statusTool === false ? undefined : options.statusTool ?? localStatusTool(runner);
  const failures: SnapshotAttemptFailure[] = [];
  for (const member of target.members) {
    const started = performance.now();
    const attempt = await snapshotMember(runner, request, member, options, statusTool);
    if (attempt === 'dry-run') return undefined;
    if (typeof attempt === 'string') {
      failures.push({ member: member.machine, address: member.address, reason: attempt });
      continue;
    }
    return {
      cluster: target.cluster,
      member: member.machine,
      address: member.address,
      topology: target.topology,
      os: target.os,
      file: snapshotFileName(target.cluster, member.machine, options.folders),
      size: attempt.size,
      sha256: attempt.sha256,
      ...(attempt.status ? { revision: attempt.status.revision, totalKeys: attempt.status.totalKeys, dbSize: attempt.status.dbSize } : {}),
      durationMs: Math.round(performance.now() - started),
      failedAttempts: failures,
    };
  }
  const all = failures.map((f) => `${f.member} (${f.address}): ${f.reason}`).join('; ');
  throw new SafeUpgradeError('EtcdSnapshotFailed', `etcd snapshot of cluster ${target.cluster} failed on every member: ${all}`, {
    hint: failures.every((f) => f.reason.startsWith(SSH_FAILED))
      ? 'check --ssh-key, --ssh-user, --ssh-port, --ssh-known-hosts and that the nodes are reachable'
      : 'check etcd health on the members (journalctl -u etcd, or the etcd pod logs)',
  });
}

interface VerifiedSnapshot {
  readonly size: number;
  readonly sha256: string;
  readonly status: SnapshotStatus | undefined;
}

/** One member: a verified snapshot in place, 'dry-run', or the reason it failed (its partial file removed). */
async function snapshotMember(
  runner: Runner,
  request: EtcdSnapshotRequest,
  member: EtcdMember,
  options: SnapshotRunOptions,
  statusTool: 'etcdutl' | 'etcdctl' | undefined,
): Promise<VerifiedSnapshot | 'dry-run' | string> {
  const file = join(options.backupDir, snapshotFileName(request.target.cluster, member.machine, options.folders));
  const partial = `${file}.partial`;
  const verifier = new SnapshotVerifier();
  const result = await streamCommand(runner, snapshotCommand(request, member), partial, {
    reject: false,
    maxBytes: MAX_SNAPSHOT_BYTES,
    hint: `${member.machine} (${member.address}) sent far more than an etcd snapshot or its errors hold (etcd's quota is 2 GiB by default, 8 GiB at most recommended): check what runs there`,
    through: [verifier],
    onProgress: (bytes) => options.onProgress?.(request.target.cluster, member.machine, bytes),
  }).catch(async (error: unknown) => {
    // A local failure (disk full, ssh missing) is not the member's fault: no next member, no partial file. A
    // member stopped at a bound (endless stdout, flooded stderr) stops here too, named in the error.
    await rm(partial, { force: true }).catch(() => undefined);
    throw error;
  });
  if (result.skipped) return 'dry-run';
  if (result.exitCode === 255) {
    const changed = changedHostKey(result.stderr);
    if (changed) {
      await rm(partial, { force: true });
      throw await hostKeyChanged(request, member, changed, result.stderr);
    }
  }
  const verdict = verifier.verdict();
  const cut = result.bytes > 0 && !verdict.ok ? `; stream stopped after ${result.bytes} bytes: ${verdict.problem}` : '';
  let reason: string | undefined;
  if (result.exitCode === 255) reason = `${SSH_FAILED}: ${stderrSummary(result.stderr) || 'no message'}${cut}`;
  else if (result.exitCode !== 0) reason = `remote exit ${result.exitCode}: ${stderrSummary(result.stderr) || 'no message'}${cut}`;
  else if (!verdict.ok) reason = `snapshot did not verify: ${verdict.problem}`;
  // Without a local etcd tool, bbolt's meta pages are checked here: a correct sha256 trailer alone can follow any bytes.
  if (reason === undefined && !statusTool) {
    const meta = boltMetaProblem(await readHead(partial, BOLT_META_BYTES), verdict.size - 32);
    if (meta) reason = `snapshot did not verify: ${meta}`;
  }
  let status: SnapshotStatus | undefined;
  if (reason === undefined && statusTool) {
    try {
      status = await readSnapshotStatus(runner, statusTool, partial);
    } catch (error) {
      reason = `local ${statusTool} snapshot status failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (reason !== undefined) {
    await rm(partial, { force: true });
    return reason;
  }
  await rename(partial, file);
  return { size: verdict.size, sha256: verdict.sha256, status };
}

/**
 * A member whose host key differs from the one on record (the newest earlier set's, or --ssh-known-hosts):
 * never tried past, never the next member's turn. Names the host and both fingerprints.
 */
async function hostKeyChanged(request: EtcdSnapshotRequest, member: EtcdMember, changed: { host: string | undefined; sent: string | undefined }, stderr: string): Promise<SafeUpgradeError> {
  const host = changed.host ?? knownHostsName(member.address, request.ssh.port);
  const file = request.ssh.knownHostsFile ?? request.ssh.recordKnownHostsFile;
  const known = knownKeysFor(await readFile(file, 'utf8').catch(() => ''), host);
  const was = known.length > 0 ? known.map((k) => `${k.type} ${k.fingerprint}`).join(', ') : 'unknown';
  const source = request.ssh.knownHostsFile ? `--ssh-known-hosts ${request.ssh.knownHostsFile}` : request.ssh.pinnedFrom ? `the earlier set's ${request.ssh.pinnedFrom}` : file;
  return new SafeUpgradeError(
    'EtcdSnapshotFailed',
    `the host key of ${printable(host)} (${member.machine}, cluster ${request.target.cluster}) changed: recorded ${was} in ${printable(source)}, the host now sends ${changed.sent ?? 'a different key'}; refused (ssh: ${stderrSummary(stderr)})`,
    {
      hint: request.ssh.knownHostsFile
        ? 'find out why the key changed (a replaced node, or someone in between); update --ssh-known-hosts only once you know'
        : 'find out why the key changed (a replaced node, or someone in between); once you know it is right, rerun with --accept-changed-host-keys (recorded in the manifest)',
    },
  );
}

/** The first `bytes` of a file (fewer when it is shorter). */
async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The end of a remote stderr that says what went wrong: etcdctl, sudo, ssh and our script end with the
 * error ("Error: …", "Host key verification failed."); etcd's JSON log lines before it are noise.
 */
export function stderrSummary(stderr: string): string {
  const lines = printable(stderr)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('{') && !/^@+$|^@+ WARNING/.test(l));
  return lines
    .slice(-2)
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l))
    .join(' / ');
}

/** Every cluster in parallel, at most `concurrency` at once; one outcome per request, in order. */
export async function snapshotClusters(
  runner: Runner,
  requests: readonly EtcdSnapshotRequest[],
  options: SnapshotRunOptions & { readonly concurrency?: number },
): Promise<EtcdSnapshotOutcome[]> {
  // PATH is scanned once for all clusters; `false` keeps snapshotCluster from scanning again when none is found.
  const statusTool = options.statusTool ?? localStatusTool(runner) ?? false;
  const folders = options.folders ?? snapshotFolders(requests.map((r) => r.target.cluster));
  const settled = await mapBounded(requests, options.concurrency ?? 4, (request) => snapshotCluster(runner, request, { ...options, statusTool, folders }));
  return settled.map((s, i): EtcdSnapshotOutcome => {
    const cluster = requests[i]?.target.cluster ?? '';
    if (s.status === 'fulfilled') return s.value ? { cluster, status: 'ok', entry: s.value } : { cluster, status: 'dry-run' };
    const error = isSafeUpgradeError(s.reason)
      ? s.reason
      : new SafeUpgradeError('EtcdSnapshotFailed', `etcd snapshot of cluster ${cluster}: ${s.reason instanceof Error ? s.reason.message : String(s.reason)}`, { cause: s.reason });
    return { cluster, status: 'failed', error };
  });
}

/** Throws one EtcdSnapshotFailed naming every failed cluster; returns the entries when all succeeded. */
export function requireAllSnapshots(outcomes: readonly EtcdSnapshotOutcome[]): EtcdSnapshotEntry[] {
  const failed = outcomes.filter((o): o is Extract<EtcdSnapshotOutcome, { status: 'failed' }> => o.status === 'failed');
  if (failed.length === 1 && failed[0]) throw failed[0].error;
  if (failed.length > 1) {
    // One line: the operator's error line names every failed cluster.
    throw new SafeUpgradeError('EtcdSnapshotFailed', failed.map((f) => f.error.message).join('; '), { hint: failed[0]?.error.hint });
  }
  return outcomes.flatMap((o) => (o.status === 'ok' ? [o.entry] : []));
}
