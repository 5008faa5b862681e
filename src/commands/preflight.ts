import type { ExitCodeName } from '../exit-codes.js';
import type { GateOptions, RunContext } from '../context.js';
import { createRunner } from '../runner/create-runner.js';
import type { AirgapOptions } from '../steps/airgap.js';
import { startGateReads } from '../steps/early-reads.js';
import type { CommandIo } from './io.js';

export interface PreflightOptions extends GateOptions {
  /** The air-gapped and GitOps checks the upgrade's gate runs too (absent: none asked for). */
  readonly airgap?: AirgapOptions;
}

/**
 * `preflight`: the read-only gate — spec, tools, inventory, readiness, skew, scope — and its report.
 * Its reads start first; the task list, readiness, skew and the report load while kubectl runs
 * (bench/RESULTS.md: at small trees the start-up before the first read is most of the run).
 */
export async function preflight(options: PreflightOptions, io: CommandIo): Promise<ExitCodeName> {
  const ctx: RunContext = { options, runner: createRunner(options, io), env: io.env, cwd: io.cwd };
  startGateReads(ctx);
  const { finishPreflight } = await import('./preflight-gate.js');
  return finishPreflight(ctx, options.airgap, io);
}
