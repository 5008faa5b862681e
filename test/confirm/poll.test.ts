// The poller with an injected clock, sleep and listing: no I/O, every timing exact.
import { describe, expect, it } from 'vitest';
import { confirmUpgrade, formatDuration, NotConfirmedError, type ConfirmOptions, type ConfirmResult } from '../../src/confirm/poll.js';
import { EnvironmentError, SafeUpgradeError } from '../../src/errors.js';
import type { KubeObject } from '../../src/kube/types.js';

type Step = 'ready' | 'upgrading' | 'failed' | 'down' | 'bug';

function eksa(name: string, step: Exclude<Step, 'down' | 'bug'>): KubeObject {
  const ready = step === 'ready';
  return {
    apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1',
    kind: 'Cluster',
    metadata: { name, namespace: 'default', generation: 2 },
    spec: { kubernetesVersion: '1.32' },
    status: {
      observedGeneration: 2,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'RollingUpgradeInProgress', message: '1 of 3 machines upgraded' }) }],
      ...(step === 'failed' ? { failureMessage: 'machine w01-cp-x: VM clone failed' } : {}),
    },
  };
}

/** A world where each poll shows the next step per cluster (the last step repeats). */
function world(script: Record<string, Step[]>, overrides: Partial<ConfirmOptions> = {}) {
  let t = 1_000_000;
  let calls = 0;
  const sleeps: number[] = [];
  const seen: ConfirmResult[] = [];
  const options: ConfirmOptions = {
    targets: Object.keys(script).map((name) => ({ name, kubernetesVersion: '1.32', generation: 2 })),
    timeoutMs: 60_000,
    intervalMs: 1000,
    consecutive: 3,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    onPoll: (r) => seen.push(r),
    kubectl: {
      async listAll(kinds) {
        expect(kinds).toEqual(['clusters.v1alpha1.anywhere.eks.amazonaws.com']);
        const i = calls++;
        const steps = Object.entries(script).map(([name, s]) => [name, s[Math.min(i, s.length - 1)]!] as const);
        if (steps.some(([, s]) => s === 'down')) throw new EnvironmentError('the Kubernetes API did not answer: connection refused');
        if (steps.some(([, s]) => s === 'bug')) throw new TypeError('a bug');
        return steps.map(([name, s]) => eksa(name, s as Exclude<Step, 'down' | 'bug'>));
      },
    },
    ...overrides,
  };
  return { options, sleeps, seen, calls: () => calls };
}

describe('confirmUpgrade (injected clock)', () => {
  it('confirms after three consecutive ready polls, one listing per poll', async () => {
    const w = world({ w01: ['upgrading', 'upgrading', 'ready'] });
    const result = await confirmUpgrade(w.options);
    expect(result).toMatchObject({ confirmed: true, polls: 5, durationMs: 4000 });
    expect(w.calls()).toBe(5);
    expect(w.sleeps).toEqual([1000, 1000, 1000, 1000]);
    expect(result.clusters[0]).toMatchObject({ name: 'w01', ready: true, consecutiveReady: 3, generation: 2, observedGeneration: 2 });
    expect(w.seen.map((r) => r.clusters[0]!.consecutiveReady)).toEqual([0, 0, 1, 2, 3]);
  });

  it('starts the count again when Ready flaps', async () => {
    const w = world({ w01: ['ready', 'ready', 'upgrading', 'ready'] });
    expect((await confirmUpgrade(w.options)).polls).toBe(6);
  });

  it('treats an unanswered read as a poll without observation, resetting the count', async () => {
    const w = world({ w01: ['ready', 'ready', 'down', 'down', 'ready'] });
    const result = await confirmUpgrade(w.options);
    expect(result.polls).toBe(7);
    expect(w.seen[2]!.lastError).toMatch(/connection refused/);
    expect(result.lastError).toBeUndefined();
  });

  it('lets other errors through (they are bugs, not a slow cluster)', async () => {
    await expect(confirmUpgrade(world({ w01: ['upgrading', 'bug'] }).options)).rejects.toThrow(TypeError);
  });

  it('waits for every target: the management cluster and its changed workload clusters', async () => {
    const w = world({ mgmt: ['upgrading', 'ready'], w01: ['upgrading', 'upgrading', 'upgrading', 'ready'] });
    const result = await confirmUpgrade(w.options);
    expect(result.polls).toBe(6);
    expect(result.clusters.map((c) => [c.name, c.consecutiveReady])).toEqual([['mgmt', 5], ['w01', 3]]);
  });

  it('times out with NotConfirmed naming the cluster and what it waits for, with a last poll at the deadline', async () => {
    const w = world({ mgmt: ['ready'], w01: ['upgrading'] }, { timeoutMs: 2500 });
    const error = await confirmUpgrade(w.options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotConfirmedError);
    const nc = error as NotConfirmedError;
    expect(nc.exit).toBe('NotConfirmed');
    expect(nc.message).toBe('upgrade not confirmed within 3s: w01: Ready False (RollingUpgradeInProgress: 1 of 3 machines upgraded)');
    expect(nc.hint).toMatch(/--confirm-timeout/);
    expect(w.sleeps).toEqual([1000, 1000, 500]);
    expect(nc.result).toMatchObject({ confirmed: false, polls: 4, durationMs: 2500 });
    expect(nc.result.clusters.map((c) => c.name)).toEqual(['mgmt', 'w01']);
  });

  it('says how far a cluster got when it was ready but not long enough', async () => {
    const w = world({ w01: ['upgrading', 'upgrading', 'ready'] }, { timeoutMs: 3000 });
    await expect(confirmUpgrade(w.options)).rejects.toThrow('upgrade not confirmed within 3s: w01: Ready for 2 of 3 consecutive polls');
  });

  it('names the failed read when the API never answered', async () => {
    const w = world({ w01: ['down'] }, { timeoutMs: 1000 });
    await expect(confirmUpgrade(w.options)).rejects.toThrow(/w01: EKS-A Cluster w01 not found; the last read failed: the Kubernetes API did not answer: connection refused/);
  });

  it('has no limit without a timeout (--no-timeouts)', async () => {
    const w = world({ w01: [...Array<Step>(500).fill('upgrading'), 'ready'] }, { timeoutMs: undefined });
    const result = await confirmUpgrade(w.options);
    expect(result.polls).toBe(503);
    expect(result.durationMs).toBe(502_000);
  });

  it('ends early when a failureMessage stays for the grace period', async () => {
    const w = world({ w01: ['upgrading', 'failed'] }, { failureGraceMs: 5000 });
    const error = (await confirmUpgrade(w.options).catch((e: unknown) => e)) as NotConfirmedError;
    expect(error).toBeInstanceOf(NotConfirmedError);
    expect(error.message).toBe('failureMessage did not clear within 5s: w01: failureMessage machine w01-cp-x: VM clone failed; Ready False (RollingUpgradeInProgress: 1 of 3 machines upgraded)');
    expect(error.result.polls).toBe(7);
    expect(error.result.clusters[0]!.failureMessage).toBe('machine w01-cp-x: VM clone failed');
  });

  it('keeps waiting when a failureMessage clears within the grace period', async () => {
    const w = world({ w01: ['failed', 'failed', 'upgrading', 'failed', 'failed', 'ready'] }, { failureGraceMs: 2500 });
    expect((await confirmUpgrade(w.options)).confirmed).toBe(true);
  });

  it('stops with Interrupted when the signal aborts', async () => {
    const controller = new AbortController();
    const w = world({ w01: ['upgrading'] });
    const error = await confirmUpgrade({ ...w.options, signal: controller.signal, onPoll: (r) => r.polls === 2 && controller.abort() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafeUpgradeError);
    expect((error as SafeUpgradeError).exit).toBe('Interrupted');
  });

  it('wakes from the default sleep when aborted', async () => {
    const controller = new AbortController();
    const w = world({ w01: ['upgrading'] });
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const { sleep: _sleep, now: _now, ...real } = w.options;
    const error = await confirmUpgrade({ ...real, intervalMs: 60_000, signal: controller.signal }).catch((e: unknown) => e);
    expect((error as SafeUpgradeError).exit).toBe('Interrupted');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [10_000, '10s'],
    [60 * 60_000, '60m'],
    [95_000, '1m35s'],
  ])('%d → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
