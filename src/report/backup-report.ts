import type { BackupManifest } from '../backup/manifest.js';
import type { BackupAction } from '../plan/types.js';
import { printable } from '../errors.js';
import { formatCommand } from '../command.js';
import type { ClusterVerdict } from '../readiness/verdict.js';
import type { Paint } from './preflight-report.js';

export interface BackupReport {
  readonly command: 'backup';
  readonly dryRun: boolean;
  readonly dir: string;
  readonly state: 'complete' | 'planned';
  readonly scope: BackupManifest['scope'];
  readonly clusterctlArgv: readonly string[];
  readonly files: number;
  readonly bytes: number;
  readonly pauseRestore: BackupManifest['pauseRestore'];
  readonly clusters: readonly ClusterVerdict[];
  /** `--skip-etcd-backup --reason` (or EKSA_SAFE_UPGRADE_REASON), as the set recorded it. */
  readonly etcdSkipped?: { readonly reason: string };
  /** `--push`: the off-site copies, done or (with --push-optional) failed. */
  readonly pushes?: readonly { readonly url: string; readonly ok: boolean; readonly reference?: string; readonly encrypted: boolean; readonly recipients: readonly string[]; readonly error?: string }[];
}

export function buildBackupReport(input: { dryRun: boolean; plan: BackupAction; result: { readonly dir: string; readonly manifest: BackupManifest } | undefined; verdicts: readonly ClusterVerdict[]; pushes?: BackupReport['pushes'] }): BackupReport {
  const m = input.result?.manifest;
  const planScope = input.plan.scope;
  return {
    command: 'backup',
    dryRun: input.dryRun,
    dir: input.result?.dir ?? input.plan.set.dir,
    state: m ? 'complete' : 'planned',
    scope: m?.scope ?? {
      kind: planScope.kind,
      clusters: [...planScope.clusters],
      summary: planScope.summary,
      leftOut: planScope.kind === 'management-only' ? planScope.leftOut.map((l) => ({ cluster: l.cluster, reasons: [...l.reasons] })) : [],
    },
    clusterctlArgv: m?.clusterctl.argv ?? input.plan.move.argv,
    files: m?.files.length ?? 0,
    bytes: m?.files.reduce((n, f) => n + f.size, 0) ?? 0,
    pauseRestore: m?.pauseRestore ?? [],
    clusters: input.verdicts,
    ...(m?.etcdSkipped ? { etcdSkipped: { reason: m.etcdSkipped.reason } } : {}),
    ...(input.pushes ? { pushes: input.pushes } : {}),
  };
}

export function renderBackupReport(r: BackupReport, paint: Paint): string {
  // Names, reasons and summaries came from the API and the manifest: the terminal sink, before any colour.
  const t = printable;
  const lines: string[] = [];
  if (r.dryRun) lines.push(paint.bold(`Dry run: nothing was written. The backup would go to ${t(r.dir)}`));
  else lines.push(`${paint.ok('Backup complete and verified:')} ${t(r.dir)}`);
  if (r.scope.kind === 'management-only') {
    lines.push(paint.bad(`Scope: MANAGEMENT CLUSTER ONLY (${t(r.scope.clusters.join(', '))}) — ${t(r.scope.summary)}`));
    for (const l of r.scope.leftOut) {
      lines.push(paint.bad(`  left out: ${t(l.cluster)}`));
      for (const reason of l.reasons) lines.push(`    ${t(`${reason.code}: ${reason.message}`)}`);
    }
  } else {
    lines.push(`Scope: ${t(r.scope.summary)} (${t(r.scope.clusters.join(', '))})`);
  }
  lines.push(`clusterctl: ${t(formatCommand(r.clusterctlArgv))}`);
  if (!r.dryRun) {
    lines.push(`Files: ${r.files} (${r.bytes} bytes), sha256 of each in manifest.json`);
    lines.push(
      r.pauseRestore.length === 0
        ? 'Pause state: every cluster as it was before'
        : `Pause state restored: ${t(r.pauseRestore.map((p) => `${p.cluster} ${p.what} → ${p.before ? 'paused' : 'unpaused'}`).join(', '))}`,
    );
  }
  for (const p of r.pushes ?? []) {
    lines.push(p.ok ? `Pushed to ${t(p.url)}: ${t(p.reference ?? '')} (${p.encrypted ? `encrypted to ${p.recipients.length} age recipient(s)` : 'PLAINTEXT'})` : paint.bad(`Push to ${t(p.url)} FAILED (--push-optional): ${t(p.error ?? '')}`));
  }
  return lines.join('\n');
}
