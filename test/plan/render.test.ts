import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { formatCommand, type Command } from '../../src/command.js';
import { planUpgrade, type PlanFacts } from '../../src/plan/plan-upgrade.js';
import { renderPlan } from '../../src/plan/render.js';
import type { BackupAction, PlanAction, UpgradePlan } from '../../src/plan/types.js';
import { clusterSpec } from '../readiness/fixtures.js';
import { ADMIN, MANAGEMENT_ONLY, SPEC_FILE, facts, options } from './fixtures.js';

const INPUT_END = 'EKSA_SAFE_UPGRADE_INPUT';

/**
 * The rendered text as blocks: one per line, except that a command with stdin (`<<'…'`) takes its
 * heredoc with it, so script lines are never mistaken for margin lines.
 */
function blocks(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let block = lines[i]!;
    if (block.endsWith(`<<'${INPUT_END}'`)) {
      while (i + 1 < lines.length && lines[i] !== INPUT_END) block += `\n${lines[++i]}`;
    }
    out.push(block);
  }
  return out;
}

const margin = (text: string, mark: string) => blocks(text).filter((b) => b.startsWith(`${mark} `));
const commandOf = (plan: UpgradePlan, op: Exclude<PlanAction['op'], 'backup' | 'reuse-backup'>): Command => {
  const a = plan.actions.find((x) => x.op === op);
  if (!a || !('command' in a)) throw new Error(`no ${op} action`);
  return a.command;
};
const backupOf = (plan: UpgradePlan) => plan.actions.find((a): a is BackupAction => a.op === 'backup')!;

/** What sh makes of a pasted command: its argv, each word as the shell passes it. */
function pasted(block: string): string[] {
  return execFileSync('sh', ['-c', `printf '%s\\0' ${block.slice(2)}`], { cwd: tmpdir() }).toString().split('\0').slice(0, -1);
}

describe('renderPlan: the margin', () => {
  const plan = planUpgrade(facts({ forceUnlockFrom: 'host-a/1' }), options({ skipReason: 'tested' }));
  const { text, writes } = renderPlan(plan);
  const lines = text.split('\n');

  it('every line is a comment, a read, a write, a file action, or indented under a branch', () => {
    for (const line of lines) expect(line).toMatch(/^(# |\$ |! |\+ | {2}# | {4}[!$+] )/);
  });

  it('writes are `! `, in the order they run: force-unlock, lock, move, renew, hand-off, release', () => {
    const expected: Command[] = [
      commandOf(plan, 'force-unlock'),
      commandOf(plan, 'acquire-lock'),
      backupOf(plan).move,
      commandOf(plan, 'renew-lock'),
      commandOf(plan, 'handoff'),
      plan.release!.command,
    ];
    expect(writes).toEqual(expected);
    expect(margin(text, '!')).toEqual(expected.map((c) => `! ${formatCommand(c.argv)}`));
  });

  it('reads are `$ `: the pause read, the export, the recheck, the confirm poll', () => {
    const b = backupOf(plan);
    const reads = [b.pause.read, b.export.command, commandOf(plan, 'recheck'), commandOf(plan, 'confirm')];
    expect(margin(text, '$')).toEqual(reads.map((c) => `$ ${formatCommand(c.argv)}`));
  });

  it('file actions are `+ `: the folders first, the spec copy, the finish ending in the rename', () => {
    const files = margin(text, '+');
    const b = backupOf(plan);
    expect(files.slice(0, 3)).toEqual([
      `+ mkdir ${ADMIN} (0700): the management folder`,
      `+ mkdir ${b.set.partialDir} (0700), new: the set, while it is written`,
      `+ mkdir ${b.set.partialDir}/capi (0700): what clusterctl writes`,
    ]);
    expect(files).toContain(`+ copy ${SPEC_FILE} to ${b.set.partialDir}/spec/m01-eks-a-cluster.yaml (0600): the spec the upgrade runs with`);
    expect(files.at(-1)).toBe(`+ rename ${b.set.partialDir} to ${b.set.dir}: complete: only now does the set carry its final name`);
  });

  it('branches are indented and never among the writes: the fallback move, the pause restores, the failure handling', () => {
    const b = backupOf(plan);
    expect(lines).toContain(`    ! ${formatCommand(b.fallback!.move.argv)}`);
    expect(lines).toContain(`    + remove ${b.set.partialDir}/capi: what the failed whole-tree move left`);
    for (const r of b.pause.restore) {
      expect(lines).toContain(`    ! ${formatCommand(r.command.argv)}`);
      expect(writes).not.toContain(r.command);
    }
    expect(writes).not.toContain(b.fallback!.move);
    expect(lines).toContain(`    + rename ${b.set.partialDir} to ${b.set.failedDir}: kept for inspection, never complete-looking`);
    expect(lines.filter((l) => l.startsWith('  # ')).length).toBeGreaterThanOrEqual(1 + b.pause.recorded.length + 1);
  });

  it('numbers the actions and the release after them', () => {
    const numbered = lines.filter((l) => /^# \d+\. /.test(l)).map((l) => Number(/^# (\d+)\./.exec(l)![1]));
    expect(numbered).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(lines.find((l) => l.startsWith('# 8. '))).toMatch(/Release the upgrade lock/);
  });
});

describe('renderPlan: variants', () => {
  it('backup: the lock is taken first and released at the end; the move is the first write after it; nothing else follows', () => {
    const plan = planUpgrade(facts({ command: 'backup' }), options({ skipReason: 'tested' }));
    const { text, writes } = renderPlan(plan);
    expect(writes.map((w) => w.why)).toEqual(['take the upgrade lock', backupOf(plan).move.why, 'release the upgrade lock (only the version we hold)']);
    expect(writes[1]).toEqual(backupOf(plan).move);
    expect(text).toMatch(/Take the upgrade lock/);
    expect(text).toMatch(/Release the upgrade lock/);
    expect(text).not.toMatch(/Renew the upgrade lock|Hand off|eksctl anywhere upgrade/);
  });

  it('management only: no fallback branch', () => {
    const { text } = renderPlan(planUpgrade(facts({ scope: MANAGEMENT_ONLY }), options({ skipReason: 'tested' })));
    expect(text).not.toMatch(/whole-tree move fails/);
    expect(text.split('\n').filter((l) => l.startsWith('    ! ')).every((l) => !l.includes('clusterctl'))).toBe(true);
  });

  it('etcd snapshots: the first member of each cluster at the margin with its script, the others as branches', () => {
    const plan = planUpgrade(facts(), options());
    const { text, writes } = renderPlan(plan);
    const b = backupOf(plan);
    if (b.etcd.kind !== 'snapshot') throw new Error('expected snapshots');
    const firsts = b.etcd.clusters.map((c) => c.members[0]!.command);
    expect(writes.filter((w) => w.argv[0] === 'ssh')).toEqual(firsts);
    const sshBlocks = margin(text, '!').filter((l) => l.startsWith('! ssh '));
    expect(sshBlocks).toHaveLength(3);
    for (const [i, block] of sshBlocks.entries()) {
      expect(block.endsWith(`\n${INPUT_END}`)).toBe(true);
      expect(block).toContain(firsts[i]!.input!.trimEnd());
    }
    const lines = text.split('\n');
    for (const c of b.etcd.clusters) for (const m of c.members.slice(1)) expect(lines).toContain(`  # if ${c.members[0]!.machine} fails: ${m.machine}`);
  });

  it('reuse: a comment naming the set, no backup commands', () => {
    const { text, writes } = renderPlan(planUpgrade(facts({ reuse: { dir: '/x/m01-backup-old', ageMs: 90_000 } }), options()));
    expect(text).toMatch(/^# 2\. Back up: reuse \/x\/m01-backup-old \(90s old/m);
    expect(writes.some((w) => w.argv.includes('move'))).toBe(false);
    expect(margin(text, '+')).toEqual([]);
  });
});

describe('renderPlan: hostile values', () => {
  it('a control character in the spec path is shown made visible: no raw ESC or BEL in the text', () => {
    const file = '/admin/m01/evil\x1b[31mred\x07\x9b.yaml';
    const spec = { ...clusterSpec({ name: 'm01' }), file };
    const { text, writes } = renderPlan(planUpgrade(facts({ spec }), options({ skipReason: 'tested' })));
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(text).toContain('+ copy /admin/m01/evil?[31mred??.yaml to ');
    expect(text).toMatch(/^! eksctl anywhere upgrade cluster -f '\/admin\/m01\/evil\?\[31mred\?\?\.yaml'/m);
    // The command itself is data and keeps the real path: only its display is made safe.
    expect(writes.find((w) => w.kind === 'handoff')!.argv).toContain(file);
  });

  // A line break in a value (here the spec path) would start a line of its own that reads like a write of
  // the plan; the renderer makes it visible instead, so the margin holds only what the plan runs.
  it('a newline in the spec path cannot forge a margin line', () => {
    const file = '/admin/m01/x\n! kubectl delete namespace eksa-system\n.yaml';
    const spec = { ...clusterSpec({ name: 'm01' }), file };
    const { text, writes } = renderPlan(planUpgrade(facts({ spec }), options({ skipReason: 'tested' })));
    expect(text.split('\n').filter((l) => l.startsWith('! kubectl delete namespace'))).toEqual([]);
    expect(margin(text, '!')).toHaveLength(writes.length);
  });

  it('every `! ` line pasted into sh gives back exactly the argv, with spaces, quotes, $() and backticks', () => {
    const folder = "/tmp/it's a $(touch pwned) `id` dir";
    const f: PlanFacts = {
      ...facts({ handoff: { argv: ['eksctl', 'anywhere', 'upgrade', 'cluster', '-f', `it's "quoted" $(echo hi) \`id\` ;|&*?.yaml`, '--bundles-override', ''], kind: 'handoff', why: 'x' } }),
      managementFolder: folder,
      cwd: folder,
      kubectl: { kubeconfig: `${folder}/kube config $HOME`, requestTimeout: '30s' },
    };
    const plan = planUpgrade(f, options());
    const { text, writes } = renderPlan(plan);
    const bangs = margin(text, '!');
    expect(bangs).toHaveLength(writes.length);
    expect(writes.length).toBeGreaterThanOrEqual(8);
    for (const [i, block] of bangs.entries()) expect(pasted(block)).toEqual(writes[i]!.argv);
    // Indented writes paste back too: the fallback, the restores, the other etcd members.
    const b = backupOf(plan);
    if (b.etcd.kind !== 'snapshot') throw new Error('expected snapshots');
    const indented = blocks(text).filter((l) => l.startsWith('    ! ')).map((l) => l.slice(4));
    const others = b.etcd.clusters.flatMap((c) => c.members.slice(1).map((m) => m.command.argv));
    expect(others).toHaveLength(6);
    expect(indented.map(pasted)).toEqual([b.fallback!.move.argv, ...b.pause.restore.map((r) => r.command.argv), ...others]);
  });
});
