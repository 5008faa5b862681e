import path from 'node:path';
import { write, type Command } from '../command.js';

/** Where clusterctl comes from: EKS-A's cli-tools image (the patched one with --filter-cluster), or a local binary. */
export type ClusterctlSource =
  | { readonly kind: 'image'; readonly image: string }
  | { readonly kind: 'binary'; readonly path: string };

/** Which clusterctl ran the backup, as the manifest and the evidence record it. */
export interface ClusterctlInfo {
  readonly source: 'image' | 'binary';
  readonly image?: string;
  readonly binary?: string;
  readonly releaseManifest?: string;
  readonly bundleManifestUrl?: string;
}

export interface MoveToDirectory {
  readonly source: ClusterctlSource;
  readonly kubeconfig: string;
  readonly toDirectory: string;
  /** `--filter-cluster`: EKS-A's patch; absent means the whole tree. */
  readonly filterCluster?: string | undefined;
  /** The working directory docker mounts, as the EKS-A docs do. */
  readonly cwd: string;
}

/**
 * `clusterctl move --to-directory`, as data. Never with `--dry-run`: clusterctl ignores it with
 * --to-directory and does the real thing (pause, write, unpause).
 */
export function buildMoveCommand(move: MoveToDirectory): Command {
  const args = ['move', '--namespace', 'eksa-system', '--kubeconfig', move.kubeconfig, '--to-directory', move.toDirectory];
  if (move.filterCluster) args.push('--filter-cluster', move.filterCluster);
  const why = move.filterCluster ? `back up the Cluster API objects of ${move.filterCluster}` : 'back up the Cluster API objects of the whole management tree';
  if (move.source.kind === 'binary') return write([move.source.path, ...args], why);
  return write(
    [
      'docker', 'run', '-i', '--network', 'host', '-w', move.cwd,
      ...mounts([move.cwd, path.dirname(move.kubeconfig), path.dirname(move.toDirectory)]),
      '--entrypoint', 'clusterctl', move.source.image, ...args,
    ],
    why,
  );
}

/** One `-v dir:dir` per folder not already under another mounted one, so paths mean the same inside. */
export function mounts(dirs: readonly string[]): string[] {
  const chosen: string[] = [];
  for (const dir of [...new Set(dirs.map((d) => path.resolve(d)))].sort((a, b) => a.length - b.length)) {
    if (!chosen.some((c) => dir === c || dir.startsWith(`${c}${path.sep}`))) chosen.push(dir);
  }
  return chosen.flatMap((d) => ['-v', `${d}:${d}`]);
}
