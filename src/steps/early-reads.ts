import type { RunContext } from '../context.js';
import { loadGateSpec } from './load-spec.js';
import { readToolsAndTree } from './read-tree.js';

/**
 * Start the gate's first reads now, before the task list and what follows it (listr2, readiness, skew,
 * the report) are loaded: the spec, then the tools' versions and the tree, through the runner as always.
 * The load-spec and read-tree steps await them (`ctx.early`) and report them as before, errors included.
 * It reads only. load-spec is the first step; between it and read-tree only the `afterSpec` steps run (the
 * `--bundles-override` check), so a bundles override that fails its check stops preflight (exit 2) while the
 * tree's `kubectl get` may already be under way: a read, never a write.
 */
export function startGateReads(ctx: RunContext): void {
  const loaded = loadGateSpec(ctx);
  const tree = loaded.then(({ spec, kubectl }) => readToolsAndTree(ctx.runner, spec, kubectl));
  // Awaited by the steps, or never when a step before them fails: not an unhandled rejection meanwhile.
  loaded.catch(() => undefined);
  tree.catch(() => undefined);
  ctx.early = { loaded, tree };
}
