import { describe, expect, it } from 'vitest';
import { read, write } from '../../src/command.js';
import { clusterPlanInFleet, liveState, managementBehind, orderCandidates, planFleet, planWaves, type FleetEntry, type FleetOptions } from '../../src/plan/fleet.js';
import { planUpgrade } from '../../src/plan/plan-upgrade.js';
import type { KubeObject } from '../../src/kube/types.js';
import { facts, options } from './fixtures.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `w${String(i + 1).padStart(2, '0')}`);

describe('planWaves: canary alone first, then waves of --wave-size', () => {
  it.each([
    { n: 5, canary: 1, waveSize: 2, waves: [['w01'], ['w02', 'w03'], ['w04', 'w05']] },
    { n: 5, canary: 0, waveSize: 2, waves: [['w01', 'w02'], ['w03', 'w04'], ['w05']] },
    { n: 5, canary: 2, waveSize: 10, waves: [['w01', 'w02'], ['w03', 'w04', 'w05']] },
    { n: 1, canary: 1, waveSize: 3, waves: [['w01']] },
    { n: 2, canary: 5, waveSize: 3, waves: [['w01', 'w02']] },
    { n: 0, canary: 1, waveSize: 3, waves: [] },
    { n: 7, canary: 1, waveSize: 1, waves: [['w01'], ['w02'], ['w03'], ['w04'], ['w05'], ['w06'], ['w07']] },
  ])('$n clusters, canary $canary, wave size $waveSize', ({ n, canary, waveSize, waves }) => {
    const planned = planWaves(names(n), { canary, waveSize });
    expect(planned.map((w) => w.clusters)).toEqual(waves);
    expect(planned.map((w) => w.index)).toEqual(waves.map((_, i) => i));
    expect(planned.map((w) => w.canary)).toEqual(waves.map((_, i) => i === 0 && canary > 0));
    // Every cluster exactly once, in order.
    expect(planned.flatMap((w) => w.clusters)).toEqual(names(n));
  });

  it('refuses a wave size below 1 and a negative canary (the CLI checks them first)', () => {
    expect(() => planWaves(names(3), { canary: 1, waveSize: 0 })).toThrow(/wave size/);
    expect(() => planWaves(names(3), { canary: -1, waveSize: 1 })).toThrow(/canary/);
  });
});

describe('orderCandidates', () => {
  const given = [
    { name: 'w03', specFile: 'w03.yaml', machines: 4 },
    { name: 'w01', specFile: 'w01.yaml', machines: 9 },
    { name: 'w02', specFile: 'w02.yaml', machines: 4 },
  ];
  it.each([
    ['given', ['w03', 'w01', 'w02']],
    ['name', ['w01', 'w02', 'w03']],
    // smallest first; equal sizes by name
    ['size', ['w02', 'w03', 'w01']],
  ] as const)('--order %s', (order, expected) => {
    expect(orderCandidates(given, order).map((c) => c.name)).toEqual(expected);
    expect(given.map((c) => c.name)).toEqual(['w03', 'w01', 'w02']);
  });
});

describe('managementBehind: the management cluster must be at the target first', () => {
  it.each([
    ['v0.23.0', 'v0.23.0', false],
    ['v0.24.0', 'v0.23.0', false],
    ['v0.22.0', 'v0.23.0', true],
    [undefined, 'v0.23.0', true],
    ['v0.22.0', undefined, false],
  ] as const)('management %s, target %s: behind %s', (mgmt, target, behind) => {
    expect(managementBehind(mgmt, target) !== undefined).toBe(behind);
  });
});

describe('liveState: judged from the live EKS-A Cluster', () => {
  const cluster = (spec: Record<string, unknown>, generation: number, observed: number, ready: boolean): KubeObject => ({
    apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'w01', generation },
    spec,
    status: { observedGeneration: observed, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const want = { kubernetesVersion: '1.32', eksaVersion: 'v0.23.0' };
  it.each([
    ['older versions', cluster({ kubernetesVersion: '1.31', eksaVersion: 'v0.22.0' }, 1, 1, true), 'to-upgrade'],
    ['only Kubernetes at target', cluster({ kubernetesVersion: '1.32', eksaVersion: 'v0.22.0' }, 2, 2, true), 'to-upgrade'],
    ['at target and Ready at its generation', cluster({ kubernetesVersion: '1.32', eksaVersion: 'v0.23.0' }, 2, 2, true), 'at-target'],
    ['at target, generation ahead of observed', cluster({ kubernetesVersion: '1.32', eksaVersion: 'v0.23.0' }, 3, 2, true), 'in-flight'],
    ['at target, not Ready (rolling)', cluster({ kubernetesVersion: '1.32', eksaVersion: 'v0.23.0' }, 2, 2, false), 'in-flight'],
    ['not found', undefined, 'to-upgrade'],
  ] as const)('%s', (_name, eksa, state) => {
    expect(liveState(eksa, want)).toBe(state);
  });
});

describe('planFleet', () => {
  const base = planUpgrade(facts(), options());
  const fleetOptions: FleetOptions = { order: 'size', canary: 1, waveSize: 2, parallel: 1, soakMs: 0, onFailure: 'stop', notAfter: undefined };
  const lock = {
    acquire: base.actions.find((a) => a.op === 'acquire-lock') as Extract<(typeof base.actions)[number], { op: 'acquire-lock' }>,
    forceUnlock: undefined,
    release: base.release!.command,
  };
  const state = { namespace: 'eksa-system', name: 'eksa-safe-upgrade-fleet', command: write(['kubectl', 'apply', '-f', '-'], 'record the fleet state') };
  const upgrade = (name: string): FleetEntry => ({ name, specFile: `${name}.yaml`, kind: 'upgrade', plan: clusterPlanInFleet(base) });
  const confirm = base.actions.find((a) => a.op === 'confirm') as Extract<(typeof base.actions)[number], { op: 'confirm' }>;

  it('waves only the clusters to upgrade, ordered; skipped and awaited ones stay out of the waves', () => {
    const plan = planFleet(
      {
        management: { name: 'mgmt', eksaVersion: 'v0.23.0' },
        targetEksaVersion: 'v0.23.0',
        entries: [upgrade('w01'), { name: 'w02', specFile: 'w02.yaml', kind: 'skip', reason: 'already at target' }, upgrade('w03'), upgrade('w04'), { name: 'w05', specFile: 'w05.yaml', kind: 'await', confirm }],
        machines: { w01: 6, w03: 2, w04: 4 },
        leftOut: [{ name: 'w09', reason: 'no spec file' }],
        lock,
        state,
      },
      fleetOptions,
    );
    expect(plan.waves.map((w) => w.clusters)).toEqual([['w03'], ['w04', 'w01']]);
    expect(plan.entries.map((e) => `${e.name}:${e.kind}`)).toEqual(['w01:upgrade', 'w02:skip', 'w03:upgrade', 'w04:upgrade', 'w05:await']);
    expect(plan.lock).toBe(lock);
    expect(plan.leftOut).toEqual([{ name: 'w09', reason: 'no spec file' }]);
  });

  it('takes no lock when every cluster is already at the target', () => {
    const plan = planFleet({ management: { name: 'mgmt', eksaVersion: 'v0.23.0' }, targetEksaVersion: 'v0.23.0', entries: [{ name: 'w01', specFile: 'a', kind: 'skip', reason: 'at target' }], machines: {}, leftOut: [], lock, state }, fleetOptions);
    expect(plan.waves).toEqual([]);
    expect(plan.lock).toBeUndefined();
  });

  it("a cluster's plan inside the fleet neither takes nor releases a lock of its own", () => {
    const inFleet = clusterPlanInFleet(base);
    expect(inFleet.actions.map((a) => a.op)).toEqual(['backup', 'recheck', 'renew-lock', 'handoff', 'confirm']);
    expect(inFleet.release).toBeUndefined();
    expect(base.actions.map((a) => a.op)[0]).toBe('acquire-lock');
    expect(read(['x'], 'y').kind).toBe('read');
  });
});
