import type { ExitCodeName } from '../exit-codes.js';
import { need, type RunContext } from '../context.js';
import { gateVerdicts } from '../policy/scope.js';
import { buildPreflightReport, renderPreflightTable } from '../report/preflight-report.js';
import { paint } from '../report/paint.js';
import { gateSteps } from '../steps/gate.js';
import { runTaskList } from '../steps/task-list.js';
import type { CommandIo } from './io.js';

/** The rest of `preflight` once its reads are under way: the gate's steps and the report. */
export async function finishPreflight(ctx: RunContext, io: CommandIo): Promise<ExitCodeName> {
  const { options } = ctx;
  await runTaskList(gateSteps(), ctx, { silent: options.output === 'json', env: io.env, isTTY: io.isTTY });

  const spec = need(ctx, 'spec');
  const verdicts = need(ctx, 'verdicts');
  const { report, exit } = buildPreflightReport({
    spec,
    kubeconfig: need(ctx, 'layout').kubeconfig,
    tools: need(ctx, 'tools'),
    verdicts: spec.isManagement ? verdicts : gateVerdicts(verdicts, spec),
    gated: gateVerdicts(verdicts, spec),
    skew: need(ctx, 'skew'),
    scope: need(ctx, 'scope'),
  });
  io.stdout(options.output === 'json' ? JSON.stringify(report, null, 2) : renderPreflightTable(report, paint(io.env)));
  return exit;
}
