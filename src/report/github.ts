import { appendFile } from 'node:fs/promises';
import { formatDuration } from '../confirm/poll.js';
import { formatCommand } from '../command.js';
import type { Evidence } from './evidence-schema.js';
import { markdownText } from './markdown.js';

export { markdownText };

// GitHub shows at most 10 error annotations per step; the most important come first.
const MAX_ERROR_ANNOTATIONS = 10;

const code = (text: string) => `<code>${markdownText(text)}</code>`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function outcomeLine(e: Evidence): string {
  const mark = e.exitCode === 0 ? '✅' : '❌';
  const cluster = e.inputs.cluster ?? e.inputs.specFile ?? 'no cluster';
  const took = formatDuration(Date.parse(e.finishedAt) - Date.parse(e.startedAt));
  return `## ${mark} eksa-safe-upgrade ${markdownText(e.command)} ${markdownText(cluster)}: ${markdownText(e.outcome)} (exit ${e.exitCode}${e.dryRun ? ', dry run' : ''}, ${took})`;
}

function handoffLine(e: Evidence): string {
  const h = e.handoff;
  if (!h) return 'eksctl: not reached';
  if (h.skipped) return `eksctl: not run (dry run): ${code(formatCommand(h.argv))}`;
  if (h.exitCode === null) return `eksctl: did not finish: ${code(formatCommand(h.argv))}`;
  const signal = h.signal ? `, ended by ${markdownText(h.signal)}` : h.interrupted ? ', interrupted' : '';
  return `eksctl exit code: **${h.exitCode}**${signal} after ${formatDuration(h.durationMs)}: ${code(formatCommand(h.argv))}`;
}

/** The Markdown appended to `GITHUB_STEP_SUMMARY`: what an operator reads first on the run's page. */
export function renderStepSummary(e: Evidence): string {
  const out = [outcomeLine(e), ''];
  if (e.error) out.push(`> ${markdownText(e.error.message)}`, ...(e.error.hint ? ['>', `> ${markdownText(e.error.hint)}`] : []), '');
  if (e.verdicts.length > 0) {
    const rows = e.verdicts.map((v) => [
      markdownText(v.name), markdownText(v.role), markdownText(v.kubernetesVersion ?? '-'), markdownText(v.eksaVersion ?? '-'), v.ready ? 'yes' : '**no**',
      v.reasons.length === 0 ? '' : markdownText(v.reasons.map((r) => `${r.code}: ${r.message}`).join('\n')),
    ]);
    out.push('### Clusters', '', ...table(['Cluster', 'Role', 'Kubernetes', 'EKS-A', 'Ready', 'Reasons'], rows), '');
  }
  if (e.skew.length > 0) out.push('### Version skew', '', ...e.skew.map((s) => `- ${markdownText(s.cluster)} (${markdownText(s.rule)}): ${markdownText(s.message)}`), '');
  if (e.scope) out.push('### Scope', '', markdownText(e.scope.summary), ...(e.scope.kind === 'stop' ? ['', markdownText(e.scope.hint)] : []), '');
  if (e.backup) {
    const b = e.backup;
    const what = markdownText(`${b.state}${b.reused ? ', reused' : ''}, ${b.files.length} files, ${b.etcd.length} etcd snapshots`);
    out.push('### Backup', '', `${code(b.dir)} (${what})`, '');
  }
  if (e.plan) {
    const rows = e.plan.components.map((c) => [markdownText(c.name), markdownText(c.oldVersion), markdownText(c.newVersion)]);
    out.push('### Component version changes', '', ...(rows.length === 0 ? ['none'] : table(['Component', 'From', 'To'], rows)), '');
  }
  out.push('### Upgrade', '', handoffLine(e), '');
  if (e.confirm) {
    const c = e.confirm;
    const rows = c.clusters.map((k) => [
      markdownText(k.name), k.ready ? 'yes' : '**no**', String(k.generation ?? '-'), String(k.observedGeneration ?? '-'),
      markdownText(k.kubernetesVersion ?? '-'), markdownText(k.reason ?? ''),
    ]);
    out.push('### Confirmation', '', `${c.confirmed ? 'confirmed' : '**not confirmed**'} after ${c.polls} polls (${formatDuration(c.durationMs)})`, '');
    out.push(...table(['Cluster', 'Ready', 'Generation', 'Observed', 'Kubernetes', 'Waiting for'], rows), '');
  }
  if (e.steps.length > 0) {
    const rows = e.steps.map((s) => [markdownText(s.name), s.status === 'failed' ? '**failed**' : markdownText(s.status), formatDuration(s.durationMs), markdownText(s.reason ?? '')]);
    out.push('<details><summary>Steps</summary>', '', ...table(['Step', 'Status', 'Duration', 'Reason'], rows), '', '</details>', '');
  }
  return `${out.join('\n')}\n`;
}

/** GitHub's escaping of a workflow command's message. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping of a workflow command's property value (`title=`): also `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const errorLine = (title: string, message: string) => `::error title=${escapeProperty(title)}::${escapeData(message)}`;

/**
 * `::error` workflow commands for a failed run: the outcome first, then each blocking cluster, skew,
 * failed step and unconfirmed cluster. None for a run that succeeded.
 */
export function githubAnnotations(e: Evidence): string[] {
  if (e.exitCode === 0) return [];
  const overall = [e.error?.message ?? `the run ended ${e.outcome}`, ...(e.error?.hint ? [e.error.hint] : [])].join('\n');
  const lines = [errorLine(`eksa-safe-upgrade ${e.command}: ${e.outcome} (exit ${e.exitCode})`, overall)];
  if (e.scope?.kind === 'stop') {
    for (const b of e.scope.blocking) lines.push(errorLine(`${b.cluster} not ready`, b.reasons.map((r) => `${r.code}: ${r.message}`).join('\n')));
  }
  for (const s of e.skew) lines.push(errorLine(`version skew on ${s.cluster} (${s.rule})`, s.message));
  for (const s of e.steps) {
    if (s.status === 'failed' && s.reason !== e.error?.message) lines.push(errorLine(`step ${s.name} failed`, s.reason ?? 'failed'));
  }
  if (e.confirm && !e.confirm.confirmed) {
    for (const c of e.confirm.clusters) if (!c.ready) lines.push(errorLine(`${c.name} not confirmed`, c.reason ?? 'not Ready at the new generation'));
  }
  return lines.slice(0, MAX_ERROR_ANNOTATIONS);
}

export interface GithubPublished {
  readonly summary: boolean;
  readonly annotations: number;
  /** Why the summary could not be appended; the run's outcome does not change for it. */
  readonly summaryError?: string;
}

/**
 * In GitHub Actions: append the step summary (when `GITHUB_STEP_SUMMARY` is set) and write the
 * annotations through `writeLine` (when `GITHUB_ACTIONS=true`). The caller writes them to stderr:
 * the runner reads workflow commands there too, and stdout may be the JSON record.
 */
export async function publishToGithub(e: Evidence, options: { env: NodeJS.ProcessEnv; writeLine: (line: string) => void }): Promise<GithubPublished> {
  const annotations = options.env.GITHUB_ACTIONS === 'true' ? githubAnnotations(e) : [];
  for (const line of annotations) options.writeLine(line);
  const file = options.env.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === '') return { summary: false, annotations: annotations.length };
  try {
    await appendFile(file, renderStepSummary(e));
    return { summary: true, annotations: annotations.length };
  } catch (error) {
    return { summary: false, annotations: annotations.length, summaryError: `could not append the GitHub step summary: ${(error as Error).message}` };
  }
}
