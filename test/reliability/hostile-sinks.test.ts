// Hostile text from the API (status strings), from a hand-edited manifest and from a set's path, sent to
// every sink: RESTORE.md (backup writes it, verify lists it, restore-plan prints it), the GitHub step
// summary (Markdown), preflight's table and verify's lines (terminal). No value may open a fence, a
// heading, a list or HTML in Markdown, nor reach a terminal with a control character or a bidi override.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackupManifest } from '../../src/backup/manifest.js';
import { restorePlan } from '../../src/commands/restore-plan.js';
import { verify } from '../../src/commands/verify.js';
import { renderRestoreRunbook } from '../../src/runbook/restore-runbook.js';
import { readRunbookFacts } from '../../src/backup-sets/restore-file.js';
import { buildEvidence } from '../../src/report/evidence.js';
import { renderStepSummary } from '../../src/report/github.js';
import { buildPreflightReport, renderPreflightTable } from '../../src/report/preflight-report.js';
import type { ClusterVerdict } from '../../src/readiness/verdict.js';
import { TREE, buildSet, tempFolder } from '../backup-sets/fixtures.js';
import { fullParts, stop } from '../report/evidence-fixtures.js';

// Both fail every validator the same way (a space, capitals), so only escaping can tell them apart.
const BENIGN = 'X Y';
const HOSTILE = 'X Y`\n\n```bash\ntouch pwned-marker\n```\n# Heading\n<img src=x onerror=alert(1)>\n- item\n> quote\n\u001b]0;retitled\u0007\u001b[2J\u202eevil';
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The block structure a CommonMark reader sees: fences (with their info string), headings, HTML, lists, quotes. */
function structure(markdown: string): string[] {
  const out: string[] = [];
  let fence: { char: string; length: number } | undefined;
  for (const line of markdown.split('\n')) {
    const f = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence) {
      if (f && f[1]![0] === fence.char && f[1]!.length >= fence.length && f[2]!.trim() === '') {
        out.push('fence-close');
        fence = undefined;
      }
      continue;
    }
    if (f) {
      fence = { char: f[1]![0]!, length: f[1]!.length };
      out.push(`fence-open ${f[2]!.trim()}`);
    } else if (/^ {0,3}#{1,6}(\s|$)/.test(line)) out.push(`heading ${/#+/.exec(line)![0].length}`);
    else if (/^ {0,3}</.test(line)) out.push('html');
    else if (/^ {0,3}>/.test(line)) out.push('quote');
    else if (/^ {0,3}([-*+]|\d+[.)])\s/.test(line)) out.push('list');
  }
  return out;
}

/** Prose with every fenced block and code span taken out (CommonMark's order: a backslash escape outside a span, spans first). */
function prose(markdown: string): string {
  const text = markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1`*$/gm, '');
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text[i] === '\\') {
      i += 2;
      continue;
    }
    const run = /^`+/.exec(text.slice(i))?.[0];
    if (run) {
      const close = new RegExp(`(?<!\`)${run}(?!\`)`).exec(text.slice(i + run.length));
      if (close) {
        i += run.length + close.index + run.length;
        continue;
      }
      i += run.length;
      continue;
    }
    out += text[i];
    i += 1;
  }
  return out;
}

function expectSafeMarkdown(hostile: string, benign: string, where: string) {
  expect(structure(hostile), where).toEqual(structure(benign));
  expect(INVISIBLE.test(hostile), `${where}: a control character or bidi override`).toBe(false);
  expect(prose(hostile), `${where}: raw HTML`).not.toMatch(/<img|<script/i);
}

/** Every string leaf of a value, with a setter for a copy. */
function stringPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...at, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...at, k]));
  return [];
}

function withLeaf<T>(value: T, at: readonly (string | number)[], leaf: string): T {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[at.at(-1)!] = leaf;
  return copy as T;
}

const WHEN = new Date(2026, 10, 29, 10, 0, 0);

async function completeSet(folder = 'mgmt') {
  const root = await tempFolder('hostile-sinks-');
  const { dir, manifest } = await buildSet(path.join(root, folder), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE, runbook: true });
  return { root, dir, manifest: manifest! };
}

describe('hostile text into Markdown: RESTORE.md', async () => {
  const { dir, manifest } = await completeSet();
  const facts = await readRunbookFacts(dir);
  const leaves = stringPaths(manifest);

  it(`every string field of the manifest (${leaves.length} of them), one at a time, opens no fence, heading, list or HTML`, () => {
    expect(leaves.length).toBeGreaterThan(50);
    for (const at of leaves) {
      const where = at.join('.');
      expectSafeMarkdown(renderRestoreRunbook(withLeaf(manifest, at, HOSTILE), dir, facts), renderRestoreRunbook(withLeaf(manifest, at, BENIGN), dir, facts), where);
    }
  });

  it('API status strings (a cluster\'s failureReason and failureMessage, its versions, the left-out reasons) stay literal', () => {
    const status = (text: string): BackupManifest => ({
      ...manifest,
      scope: { ...manifest.scope, kind: 'management-only', summary: text, leftOut: [{ cluster: 'w02', reasons: [{ code: 'failure-reason', object: 'Cluster default/w02', message: text }] }] },
      clusters: manifest.clusters.map((c) => ({ ...c, eksaVersion: text, kubernetesVersion: text, reasons: [{ code: 'failure-message', object: 'x', message: text }] })),
    });
    const hostile = renderRestoreRunbook(status(HOSTILE), dir, facts);
    expectSafeMarkdown(hostile, renderRestoreRunbook(status(BENIGN), dir, facts), 'status');
    expect(hostile.split('\n')).not.toContain('touch pwned-marker');
  });

  it('a set folder\'s path (a heading and every command) stays literal', () => {
    const at = (name: string) => path.join(path.dirname(path.dirname(dir)), name, path.basename(dir));
    expectSafeMarkdown(renderRestoreRunbook(manifest, at(HOSTILE.replaceAll('/', '')), facts), renderRestoreRunbook(manifest, at(BENIGN), facts), 'set path');
  });
});

describe('hostile text through the commands that print a set', async () => {
  it('restore-plan prints a hand-edited manifest\'s runbook safely, and verify lists the set without a control character', async () => {
    const { dir, manifest } = await completeSet();
    const edited = (text: string): BackupManifest => ({
      ...manifest,
      createdAt: text,
      tool: { ...manifest.tool, version: text },
      scope: { ...manifest.scope, summary: text },
      clusterctl: { ...manifest.clusterctl, image: text },
      clusters: manifest.clusters.map((c) => ({ ...c, eksaVersion: text, kubernetesVersion: text })),
      spec: { ...manifest.spec, files: [text] },
    });
    const run = async (m: BackupManifest) => {
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(m));
      const out: string[] = [];
      const io = { env: { NO_COLOR: '1' }, cwd: dir, isTTY: false, stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t) };
      await restorePlan({ dir }, io);
      const plan = out.join('\n');
      out.length = 0;
      await verify({ dir, output: 'table' }, io);
      return { plan, verify: out.join('\n') };
    };
    const benign = await run(edited(BENIGN));
    const hostile = await run(edited(HOSTILE));
    expectSafeMarkdown(hostile.plan.slice(hostile.plan.indexOf('# Restore')), benign.plan.slice(benign.plan.indexOf('# Restore')), 'restore-plan');
    expect(INVISIBLE.test(hostile.verify)).toBe(false);
  });

  it('verify shows a file named with escapes and a bidi override, and a set path holding them, with the characters made visible', async () => {
    const root = await tempFolder('hostile-sinks-');
    const mgmt = path.join(root, 'evil\u001b]0;t\u0007\u202e');
    await mkdir(mgmt);
    const { dir } = await buildSet(path.join(root, 'plain'), { cluster: 'mgmt', management: 'mgmt', when: WHEN, clusters: TREE, runbook: true });
    const moved = path.join(mgmt, path.basename(dir));
    await rename(dir, moved);
    await writeFile(path.join(moved, 'capi', 'x\u001b[2J\u202e.yaml'), 'x');
    const out: string[] = [];
    await verify({ dir: moved, output: 'table' }, { env: { NO_COLOR: '1' }, cwd: root, isTTY: false, stdout: (t) => void out.push(t), stderr: (t) => void out.push(t) });
    expect(out.join('\n')).toContain('x?[2J?.yaml');
    expect(INVISIBLE.test(out.join('\n'))).toBe(false);
  });
});

describe('hostile API status into the terminal (preflight) and the GitHub step summary', () => {
  const verdict = (text: string): ClusterVerdict => ({
    name: text, role: 'workload', namespace: text, kubernetesVersion: text, eksaVersion: text, ready: false, paused: { eksa: false, capi: false },
    reasons: [{ code: 'failure-message', object: text, message: text }],
  });

  it('preflight\'s table makes every control character and bidi override visible', () => {
    const { report } = buildPreflightReport({
      spec: { file: HOSTILE, name: 'mgmt', isManagement: true, managementClusterName: 'mgmt', kubernetesVersion: HOSTILE, eksaVersion: HOSTILE } as never,
      kubeconfig: HOSTILE,
      tools: { eksctl: HOSTILE, kubectl: HOSTILE } as never,
      verdicts: [verdict(HOSTILE)],
      gated: [verdict(HOSTILE)],
      skew: [{ cluster: HOSTILE, rule: 'kubernetes-minor-step', message: HOSTILE } as never],
      scope: { ...stop, summary: HOSTILE, hint: HOSTILE },
    });
    const text = renderPreflightTable(report, { ok: (t) => t, bad: (t) => t, dim: (t) => t, bold: (t) => t });
    expect(text).toContain('?]0;retitled??[2J?evil');
    expect(INVISIBLE.test(text)).toBe(false);
  });

  it('every string field of the evidence, one at a time, opens nothing in the step summary', () => {
    const evidence = buildEvidence(fullParts());
    const leaves = stringPaths(evidence).filter((at) => !['startedAt', 'finishedAt'].includes(String(at.at(-1))));
    expect(leaves.length).toBeGreaterThan(30);
    for (const at of leaves) {
      expectSafeMarkdown(renderStepSummary(withLeaf(evidence, at, HOSTILE)), renderStepSummary(withLeaf(evidence, at, BENIGN)), at.join('.'));
    }
  });
});


describe('Unicode bidi overrides reach no terminal (issue 15, finding 19)', async () => {
  const { printable } = await import('../../src/errors.js');
  it.each([['RLO', '\u202e'], ['LRO', '\u202d'], ['RLI', '\u2067'], ['PDI', '\u2069'], ['ALM', '\u061c'], ['zero-width space', '\u200b'], ['BOM', '\ufeff']])('%s is made visible', (_label, c) => {
    expect(printable(`invoice${c}fdp.exe`)).toBe('invoice?fdp.exe');
  });
});

describe('hostile text into the terminal: backup, backups list, backups prune', async () => {
  const { renderBackupReport } = await import('../../src/report/backup-report.js');
  const { renderBackupList } = await import('../../src/backup-sets/list-report.js');
  const plain = { ok: (t: string) => t, bad: (t: string) => t, dim: (t: string) => t, bold: (t: string) => t };

  it('backup\'s report (API status reasons, summaries, names) has every control character and bidi override made visible', () => {
    const text = renderBackupReport({
      command: 'backup', dryRun: false, dir: `/m/${HOSTILE}`, state: 'complete',
      scope: { kind: 'management-only', clusters: [HOSTILE], summary: HOSTILE, leftOut: [{ cluster: HOSTILE, reasons: [{ code: 'failure-message', object: HOSTILE, message: HOSTILE }] }] },
      clusterctlArgv: ['clusterctl', HOSTILE], files: 1, bytes: 1, pauseRestore: [{ cluster: HOSTILE, what: HOSTILE, before: true, after: true, action: HOSTILE }], clusters: [],
    }, plain);
    expect(INVISIBLE.test(text)).toBe(false);
  });

  it('backups list shows a hostile folder name, note and verification problem with the characters made visible', () => {
    const set = { name: HOSTILE, dir: HOSTILE, cluster: HOSTILE, scope: null, scopeClusters: [], createdAt: null, size: 0, etcdSnapshots: 0, state: 'failed' as const, note: HOSTILE, lastVerified: { at: '2026-01-01T00:00:00Z', ok: false, source: 'verify' as const, problems: [HOSTILE] } };
    const text = renderBackupList({ command: 'backups list', dir: HOSTILE, folders: [HOSTILE, 'x'], verified: true, sets: [set] }, plain);
    expect(INVISIBLE.test(text)).toBe(false);
  });
});
