// The poller against the simulated API server through the real kubectl, while a test timer plays the
// EKS-A controller (never skipped: REQUIRE_REAL_TOOLS=1 runs must fail without kubectl).
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { confirmUpgrade, NotConfirmedError, type ConfirmResult } from '../../src/confirm/poll.js';
import { Kubectl } from '../../src/kubectl/kubectl.js';
import type { SimObject } from '../../sim/index.js';
import { Runner } from '../../src/runner/runner.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import { startSim, type Sim } from '../helpers/sim.js';

const EKSA = 'clusters.anywhere.eks.amazonaws.com';
let sim: Sim;

beforeAll(async () => {
  // No simulated controller here: the tests play the controller themselves, patch by patch.
  sim = await startSim({
    scenario: scenarioExtending('healthy', {
      patches: [{ kind: 'Cluster.anywhere.eks.amazonaws.com', name: '*', patch: { metadata: { annotations: { 'sim.eksa.aws/stuck': 'true' } } } }],
    }),
  });
  // Warm kubectl's discovery cache so poll timing is not dominated by the first, cold call.
  await execa('kubectl', ['--kubeconfig', sim.kubeconfig, 'get', 'clusters.v1alpha1.anywhere.eks.amazonaws.com', '-A', '-o', 'name'], { env: sim.env });
});
afterAll(async () => {
  await sim?.close();
});
afterEach(() => {
  sim.server.setFaults([]);
});

const get = (name: string): SimObject => sim.server.store.get(EKSA, 'default', name)!;

/** What `eksctl anywhere upgrade cluster` leaves behind: the new spec applied, the controller still rolling. */
function handOff(name: string): number {
  const current = get(name);
  const updated = sim.server.store.update(EKSA, 'default', name, {
    ...current,
    metadata: { ...current.metadata, resourceVersion: undefined },
    spec: { ...current.spec, kubernetesVersion: '1.32', eksaVersion: 'v0.23.0' },
  });
  setStatus(name, { ready: false });
  return updated.metadata.generation!;
}

function setStatus(name: string, o: { ready: boolean; observed?: number; failureMessage?: string }) {
  const current = get(name);
  sim.server.store.update(EKSA, 'default', name, {
    ...current,
    status: {
      ...current.status,
      observedGeneration: o.observed ?? current.status?.observedGeneration,
      conditions: [
        o.ready
          ? { type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }
          : { type: 'Ready', status: 'False', reason: 'RollingUpgradeInProgress', message: 'Rolling upgrade is in progress', severity: 'Info' },
      ],
      ...(o.failureMessage ? { failureMessage: o.failureMessage, failureReason: 'MachineInvalid' } : {}),
    },
  }, { subresource: 'status' });
}

function setup() {
  const runner = new Runner({ dryRun: false, verbose: false, log: () => undefined, env: sim.env });
  const kubectl = new Kubectl(runner, { kubeconfig: sim.kubeconfig, requestTimeout: '10s' });
  return { runner, kubectl };
}

describe('confirmUpgrade against the simulated API server', () => {
  it('confirms once the controller reports Ready at the new generation (status patched by kubectl mid-wait)', async () => {
    const generation = handOff('w01');
    expect(generation).toBe(2);
    const { runner, kubectl } = setup();
    const polls: ConfirmResult[] = [];
    let controller: Promise<unknown> | undefined;
    const result = await confirmUpgrade({
      kubectl,
      targets: [{ name: 'w01', kubernetesVersion: '1.32', eksaVersion: 'v0.23.0', generation }],
      timeoutMs: 30_000,
      intervalMs: 100,
      onPoll: (r) => {
        polls.push(r);
        // The controller finishes while the poller waits; the real kubectl writes the status subresource.
        if (r.polls === 2) {
          const status = JSON.stringify({ status: { observedGeneration: generation, conditions: [{ type: 'Ready', status: 'True' }] } });
          const argv = ['--kubeconfig', sim.kubeconfig, 'patch', EKSA, 'w01', '-n', 'default', '--subresource=status', '--type=merge', '-p', status];
          controller = execa('kubectl', argv, { env: sim.env });
        }
      },
    });
    expect((await controller) ?? 'the patch never ran').toMatchObject({ exitCode: 0 });
    expect(result.confirmed).toBe(true);
    expect(result.clusters[0]).toMatchObject({ name: 'w01', ready: true, generation: 2, observedGeneration: 2, kubernetesVersion: '1.32', consecutiveReady: 3 });
    expect(polls[0]!.clusters[0]!.reason).toBe('observedGeneration 1 behind generation 2; Ready False (RollingUpgradeInProgress: Rolling upgrade is in progress)');
    expect(result.polls).toBeGreaterThanOrEqual(5);
    // One kubectl read per poll, the warm-cache resource form, never a write.
    expect(runner.entries()).toHaveLength(result.polls);
    for (const e of runner.entries()) {
      expect(e.kind).toBe('read');
      expect(e.argv.slice(4)).toEqual(['get', 'clusters.v1alpha1.anywhere.eks.amazonaws.com', '--all-namespaces', '-o', 'json']);
    }
  });

  it('for a management upgrade waits for the changed workload clusters too, and rides out API errors', async () => {
    const mgmtGen = handOff('mgmt');
    const w02Gen = handOff('w02');
    sim.server.setFaults([{ resource: EKSA, method: 'GET', status: 503, message: 'apiserver restarting', times: 2 }]);
    // The controller, driven by what the poller saw: mgmt finishes first, then w02.
    let sawMgmtOnly = false;
    const polls: ConfirmResult[] = [];
    const result = await confirmUpgrade({
      kubectl: setup().kubectl,
      targets: [
        { name: 'mgmt', kubernetesVersion: '1.32', eksaVersion: 'v0.23.0', generation: mgmtGen },
        { name: 'w02', kubernetesVersion: '1.32', eksaVersion: 'v0.23.0', generation: w02Gen },
      ],
      timeoutMs: 30_000,
      intervalMs: 100,
      onPoll: (r) => {
        polls.push(r);
        const [mgmt, w02] = r.clusters;
        if (r.lastError === undefined && !mgmt!.ready) setStatus('mgmt', { ready: true, observed: mgmtGen });
        if (mgmt!.ready && !w02!.ready) {
          sawMgmtOnly = true;
          setStatus('w02', { ready: true, observed: w02Gen });
        }
      },
    });
    expect(result.confirmed).toBe(true);
    expect(polls[0]!.lastError).toMatch(/apiserver restarting/);
    expect(result.clusters.map((c) => [c.name, c.ready])).toEqual([['mgmt', true], ['w02', true]]);
    expect(sawMgmtOnly).toBe(true);
    expect(result.clusters.map((c) => c.consecutiveReady)).toEqual([4, 3]);
  });

  it('times out with NotConfirmed naming the cluster still rolling, carrying the last observation', async () => {
    const generation = handOff('w03');
    const started = Date.now();
    const error = await confirmUpgrade({
      kubectl: setup().kubectl,
      targets: [{ name: 'w03', kubernetesVersion: '1.32', generation }],
      timeoutMs: 1200,
      intervalMs: 100,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotConfirmedError);
    const nc = error as NotConfirmedError;
    expect(nc.message).toBe('upgrade not confirmed within 1s: w03: observedGeneration 1 behind generation 2; Ready False (RollingUpgradeInProgress: Rolling upgrade is in progress)');
    expect(nc.result.clusters[0]).toMatchObject({ name: 'w03', ready: false, generation: 2, observedGeneration: 1 });
    expect(nc.result.polls).toBeGreaterThanOrEqual(2);
    expect(nc.result.durationMs).toBeGreaterThanOrEqual(1200);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stops on a failureMessage that does not clear', async () => {
    const generation = handOff('w01');
    setStatus('w01', { ready: false, observed: generation, failureMessage: 'VSphereMachineConfig w01-cp: template not found' });
    const error = await confirmUpgrade({
      kubectl: setup().kubectl,
      targets: [{ name: 'w01', kubernetesVersion: '1.32', generation }],
      timeoutMs: 30_000,
      intervalMs: 100,
      failureGraceMs: 300,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotConfirmedError);
    expect((error as NotConfirmedError).message).toMatch(
      /^failureMessage did not clear within 300ms: w01: failureMessage VSphereMachineConfig w01-cp: template not found; Ready False/,
    );
    expect((error as NotConfirmedError).result.clusters[0]!.failureMessage).toBe('VSphereMachineConfig w01-cp: template not found');
  });
});
