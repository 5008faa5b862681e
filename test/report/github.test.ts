import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafeUpgradeError } from '../../src/errors.js';
import { buildEvidence, type EvidenceParts } from '../../src/report/evidence.js';
import { escapeData, escapeProperty, githubAnnotations, markdownText, publishToGithub, renderStepSummary } from '../../src/report/github.js';
import { FINISHED, STARTED, fullParts, readyMgmt, spec, stop, unreadyW01 } from './evidence-fixtures.js';

/** How the Actions runner reads a workflow command line back (its ActionCommand parser). */
function parseCommand(line: string): { command: string; properties: Record<string, string>; message: string } {
  const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unescape = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  const properties: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    properties[pair.slice(0, at)] = unescape(pair.slice(at + 1));
  }
  return { command: m[1]!, properties, message: unescape(m[3]!) };
}

const notReady: EvidenceParts = {
  command: 'cluster', toolVersion: '0.1.0', dryRun: false, startedAt: STARTED, finishedAt: FINISHED, exit: 'NotReady',
  error: new SafeUpgradeError('NotReady', 'w01 is not ready: 100% broken, really', { hint: 'fix w01\nthen rerun' }),
  spec, verdicts: [readyMgmt, unreadyW01], skew: [{ cluster: 'mgmt', rule: 'kubernetes-minor-step', message: 'Kubernetes 1.31 → 1.33: one minor at a time' }], scope: stop,
};

describe('renderStepSummary', () => {
  it('has the outcome, clusters with reasons, scope, backup, component changes, eksctl exit code and confirmation', () => {
    const md = renderStepSummary(buildEvidence(fullParts()));
    const lines = md.split('\n');
    expect(lines[0]).toBe('## ✅ eksa-safe-upgrade cluster mgmt: upgraded (exit 0, 42m5s)');
    expect(lines).toContain('| Cluster | Role | Kubernetes | EKS-A | Ready | Reasons |');
    expect(lines).toContain('| mgmt | management | 1.31 | v0.22.0 | yes |  |');
    // A `|` in a reason must not split the cell; a newline must not end the row.
    expect(lines).toContain(
      '| w01 | workload | 1.31 | - | **no** | control-plane-not-ready: KubeadmControlPlane eksa-system/w01: 2 of 3 replicas ready \\| rolling<br>' +
        'machine-failed: Machine eksa-system/w01-md-0-x: failed<br>second line |',
    );
    expect(md).toContain('### Scope\n\nmanagement only, because w01 is not ready\n');
    expect(md).toContain('<code>/ops/mgmt/mgmt-backup-2025-03-01T10\\_00\\_05</code> (complete, 2 files, 1 etcd snapshots)');
    expect(lines).toContain('| Cluster API | v1.8.1 | v1.9.4 |');
    expect(md).toContain("eksctl exit code: **0** after 30m: <code>eksctl anywhere upgrade cluster -f /ops/mgmt.yaml --token '\\*\\*\\*' '--tinkerbell-bmc-hmac-secrets=\\*\\*\\*' -v 4</code>");
    expect(md).toContain('confirmed after 4 polls (40s)');
    expect(lines).toContain('| mgmt | yes | 5 | 5 | 1.32 |  |');
    expect(md).toContain('<details><summary>Steps</summary>');
    expect(md).not.toContain('hunter2');
  });

  it('renders an early failure: the error and hint, and says eksctl was not reached', () => {
    const md = renderStepSummary(buildEvidence(notReady));
    expect(md.split('\n')[0]).toBe('## ❌ eksa-safe-upgrade cluster mgmt: not-ready (exit 4, 42m5s)');
    expect(md).toContain('> w01 is not ready: 100% broken, really\n>\n> fix w01<br>then rerun\n');
    expect(md).toContain('- mgmt (kubernetes-minor-step): Kubernetes 1.31 → 1.33: one minor at a time');
    expect(md).toContain('eksctl: not reached');
    expect(md).not.toContain('### Backup');
    expect(md).not.toContain('### Confirmation');
  });

  it('markdownText keeps hostile text literal', () => {
    expect(markdownText('<script>a|b</script> *x* _y_ [l](u) `c` # h\r\nz & w')).toBe(
      '&lt;script&gt;a\\|b&lt;/script&gt; \\*x\\* \\_y\\_ \\[l\\](u) \\`c\\` \\# h<br>z &amp; w',
    );
  });
});

describe('githubAnnotations', () => {
  it('is empty for a run that succeeded', () => {
    expect(githubAnnotations(buildEvidence(fullParts()))).toEqual([]);
  });

  it('names the outcome first, then each blocking cluster and skew; the runner reads back exactly our text', () => {
    const lines = githubAnnotations(buildEvidence(notReady));
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
    expect(lines.map(parseCommand)).toEqual([
      { command: 'error', properties: { title: 'eksa-safe-upgrade cluster: not-ready (exit 4)' }, message: 'w01 is not ready: 100% broken, really\nfix w01\nthen rerun' },
      {
        command: 'error',
        properties: { title: 'w01 not ready' },
        message: unreadyW01.reasons.map((r) => `${r.code}: ${r.message}`).join('\n'),
      },
      { command: 'error', properties: { title: 'version skew on mgmt (kubernetes-minor-step)' }, message: 'Kubernetes 1.31 → 1.33: one minor at a time' },
    ]);
    expect(lines[0]).toBe('::error title=eksa-safe-upgrade cluster%3A not-ready (exit 4)::w01 is not ready: 100%25 broken, really%0Afix w01%0Athen rerun');
  });

  it('escapes % CR LF in messages, and also : and , in properties', () => {
    expect(escapeData('50% done\r\nnext: a,b')).toBe('50%25 done%0D%0Anext: a,b');
    expect(escapeProperty('50% done\r\nnext: a,b')).toBe('50%25 done%0D%0Anext%3A a%2Cb');
    // `%0A` typed literally must survive as text, not turn into a newline.
    expect(parseCommand(`::error title=${escapeProperty('t %0A')}::${escapeData('m %0A')}`)).toEqual({ command: 'error', properties: { title: 't %0A' }, message: 'm %0A' });
  });

  it('adds failed steps and unconfirmed clusters, and stops at the ten GitHub shows', () => {
    const parts = fullParts();
    const evidence = buildEvidence({
      ...parts,
      exit: 'NotConfirmed',
      error: new Error('not confirmed in 1h'),
      steps: [
        { name: 'confirm', status: 'failed', durationMs: 5, reason: 'not confirmed in 1h' },
        ...Array.from({ length: 12 }, (_, i) => ({ name: `etcd w${i}`, status: 'failed' as const, durationMs: 1, reason: `ssh exit 255 on w${i}` })),
      ],
      confirm: { confirmed: false, polls: 3, durationMs: 30_000, clusters: [{ ...parts.confirm!.clusters[0]!, ready: false, reason: 'Ready False', consecutiveReady: 0 }] },
    });
    const titles = githubAnnotations(evidence).map((l) => parseCommand(l).properties.title);
    expect(titles).toHaveLength(10);
    expect(titles[0]).toBe('eksa-safe-upgrade cluster: not-confirmed (exit 11)');
    // The failed step that only repeats the run's error is not annotated twice.
    expect(titles).not.toContain('step confirm failed');
    expect(titles[1]).toBe('step etcd w0 failed');
    const unconfirmed = { confirmed: false, polls: 3, durationMs: 30_000, clusters: [{ ...parts.confirm!.clusters[0]!, ready: false, reason: 'Ready False', consecutiveReady: 0 }] };
    const fewer = githubAnnotations(buildEvidence({ ...parts, exit: 'NotConfirmed', steps: [], confirm: unconfirmed }));
    expect(fewer.map(parseCommand)).toEqual([
      { command: 'error', properties: { title: 'eksa-safe-upgrade cluster: not-confirmed (exit 11)' }, message: 'the run ended not-confirmed' },
      { command: 'error', properties: { title: 'mgmt not confirmed' }, message: 'Ready False' },
    ]);
  });
});

describe('publishToGithub', () => {
  const dir = () => mkdtempSync(path.join(tmpdir(), 'gh-summary-'));

  it('appends the summary to GITHUB_STEP_SUMMARY and writes annotations in Actions', async () => {
    const file = path.join(dir(), 'summary.md');
    writeFileSync(file, '# earlier step\n');
    const written: string[] = [];
    const evidence = buildEvidence(notReady);
    const result = await publishToGithub(evidence, { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file }, writeLine: (l) => written.push(l) });
    expect(result).toEqual({ summary: true, annotations: 3 });
    expect(readFileSync(file, 'utf8')).toBe(`# earlier step\n${renderStepSummary(evidence)}`);
    expect(written).toEqual(githubAnnotations(evidence));
  });

  it('does nothing outside Actions', async () => {
    const written: string[] = [];
    expect(await publishToGithub(buildEvidence(notReady), { env: {}, writeLine: (l) => written.push(l) })).toEqual({ summary: false, annotations: 0 });
    expect(written).toEqual([]);
  });

  it('reports an unwritable summary file without throwing', async () => {
    const missing = path.join(dir(), 'no-such-dir', 'summary.md');
    const result = await publishToGithub(buildEvidence(notReady), { env: { GITHUB_STEP_SUMMARY: missing }, writeLine: () => undefined });
    expect(result.summary).toBe(false);
    expect(result.summaryError).toMatch(/could not append the GitHub step summary: ENOENT/);
  });
});
