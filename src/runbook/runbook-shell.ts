import path from 'node:path';
import type { BackupManifest } from '../backup/manifest.js';
import { parseRefKey } from '../backup/object-graph.js';
import { markdownCode, markdownFence, markdownText } from '../report/markdown.js';
import { quoteForDisplay } from '../shell-quote.js';

/** The Markdown sink for values: `code(x)` inline code, `text(x)` literal prose. */
export const code = markdownCode;
export const text = markdownText;

/** A word of a runbook command: literal text (quoted as needed), or shell text kept as is (`"$VAR"`). */
export type Word = string | { readonly raw: string };

/** `"$NAME"`: a value the operator fills in, double-quoted so a path with spaces stays one word. */
export const v = (name: string): Word => ({ raw: `"$${name}"` });
export const raw = (text: string): Word => ({ raw: text });

const render = (w: Word) => (typeof w === 'string' ? quoteForDisplay(w) : w.raw);

/** One command; several lines of words become one command continued with `\`. */
export function sh(...lines: Word[][]): string {
  return lines.map((words) => words.map(render).join(' ')).join(' \\\n    ');
}

/** A bash block whose fence no line of it (a quoted value spanning lines) can close. */
export function block(...commands: string[]): string {
  return markdownFence('bash', commands);
}

export const comment = (text: string) => `# ${text}`;

/** Where the cluster's objects live, from what the set recorded; the EKS-A Cluster's namespace defaults to `default`. */
export function eksaNamespace(manifest: BackupManifest, cluster: string): string {
  const key = manifest.expected[cluster]?.eksa.map(parseRefKey).find((r) => r.kind === 'Cluster' && r.name === cluster);
  return key?.namespace || 'default';
}

/** Both pause switches: the EKS-A annotation and CAPI spec.paused, as the EKS-A etcd restore docs set them. */
export function pauseCommands(manifest: BackupManifest, cluster: string, kubeconfigVar: string, name: Word = cluster): string[] {
  const k = ['kubectl', '--kubeconfig', v(kubeconfigVar)];
  return [
    sh([...k, '-n', eksaNamespace(manifest, cluster), 'annotate', 'clusters.anywhere.eks.amazonaws.com', name, 'anywhere.eks.amazonaws.com/paused=true', '--overwrite']),
    sh([...k, '-n', 'eksa-system', 'patch', 'clusters.cluster.x-k8s.io', name, '--type', 'merge', '-p', '{"spec":{"paused":true}}']),
  ];
}

/** `name`: the cluster to unpause when it is not the recorded one (a new cluster the old etcd went onto). */
export function unpauseCommands(manifest: BackupManifest, cluster: string, kubeconfigVar: string, name: Word = cluster): string[] {
  const k = ['kubectl', '--kubeconfig', v(kubeconfigVar)];
  return [
    sh([...k, '-n', eksaNamespace(manifest, cluster), 'annotate', 'clusters.anywhere.eks.amazonaws.com', name, 'anywhere.eks.amazonaws.com/paused-']),
    sh([...k, '-n', 'eksa-system', 'patch', 'clusters.cluster.x-k8s.io', name, '--type', 'merge', '-p', '{"spec":{"paused":false}}']),
  ];
}

/**
 * clusterctl as the backup ran it: through the same cli-tools image (EKS-A's patched clusterctl, which has
 * --filter-cluster), or the same local binary. Docker gets the backup and the kubeconfig's folder mounted at
 * the same paths, so every path means the same inside the container.
 */
export function clusterctl(manifest: BackupManifest, mounts: { dirs: readonly string[]; kubeconfigVar: string }, args: Word[][]): string {
  const c = manifest.clusterctl;
  if (c.source === 'binary' || !c.image) return sh([c.binary ?? 'clusterctl', ...(args[0] ?? [])], ...args.slice(1));
  const kubeDir = `$(dirname "$${mounts.kubeconfigVar}")`;
  return sh(
    ['docker', 'run', '--rm', '-i', '--network', 'host'],
    ...mounts.dirs.map((d) => ['-v', `${d}:${d}:ro`]),
    ['-v', raw(`"${kubeDir}:${kubeDir}"`)],
    ['--entrypoint', 'clusterctl', c.image],
    ...args,
  );
}

/** The folder docker must see: the set's capi/ folder, absolute. */
export const capiDir = (setDir: string) => path.join(setDir, 'capi');

/** `host`, or `[v6]` where a port or scp path follows. */
export const hostPart = (address: string) => (address.includes(':') ? `[${address}]` : address);
