// preflight starts its reads before the task list loads (issue 17, faster start): the spec, then the
// tree and the tools' versions, through the runner; the steps await them. A failure before the reads
// starts nothing and is no unhandled rejection while no step awaits it (vitest fails a test on one).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateOptions, RunContext } from '../../src/context.js';
import { Runner } from '../../src/runner/runner.js';
import { startGateReads } from '../../src/steps/early-reads.js';
import { startSim, type Sim } from '../helpers/sim.js';

function context(filename: string, env: NodeJS.ProcessEnv, cwd: string): RunContext {
  const options: GateOptions = { filename, kubeconfig: undefined, output: 'json', onUnready: 'fallback', requestTimeout: '30s', verbosity: 0, dryRun: false, journal: undefined };
  return { options, runner: new Runner({ dryRun: false, verbose: false, log: () => undefined, env }), env, cwd };
}

describe('startGateReads', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ scenario: 'healthy' });
  });
  afterAll(async () => sim?.close());

  it('reads the spec, then the tree first and the tools beside it, before any step runs', async () => {
    const ctx = context(sim.specFile(), sim.env, sim.workdir);
    startGateReads(ctx);
    const loaded = await ctx.early!.loaded;
    expect(loaded.spec.name).toBe(sim.scenario.management);
    expect(loaded.layout.kubeconfig).toBe(sim.kubeconfig);
    expect(loaded.specSha256).toMatch(/^[0-9a-f]{64}$/);
    const { tools, items } = await ctx.early!.tree;
    expect(tools.kubectl).toMatch(/^\d+\.\d+/);
    expect(items.some((o) => o.kind === 'Cluster')).toBe(true);
    // The long read is spawned first, the version probes after it (journal entries are written as commands
    // end; their `time` is when each started).
    const entries = ctx.runner.entries();
    const get = entries.find((e) => e.argv.includes('get'))!;
    const probes = entries.filter((e) => e !== get);
    expect(probes.map((e) => e.argv.join(' ')).sort()).toEqual(['eksctl anywhere version', 'kubectl version --client -o json']);
    for (const probe of probes) expect(Date.parse(probe.time)).toBeGreaterThanOrEqual(Date.parse(get.time));
    // The steps would find them here and run nothing of their own.
    expect(ctx.spec).toBeUndefined();
  });

  it('a spec that cannot be read starts no command, and its error waits for the step that reports it', async () => {
    const ctx = context(path.join(sim.workdir, 'no-such-spec.yaml'), sim.env, sim.workdir);
    startGateReads(ctx);
    // Nothing awaits them for a while, as when the task list is still loading.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(ctx.early!.loaded).rejects.toThrow(/does not exist/);
    await expect(ctx.early!.tree).rejects.toThrow(/does not exist/);
    expect(ctx.runner.entries()).toEqual([]);
  });
});
