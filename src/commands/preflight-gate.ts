import type { ExitCodeName } from '../exit-codes.js';
import { need, type RunContext } from '../context.js';
import { gateVerdicts } from '../policy/scope.js';
import { buildPreflightReport, renderPreflightTable } from '../report/preflight-report.js';
import { paint } from '../report/paint.js';
import { bundlesOverrideStep, imageCheckStep, type AirgapOptions } from '../steps/airgap.js';
import { gateSteps } from '../steps/gate.js';
import { gitOpsStep } from '../steps/gitops.js';
import { runTaskList } from '../steps/task-list.js';
import type { CommandIo } from './io.js';
import { printSpecWarnings } from './spec-warnings.js';

const NO_AIRGAP: AirgapOptions = { bundlesOverride: undefined, releaseManifest: undefined, eksaVersion: undefined, skipImageCheckReason: undefined };

/** The rest of `preflight` once its reads are under way: the gate's steps and the report. */
export async function finishPreflight(ctx: RunContext, airgap: AirgapOptions = NO_AIRGAP, io: CommandIo): Promise<ExitCodeName> {
  const { options } = ctx;
  // The mirror, bundles-override and Flux checks stop preflight as they stop the upgrade (exit 2, 3 or 4), before the report.
  try {
    await runTaskList([...gateSteps({ afterSpec: [bundlesOverrideStep(airgap)] }), imageCheckStep(airgap), gitOpsStep()], ctx, { silent: options.output === 'json', env: io.env, isTTY: io.isTTY });
  } finally {
    printSpecWarnings(ctx.spec, io);
  }

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
