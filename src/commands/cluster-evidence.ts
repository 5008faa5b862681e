import path from 'node:path';
import { privateFile } from '../backup/private-files.js';
import type { ConfirmResult } from '../confirm/index.js';
import type { RunContext } from '../context.js';
import type { ExitCodeName } from '../exit-codes.js';
import { eksctlFlagsFor } from '../handoff/eksctl-flags.js';
import { toEksctlArgv } from '../handoff/pass-through-argv.js';
import type { HandoffResult } from '../handoff/run-handoff.js';
import { buildEvidence, formatEvidence, type BackupPart, type Evidence } from '../report/evidence.js';
import { publishToGithub } from '../report/github.js';
import { toolVersion } from './backup.js';
import type { ClusterOptions } from './cluster.js';
import type { CommandIo } from './io.js';

export interface RunOutcome {
  readonly exit: ExitCodeName;
  readonly error?: unknown;
}

function backupPart(ctx: RunContext): BackupPart | undefined {
  if (ctx.backup) {
    const m = ctx.backup.manifest;
    return { dir: ctx.backup.dir, state: 'complete', ...(ctx.backupReuse?.reused ? { reused: true } : {}), files: m.files, etcd: m.etcd };
  }
  if (ctx.backupPlan) return { dir: ctx.backupPlan.dir, state: ctx.runner.dryRun ? 'planned' : 'failed' };
  return undefined;
}

/** The one evidence record of a run: stdout with -o json, --report FILE, and the GitHub step summary. */
export async function writeEvidence(input: {
  options: ClusterOptions;
  io: CommandIo;
  ctx: RunContext;
  startedAt: Date;
  handoff: HandoffResult | undefined;
  handoffArgv: readonly string[] | undefined;
  confirm: ConfirmResult | undefined;
  outcome: RunOutcome;
}): Promise<Evidence> {
  const { ctx, options } = input;
  const backup = backupPart(ctx);
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
    },
    ...(ctx.spec ? { spec: ctx.spec } : {}),
    ...(ctx.tools ? { tools: ctx.tools } : {}),
    ...(ctx.clusterctl ? { clusterctl: ctx.clusterctl.info } : {}),
    ...(ctx.upgradePlan ? { plan: ctx.upgradePlan } : {}),
    steps: ctx.timer?.records() ?? [],
    ...(ctx.verdicts ? { verdicts: ctx.verdicts } : {}),
    ...(ctx.skew ? { skew: ctx.skew } : {}),
    ...(ctx.scope ? { scope: ctx.scope } : {}),
    ...(ctx.lock ? { lock: ctx.lock.record() } : {}),
    ...(backup ? { backup } : {}),
    ...(input.handoffArgv ? { handoff: { argv: input.handoffArgv, ...(input.handoff ? { result: input.handoff } : {}) } } : {}),
    ...(input.confirm ? { confirm: input.confirm } : {}),
  });
  const text = formatEvidence(evidence);
  if (options.output === 'json') input.io.stdout(text.trimEnd());
  if (options.report) {
    await privateFile(path.resolve(input.io.cwd, options.report), text);
  }
  const published = await publishToGithub(evidence, { env: input.io.env, writeLine: (line) => input.io.stderr(line) });
  if (published.summaryError) input.io.stderr(`warning: ${published.summaryError}`);
  return evidence;
}
