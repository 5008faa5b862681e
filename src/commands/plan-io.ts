import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { privateFile } from '../backup/private-files.js';
import { need, type OutputFormat, type RunContext } from '../context.js';
import { SafeUpgradeError, UsageError } from '../errors.js';
import { compareFingerprints } from '../plan/fingerprint.js';
import { parsePlanText, planText, redatePlan } from '../plan/plan-file.js';
import { renderPlan } from '../plan/render.js';
import type { PlannedCommand, UpgradePlan } from '../plan/types.js';
import type { Runner } from '../runner/runner.js';
import { loadSpecStep } from '../steps/load-spec.js';
import { fingerprintOf } from '../steps/plan.js';
import { stopUnlessLocked, type LockReadOptions } from '../steps/read-lock.js';
import { readTreeStep } from '../steps/read-tree.js';
import { pauseState } from '../readiness/cluster-checks.js';
import type { CommandIo } from './io.js';

/** A plan file is the planner's output for one tree: far below this. */
const MAX_PLAN_BYTES = 64 * 1024 * 1024;

export interface ReviewedPlan {
  readonly file: string;
  readonly plan: UpgradePlan;
}

/** `--plan FILE`: read and check the file before anything else; a bad file is a usage error (exit 2). */
export async function loadReviewedPlan(file: string, command: PlannedCommand, io: CommandIo): Promise<ReviewedPlan> {
  const full = path.resolve(io.cwd, file);
  const info = await stat(full).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`--plan ${full} does not exist or is not a file`, { hint: 'pass the file that --dry-run --plan-out wrote' });
  if (info.size > MAX_PLAN_BYTES) throw new UsageError(`--plan ${full} is ${info.size} bytes, larger than any plan`, { hint: 'pass the file that --dry-run --plan-out wrote' });
  const parsed = parsePlanText(await readFile(full, 'utf8'), command);
  if (!parsed.ok) throw new UsageError(`--plan ${full} is not a plan this tool can apply: ${parsed.problem}`, { hint: `make it again with \`${command} --dry-run --plan-out FILE\`` });
  return { file: full, plan: parsed.plan };
}

/**
 * Applying a reviewed plan: read the spec, the tools and the tree again, and refuse (exit 12) when any
 * of it differs from what the plan was made against; then the plan, re-dated to now, is the run's. `lock`: a
 * tree changed under another run that is still at work and holds the upgrade lock (its backup paused the
 * clusters, its upgrade rolls them) is the lock's stop (exit 6, naming the holder), as in the gate
 * (src/lock/gate-stop.ts): a new plan made now would stop on that lock too.
 */
export function reviewedPlanSteps(reviewed: ReviewedPlan, flags: Readonly<Record<string, unknown>>, first: ListrTask<RunContext>[], lock?: LockReadOptions): ListrTask<RunContext>[] {
  return [
    ...first,
    loadSpecStep(),
    readTreeStep(),
    {
      title: `Check the plan ${reviewed.file} against the tree`,
      task: async (ctx, task) => {
        const changes = compareFingerprints(reviewed.plan.fingerprint, fingerprintOf(ctx, flags));
        if (changes.length > 0) {
          const shown = changes.slice(0, 5).join('; ');
          const stale = new SafeUpgradeError('PlanStale', `plan is stale: ${shown}${changes.length > 5 ? `; and ${changes.length - 5} more` : ''}`, {
            hint: 'nothing was written; review a new plan: run again with --dry-run --plan-out FILE',
          });
          if (lock === undefined) throw stale;
          const paused = need(ctx, 'inventory').clusters.map((c) => ({ cluster: c.name, ...pauseState(c) }));
          throw await stopUnlessLocked(ctx, lock, stale, paused);
        }
        if (need(ctx, 'spec').name !== reviewed.plan.cluster.name) throw new SafeUpgradeError('PlanStale', `plan is stale: it upgrades ${reviewed.plan.cluster.name}, the spec names ${need(ctx, 'spec').name}`, { hint: 'pass the spec the plan was made with' });
        ctx.plan = redatePlan(reviewed.plan, new Date());
        task.title = `Check the plan ${reviewed.file} against the tree: unchanged`;
      },
    },
  ];
}

/**
 * The dry run's result: the plan rendered on stdout (with `-o json` the evidence record is stdout, and
 * the plan is in --plan-out), every write it shows journaled as skipped, and --plan-out written.
 */
export async function showPlan(plan: UpgradePlan, options: { runner: Runner; io: CommandIo; output: OutputFormat; planOut: string | undefined }): Promise<void> {
  const rendered = renderPlan(plan);
  for (const command of rendered.writes) options.runner.recordSkipped(command);
  // With -o json stdout is the one JSON document: the audit then goes to stderr, where logs are kept.
  if (options.output !== 'json') options.io.stdout(rendered.text);
  else options.io.stderr(rendered.text);
  if (options.planOut !== undefined) {
    const file = path.resolve(options.io.cwd, options.planOut);
    await privateFile(file, planText(plan));
    options.io.stderr(`Plan written to ${file}: apply it unchanged with --plan ${file}`);
  }
}
