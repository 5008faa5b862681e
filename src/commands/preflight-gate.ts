import type { ExitCodeName } from '../exit-codes.js';
import { need, type RunContext } from '../context.js';
import { SafeUpgradeError } from '../errors.js';
import { lockedGateStop } from '../lock/gate-stop.js';
import { DEFAULT_LEASE_SECONDS } from '../lock/lease.js';
import { gateVerdicts } from '../policy/scope.js';
import type { ClusterVerdict } from '../readiness/verdict.js';
import { buildPreflightReport, renderPreflightTable, type PreflightLockNote } from '../report/preflight-report.js';
import { paint } from '../report/paint.js';
import { bundlesOverrideStep, imageCheckStep, type AirgapOptions } from '../steps/airgap.js';
import { gateSteps } from '../steps/gate.js';
import { gitOpsStep } from '../steps/gitops.js';
import { readLockState } from '../steps/read-lock.js';
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
  const gated = gateVerdicts(verdicts, spec);
  const { report, exit } = buildPreflightReport({
    spec,
    kubeconfig: need(ctx, 'layout').kubeconfig,
    tools: need(ctx, 'tools'),
    verdicts: spec.isManagement ? verdicts : gated,
    gated,
    skew: need(ctx, 'skew'),
    scope: need(ctx, 'scope'),
    lock: gated.some((v) => !v.ready) ? await lockNote(ctx, gated) : null,
  });
  io.stdout(options.output === 'json' ? JSON.stringify(report, null, 2) : renderPreflightTable(report, paint(io.env)));
  return exit;
}

/**
 * A tree that is not ready while another run at work holds the upgrade lock: who holds it, as the gate of a backup
 * or an upgrade stops on it (src/lock/gate-stop.ts), so the operator does not resume clusters that run paused.
 * Preflight takes no lock and keeps its exit (not ready: the tree is not ready); it reads the lease only, and only
 * then. A lock it cannot read adds nothing.
 */
async function lockNote(ctx: RunContext, gated: readonly ClusterVerdict[]): Promise<PreflightLockNote | null> {
  const blocking = gated.filter((v) => !v.ready);
  const stop = new SafeUpgradeError('NotReady', `${blocking.map((v) => v.name).join(', ')} not ready`);
  const thrown = await readLockState(ctx, { leaseSeconds: DEFAULT_LEASE_SECONDS, forceUnlock: false }).then(
    () => undefined,
    (error: unknown) => error,
  );
  const locked = lockedGateStop(thrown, stop, blocking.map((v) => ({ cluster: v.name, ...v.paused })));
  // Its own hint, not the upgrade's: preflight has no --force-unlock to offer.
  const paused = blocking.some((v) => v.paused.eksa || v.paused.capi);
  return locked === stop ? null : { message: locked.message, hint: `wait for that run to finish before a backup or an upgrade${paused ? '; do not resume its paused clusters meanwhile: it resumes them when it is done' : ''}` };
}
