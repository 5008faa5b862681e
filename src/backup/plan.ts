import path from 'node:path';
import { buildMoveCommand, type ClusterctlSource } from '../capi/move-command.js';
import type { ClusterObjects, Inventory } from '../kube/types.js';
import type { ScopeDecision } from '../policy/scope.js';
import type { ClusterSpec } from '../spec/types.js';
import type { Command } from '../runner/command.js';
import { FAILED_SUFFIX, PARTIAL_SUFFIX, backupDirName, backupTimestamp } from './naming.js';
import { expectedCapiObjects, expectedEksaObjects, refKey } from './object-graph.js';

export type BackupScope = Exclude<ScopeDecision, { kind: 'stop' }>;

/** Everything a backup will do, decided before anything is written: dry-run prints it, the real run applies it. */
export interface BackupPlan {
  readonly name: string;
  readonly folderTimestamp: string;
  readonly dir: string;
  readonly partialDir: string;
  readonly failedDir: string;
  readonly scope: BackupScope;
  readonly clusters: readonly ClusterObjects[];
  readonly move: Command;
  /** The management-only move to fall back to when the whole-tree one fails (EKS-A does the same). */
  readonly fallbackMove: Command | undefined;
  readonly expected: Record<string, { capi: string[]; eksa: string[] }>;
}

export function planBackup(input: {
  spec: ClusterSpec;
  inventory: Inventory;
  scope: BackupScope;
  managementFolder: string;
  kubeconfig: string;
  source: ClusterctlSource;
  cwd: string;
  now: Date;
}): BackupPlan {
  const name = backupDirName(input.spec.name, input.now);
  const dir = path.join(input.managementFolder, name);
  const partialDir = `${dir}${PARTIAL_SUFFIX}`;
  const inScope = new Set(input.scope.clusters);
  const clusters = input.inventory.clusters.filter((c) => inScope.has(c.name));
  const moveTo = (filterCluster: string | undefined) =>
    buildMoveCommand({ source: input.source, kubeconfig: input.kubeconfig, toDirectory: path.join(partialDir, 'capi'), filterCluster, cwd: input.cwd });
  const filter = input.scope.kind === 'whole-tree' ? undefined : input.scope.clusters[0];
  return {
    name,
    folderTimestamp: backupTimestamp(input.now),
    dir,
    partialDir,
    failedDir: `${dir}${FAILED_SUFFIX}`,
    scope: input.scope,
    clusters,
    move: moveTo(filter),
    fallbackMove: input.scope.kind === 'whole-tree' ? moveTo(input.inventory.management) : undefined,
    expected: Object.fromEntries(
      clusters.map((c) => [c.name, { capi: expectedCapiObjects(c).map(refKey), eksa: expectedEksaObjects(c).map(refKey) }]),
    ),
  };
}
