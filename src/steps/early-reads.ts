import type { RunContext } from '../context.js';
import { loadGateSpec } from './load-spec.js';
import { readToolsAndTree } from './read-tree.js';

/**
 * Start the gate's first reads now, before the task list and what follows it (listr2, readiness, skew,
 * the report) are loaded: the spec, then the tools' versions and the tree, through the runner as always.
 * The load-spec and read-tree steps await them (`ctx.early`) and report them as before, errors included.
 * It reads only: nothing runs earlier that the task list would have stopped before, since load-spec is the
 * first step and read-tree follows it with no step between (preflight's gate).
 */
export function startGateReads(ctx: RunContext): void {
  const loaded = loadGateSpec(ctx);
  const tree = loaded.then(({ spec, kubectl }) => readToolsAndTree(ctx.runner, spec, kubectl));
  // Awaited by the steps, or never when a step before them fails: not an unhandled rejection meanwhile.
  loaded.catch(() => undefined);
  tree.catch(() => undefined);
  ctx.early = { loaded, tree };
}
