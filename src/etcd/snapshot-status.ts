import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { read } from '../command.js';
import type { Runner } from '../runner/runner.js';

/** What `snapshot status -w json` says about a snapshot file. */
export interface SnapshotStatus {
  readonly revision: number;
  readonly totalKeys: number;
  readonly dbSize: number;
}

/** The first executable named `name` on PATH (a file lookup, not a command). */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** etcdutl on etcd >= 3.5; etcdctl (ETCDCTL_API=3) before that; none: the status is simply not recorded. */
export function localStatusTool(runner: Runner): 'etcdutl' | 'etcdctl' | undefined {
  const path = runner.envValue('PATH');
  if (findOnPath('etcdutl', path)) return 'etcdutl';
  if (findOnPath('etcdctl', path)) return 'etcdctl';
  return undefined;
}

/** Parses `snapshot status -w json` of etcdctl 3.4 and etcdutl 3.5+ (`revision`, `totalKey`, `totalSize`). */
export function parseSnapshotStatus(json: string): SnapshotStatus {
  const data: unknown = JSON.parse(json);
  const record = (data ?? {}) as Record<string, unknown>;
  const revision = record.revision;
  const totalKeys = record.totalKey;
  const dbSize = record.totalSize;
  if (typeof revision !== 'number' || typeof totalKeys !== 'number' || typeof dbSize !== 'number') {
    throw new Error(`unexpected snapshot status: ${json.trim().slice(0, 200)}`);
  }
  return { revision, totalKeys, dbSize };
}

/**
 * Reads revision, keys and size of a snapshot file with the local etcd tool. It complements, never replaces,
 * the sha256 trailer check: `snapshot status` does not notice a truncated or altered file.
 */
export async function readSnapshotStatus(runner: Runner, tool: 'etcdutl' | 'etcdctl', file: string): Promise<SnapshotStatus> {
  const command = read([tool, 'snapshot', 'status', file, '-w', 'json'], 'read etcd snapshot status', {
    env: { ETCDCTL_API: '3' },
    timeoutMs: 120_000,
  });
  const result = await runner.run(command, { failAs: 'EtcdSnapshotFailed' });
  return parseSnapshotStatus(result.stdout);
}
