// The bundled scenarios (sim/scenarios) judged from their own objects: every rule of the README's rules table
// has a scenario that shows it (rules 4–7 here; 1–3 and 8 are spec scenarios, see test/sim/eksctl-spec-checks
// and test/e2e). The stale-Ready ones keep EKS-A's Ready=True: the verdict comes from the CAPI objects (rule 6,
// controllers/cluster_controller.go SetupWithManager watches no CAPI kind).
import { describe, expect, it } from 'vitest';
import { assembleInventory } from '../../src/kube/inventory.js';
import type { KubeObject } from '../../src/kube/types.js';
import { judgeTree } from '../../src/readiness/verdict.js';
import { loadScenario } from '../../sim/index.js';

const verdicts = (name: string) => {
  const s = loadScenario(name, { seed: 'verdicts', now: Date.parse('2026-01-15T12:00:00Z') });
  return judgeTree(assembleInventory(s.objects as unknown as KubeObject[], s.management, 0));
};

describe('bundled scenarios: the verdict of each cluster', () => {
  it.each<[scenario: string, rule: string, w02: string[], eksaReady?: boolean]>([
    ['unready-etcd-not-ready', '4: status.go updateConditionsForEtcdAndControlPlane, controlplane.go etcdadmClusterReady', ['etcd-not-ready']],
    ['unready-control-plane-not-ready', '4: status.go updateControlPlaneReadyCondition', ['control-plane-not-ready']],
    ['stale-ready-components-unhealthy', '4 and 6: ControlPlaneComponentsHealthy False under a stale Ready=True', ['control-plane-not-ready'], true],
    ['unready-workers-rolling-out', '5: status.go updateWorkersReadyCondition', ['workers-rolling-out']],
    ['stale-ready-workers-count', '5 and 6: the group count above the MachineDeployment under a stale Ready=True', ['workers-rolling-out'], true],
    ['unready-paused', '7: pkg/validations/cluster.go ValidatePauseAnnotation', ['paused']],
    ['paused-capi-only', '7: clusterctl mover.go checkClustersNotPaused (a deliberate difference)', ['paused'], true],
  ])('%s (rule %s): w02 %j', (scenario, _rule, codes, eksaReady) => {
    const all = verdicts(scenario);
    const w02 = all.find((v) => v.name === 'w02')!;
    expect(w02.ready).toBe(false);
    expect([...new Set(w02.reasons.map((r) => r.code))]).toEqual(codes);
    // Every other cluster stays ready: the scenario breaks w02 alone.
    expect(all.filter((v) => v.name !== 'w02' && !v.ready)).toEqual([]);
    if (eksaReady) {
      const s = loadScenario(scenario, { seed: 'verdicts' });
      const eksa = s.objects.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('anywhere.') && o.metadata.name === 'w02')!;
      expect(eksa.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
    }
  });

  it.each(['healthy', 'mixed-providers', 'tinkerbell-stacked', 'v1beta1-shape', 'added-machine', 'spec-etcd-count-one'])('%s: every cluster ready', (scenario) => {
    const all = verdicts(scenario);
    expect(all.length).toBeGreaterThan(1);
    expect(all.filter((v) => !v.ready).map((v) => `${v.name}: ${v.reasons.map((r) => r.code).join(', ')}`)).toEqual([]);
  });
});
