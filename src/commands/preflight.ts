import type { ExitCodeName } from '../exit-codes.js';
import { need, type GateOptions, type RunContext } from '../context.js';
import { gateVerdicts } from '../policy/scope.js';
import { buildPreflightReport, renderPreflightTable } from '../report/preflight-report.js';
import { paint } from '../report/paint.js';
import { createRunner } from '../runner/create-runner.js';
import { gateSteps } from '../steps/gate.js';
import { runTaskList } from '../steps/task-list.js';
import type { CommandIo } from './io.js';
import { printSpecWarnings } from './spec-warnings.js';

/** `preflight`: the read-only gate — spec, tools, inventory, readiness, skew, scope — and its report. */
export async function preflight(options: GateOptions, io: CommandIo): Promise<ExitCodeName> {
  const ctx: RunContext = { options, runner: createRunner(options, io), env: io.env, cwd: io.cwd };
  try {
    await runTaskList(gateSteps(), ctx, { silent: options.output === 'json', env: io.env, isTTY: io.isTTY });
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
