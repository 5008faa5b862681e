import path from 'node:path';
import { privateFile } from '../backup/private-files.js';
import type { Applied } from '../apply/execute-plan.js';
import { pushEvidence } from '../apply/push.js';
import type { ConfirmResult } from '../confirm/index.js';
import type { RunContext } from '../context.js';
import { printable } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { eksctlFlagsFor } from '../handoff/eksctl-flags.js';
import { toEksctlArgv } from '../handoff/pass-through-argv.js';
import { fingerprintSha256, planSha256 } from '../plan/plan-file.js';
import { buildEvidence, formatEvidence, type BackupPart, type Evidence } from '../report/evidence.js';
import { publishToGithub } from '../report/github.js';
import { toolVersion } from './backup.js';
import type { ClusterOptions } from './cluster.js';
import type { CommandIo } from './io.js';
import type { ReviewedPlan } from './plan-io.js';

export interface RunOutcome {
  readonly exit: ExitCodeName;
  readonly error?: unknown;
  /** The line said when there was nothing to upgrade (exit 0, nothing written). */
  readonly nothingToUpgrade?: string;
}

/** The backup as far as it got: complete (made or reused), failed once started, else as planned. */
function backupPart(ctx: RunContext, applied: Applied): BackupPart | undefined {
  if (applied.backup) {
    const m = applied.backup.manifest;
    return { dir: applied.backup.dir, state: 'complete', ...(applied.backup.reused ? { reused: true } : {}), files: m.files, etcd: m.etcd, ...(applied.pushes ? { pushes: applied.pushes.map(pushEvidence) } : {}) };
  }
  const planned = ctx.plan?.actions.find((a) => a.op === 'backup' || a.op === 'reuse-backup');
  if (!planned) return undefined;
  // A set the gate found fresh is complete and verified, in the dry run too.
  if (planned.op === 'reuse-backup') return { dir: planned.dir, state: 'complete', reused: true };
  return { dir: planned.set.dir, state: applied.backupStarted ? 'failed' : 'planned' };
}

/** The one evidence record of a run: stdout with -o json, --report FILE, and the GitHub step summary. */
export async function writeEvidence(input: {
  options: ClusterOptions;
  io: CommandIo;
  ctx: RunContext;
  startedAt: Date;
  applied: Applied;
  reviewed: ReviewedPlan | undefined;
  confirm: ConfirmResult | undefined;
  outcome: RunOutcome;
}): Promise<Evidence> {
  const { ctx, options, applied } = input;
  const backup = backupPart(ctx, applied);
  const plan = ctx.plan;
  const handoffAction = plan?.actions.find((a) => a.op === 'handoff');
  const handoffArgv = applied.handoff || options.dryRun ? handoffAction?.command.argv : undefined;
  const lockRecord = applied.lock?.record() ?? (options.dryRun && plan?.release ? dryRunLockRecord(ctx) : undefined);
  const evidence = buildEvidence({
    command: options.command,
    toolVersion: toolVersion(),
    dryRun: options.dryRun,
    startedAt: input.startedAt,
    finishedAt: new Date(),
    exit: input.outcome.exit,
    error: input.outcome.error,
    inputs: {
      specFile: ctx.spec?.file ?? path.resolve(input.io.cwd, options.filename),
      ...(ctx.layout ? { kubeconfig: ctx.layout.kubeconfig } : {}),
      onUnready: options.onUnready,
      flags: options.givenArgs,
      passThrough: [...toEksctlArgv(eksctlFlagsFor(options.command), options.passThrough), ...options.extraArgs],
      ...(options.etcd.skipReason !== undefined ? { etcdSkipReason: options.etcd.skipReason } : {}),
      ...(options.skipImageCheckReason !== undefined ? { imageCheckSkipReason: options.skipImageCheckReason } : {}),
    },
    ...(ctx.spec ? { spec: ctx.spec } : {}),
    ...(ctx.tools ? { tools: ctx.tools } : {}),
    ...(ctx.clusterctl ? { clusterctl: ctx.clusterctl.info } : {}),
    ...(ctx.upgradePlan ? { plan: ctx.upgradePlan } : {}),
    steps: ctx.timer?.records() ?? [],
    ...(ctx.verdicts ? { verdicts: ctx.verdicts } : {}),
    ...(ctx.skew ? { skew: ctx.skew } : {}),
    ...(ctx.scope ? { scope: ctx.scope } : {}),
    ...(lockRecord ? { lock: lockRecord } : {}),
    ...(backup ? { backup } : {}),
    ...(handoffArgv ? { handoff: { argv: handoffArgv, result: applied.handoff ?? { exitCode: 0, durationMs: 0, interrupted: false, forwardedSignals: [], skipped: true } } } : {}),
    ...(input.confirm ? { confirm: input.confirm } : {}),
    ...(plan
      ? { runPlan: { sha256: planSha256(plan), fingerprintSha256: fingerprintSha256(plan.fingerprint), actions: [...plan.actions.map((a) => a.op), ...(plan.release ? ['release-lock'] : [])], appliedFrom: input.reviewed?.file ?? null } }
      : {}),
    ...(applied.forcedUnlock ? { forcedUnlock: { previousHolder: applied.forcedUnlock.previous.state === 'absent' ? '' : applied.forcedUnlock.previous.holder, deleted: applied.forcedUnlock.deleted } } : {}),
    ...(input.outcome.nothingToUpgrade !== undefined ? { nothingToUpgrade: true } : {}),
  });
  const text = formatEvidence(evidence);
  if (options.output === 'json') input.io.stdout(text.trimEnd());
  if (options.report) {
    // Checked before the first write; should it fail now all the same (its folder removed or replaced during the
    // run), the outcome stays the run's: one warning line naming the file, never an `Error:` or another exit code.
    const file = path.resolve(input.io.cwd, options.report);
    await privateFile(file, text).catch((error: unknown) => {
      const why = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
      input.io.stderr(printable(`warning: the report ${file} could not be written: ${why}; the upgrade's outcome stands: ${evidence.outcome} (exit ${evidence.exitCode})`).replace(/\n/g, '?'));
    });
  }
  const published = await publishToGithub(evidence, { env: input.io.env, writeLine: (line) => input.io.stderr(line) });
  if (published.summaryError) input.io.stderr(`warning: ${published.summaryError}`);
  return evidence;
}

/** The dry run took no lock: what the gate read of it, in the shape of a lock record. */
function dryRunLockRecord(ctx: RunContext) {
  const acquire = ctx.plan?.actions.find((a) => a.op === 'acquire-lock');
  return {
    audit: ctx.lockRead?.audit ?? 'lock: not read',
    dryRun: true,
    holder: '',
    acquireTime: undefined,
    leaseSeconds: acquire?.op === 'acquire-lock' ? acquire.lock.leaseSeconds : 0,
    renewals: 0,
    takeover: undefined,
    lost: undefined,
    release: undefined,
  };
}
