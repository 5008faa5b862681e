import { ExitCode, type ExitCodeName } from '../exit-codes.js';
import type { ScopeDecision } from '../policy/scope.js';
import type { ClusterVerdict } from '../readiness/verdict.js';
import type { SkewViolation } from '../skew/skew.js';
import { eksaTarget } from '../skew/target.js';
import type { ClusterSpec } from '../spec/types.js';
import type { ToolVersions } from '../tools/versions.js';
import { printable } from '../errors.js';
import { renderTable } from './table.js';

/** What `preflight` found, as data: the table and `--output json` are two renderings of this. */
export interface PreflightReport {
  readonly command: 'preflight';
  readonly spec: {
    readonly file: string;
    readonly cluster: string;
    readonly role: 'management' | 'workload';
    readonly managementCluster: string;
    readonly kubernetesVersion: string;
    readonly eksaVersion: string | null;
    /** The eksaVersion the upgrade moves to: eksctl's own, whatever the spec says (src/skew/target.ts). */
    readonly eksaTarget: string | null;
    /** Why the target differs from spec.eksaVersion (eksctl replaces it), when it does. */
    readonly eksaTargetNote: string | null;
    /** What eksctl would warn about in the spec and go on (3 or 5 external etcd members…); also on stderr. */
    readonly warnings: readonly string[];
  };
  readonly kubeconfig: string;
  readonly tools: ToolVersions;
  readonly clusters: readonly ClusterVerdict[];
  readonly skew: readonly SkewViolation[];
  readonly scope: ScopeDecision;
  readonly outcome: 'ready' | 'not-ready' | 'skew';
  readonly exitCode: number;
  /**
   * When the tree is not ready while another run at work holds the upgrade lock: that run (its backup or upgrade)
   * is why, and the pause is its own to lift. Null otherwise; the lock is read only when the tree is not ready.
   */
  readonly lock: PreflightLockNote | null;
}

/** Who holds the upgrade lock while the tree is not ready, as the gate of a backup or an upgrade would stop on it. */
export interface PreflightLockNote {
  readonly message: string;
  readonly hint: string | null;
}

/** Not ready wins over skew: a tree that is not ready must not be touched whatever the versions. */
export function preflightOutcome(gated: readonly ClusterVerdict[], skew: readonly SkewViolation[]): { outcome: PreflightReport['outcome']; exit: ExitCodeName } {
  if (gated.some((v) => !v.ready)) return { outcome: 'not-ready', exit: 'NotReady' };
  if (skew.length > 0) return { outcome: 'skew', exit: 'Skew' };
  return { outcome: 'ready', exit: 'Success' };
}

export function buildPreflightReport(input: {
  spec: ClusterSpec;
  kubeconfig: string;
  tools: ToolVersions;
  verdicts: readonly ClusterVerdict[];
  gated: readonly ClusterVerdict[];
  skew: readonly SkewViolation[];
  scope: ScopeDecision;
  lock?: PreflightLockNote | null;
}): { report: PreflightReport; exit: ExitCodeName } {
  const { outcome, exit } = preflightOutcome(input.gated, input.skew);
  const target = eksaTarget(input.spec.eksaVersion, input.tools.eksctl);
  const report: PreflightReport = {
    command: 'preflight',
    spec: {
      file: input.spec.file,
      cluster: input.spec.name,
      role: input.spec.isManagement ? 'management' : 'workload',
      managementCluster: input.spec.managementClusterName,
      kubernetesVersion: input.spec.kubernetesVersion,
      eksaVersion: input.spec.eksaVersion ?? null,
      eksaTarget: target.target ?? null,
      eksaTargetNote: target.note ?? null,
      warnings: [...(input.spec.warnings ?? [])],
    },
    kubeconfig: input.kubeconfig,
    tools: input.tools,
    clusters: input.verdicts,
    skew: input.skew,
    scope: input.scope,
    outcome,
    exitCode: ExitCode[exit],
    lock: input.lock ?? null,
  };
  return { report, exit };
}

export interface Paint {
  ok(text: string): string;
  bad(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function renderPreflightTable(report: PreflightReport, paint: Paint): string {
  // Every value came from the API or the spec: through the terminal sink before any colour is added.
  const t = printable;
  const rows = report.clusters.map((v) => [
    t(v.name),
    t(v.role),
    t(v.kubernetesVersion ?? '-'),
    t(v.eksaVersion ?? '-'),
    v.ready ? 'yes' : 'no',
    v.reasons.length === 0 ? '-' : t(v.reasons.map((r) => `${r.code}: ${r.message}`).join('\n')),
  ]);
  const table = renderTable(['CLUSTER', 'ROLE', 'KUBERNETES', 'EKS-A', 'READY', 'REASONS'], rows, (cell, column) =>
    column === 4 ? (cell.trim() === 'yes' ? paint.ok(cell) : paint.bad(cell)) : cell,
  );
  const lines = [table, ''];
  const scope = report.scope;
  lines.push(`${paint.bold('Backup scope:')} ${scope.kind === 'stop' ? paint.bad(t(scope.summary)) : t(scope.summary)}`);
  if (scope.kind === 'stop') lines.push(`  hint: ${t(scope.hint)}`);
  if (report.skew.length > 0) {
    lines.push(paint.bad(`Version skew (${report.skew.length}):`));
    for (const s of report.skew) lines.push(`  ${t(s.cluster)}: ${t(s.rule)}: ${t(s.message)}`);
  } else {
    lines.push(`${paint.bold('Version skew:')} none (Kubernetes ${t(report.spec.kubernetesVersion)}, EKS-A ${t(report.spec.eksaTarget ?? '-')})`);
  }
  if (report.spec.eksaTargetNote !== null) lines.push(`  note: ${t(report.spec.eksaTargetNote)}`);
  const verdict =
    report.outcome === 'ready'
      ? paint.ok('Preflight passed: every cluster the upgrade touches is ready.')
      : report.outcome === 'skew'
        ? paint.bad('Preflight failed: the spec asks for a version step EKS Anywhere does not allow.')
        : paint.bad('Preflight failed: a cluster of the management tree is not ready.');
  lines.push(verdict);
  if (report.lock !== null) {
    lines.push(`${paint.bold('Upgrade lock:')} ${paint.bad(t(report.lock.message))}`);
    if (report.lock.hint !== null) lines.push(`  hint: ${t(report.lock.hint)}`);
  }
  return lines.join('\n');
}
