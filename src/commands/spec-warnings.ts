import { printable } from '../errors.js';
import type { ClusterSpec } from '../spec/types.js';
import type { CommandIo } from './io.js';

/**
 * The spec's warnings, as eksctl would log them (`Warning: …`) and go on: `validateControlPlaneReplicas`,
 * `validateWorkerNodeGroups`, `validateEtcdReplicas` (aws/eks-anywhere pkg/api/v1alpha1/cluster.go). The
 * text names spec values, so it goes through the terminal sink.
 */
export function specWarningLines(spec: Pick<ClusterSpec, 'warnings'>): string[] {
  return spec.warnings.map((w) => `warning: ${printable(w)} (eksctl warns the same and goes on)`);
}

const shown = new WeakSet<object>();

/**
 * On stderr once per run, after the gate's task list (its renderer owns the terminal while it runs), so
 * also when the gate stopped the run; nothing when the spec was never loaded.
 */
export function printSpecWarnings(spec: ClusterSpec | undefined, io: Pick<CommandIo, 'stderr'>): void {
  if (spec === undefined || shown.has(spec)) return;
  shown.add(spec);
  for (const line of specWarningLines(spec)) io.stderr(line);
}
