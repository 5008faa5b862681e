import type { KubeObject } from '../kube/types.js';
import { conditionState, conditionsOf, failureOf, findCondition, isTrue, oneLine, type Condition } from '../readiness/conditions.js';

/** One EKS-A Cluster the upgrade must leave Ready at the target versions. */
export interface ConfirmTarget {
  readonly name: string;
  /** Namespace of the EKS-A Cluster; any namespace when absent. */
  readonly namespace?: string;
  readonly kubernetesVersion: string;
  readonly eksaVersion?: string;
  /**
   * `metadata.generation` seen right after the hand-off: the controller must have reconciled at least
   * that spec, not just an older one it finished before eksctl applied ours.
   */
  readonly generation?: number;
}

/** What one poll saw of one cluster. `ready` means every criterion held in this poll. */
export interface ClusterObservation {
  readonly name: string;
  readonly found: boolean;
  readonly ready: boolean;
  readonly generation: number | undefined;
  readonly observedGeneration: number | undefined;
  readonly kubernetesVersion: string | undefined;
  readonly eksaVersion: string | undefined;
  readonly conditions: readonly Condition[];
  readonly failureMessage: string | undefined;
  /** What it still waits for, one line; absent when ready. */
  readonly reason?: string;
}

const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `Ready False (RollingUpgradeInProgress: 1 of 3 machines upgraded)`, `Ready missing`. */
export function describeReady(condition: Condition | undefined): string {
  const state = conditionState(condition);
  const detail = [condition?.reason, condition?.message].filter((s) => typeof s === 'string' && s.trim() !== '').join(': ');
  return `Ready ${state}${detail === '' ? '' : ` (${oneLine(detail)})`}`;
}

function observe(obj: KubeObject | undefined, target: ConfirmTarget): ClusterObservation {
  if (!obj) {
    return {
      name: target.name, found: false, ready: false, generation: undefined, observedGeneration: undefined,
      kubernetesVersion: undefined, eksaVersion: undefined, conditions: [], failureMessage: undefined,
      reason: `EKS-A Cluster ${target.namespace ? `${target.namespace}/` : ''}${target.name} not found`,
    };
  }
  const generation = asNumber(obj.metadata.generation);
  const observedGeneration = asNumber(obj.status?.observedGeneration);
  const kubernetesVersion = asString(obj.spec?.kubernetesVersion);
  const eksaVersion = asString(obj.spec?.eksaVersion);
  const failure = failureOf(obj);
  const ready = findCondition(obj, 'Ready');

  // In the order the EKS-A CLI waits: failure cleared, the latest spec observed, then Ready.
  const waiting: string[] = [];
  if (failure) waiting.push(`failureMessage ${oneLine(failure.message ?? failure.reason ?? '')}`);
  if (observedGeneration === undefined) waiting.push('status.observedGeneration unset');
  else if (generation !== undefined && observedGeneration < generation) {
    waiting.push(`observedGeneration ${observedGeneration} behind generation ${generation}`);
  } else if (target.generation !== undefined && observedGeneration < target.generation) {
    waiting.push(`observedGeneration ${observedGeneration} behind generation ${target.generation} of the upgrade`);
  }
  if (kubernetesVersion !== target.kubernetesVersion) waiting.push(`kubernetesVersion ${kubernetesVersion ?? 'unset'}, want ${target.kubernetesVersion}`);
  if (target.eksaVersion !== undefined && eksaVersion !== target.eksaVersion) {
    waiting.push(`eksaVersion ${eksaVersion ?? 'unset'}, want ${target.eksaVersion}`);
  }
  if (!isTrue(ready)) waiting.push(describeReady(ready));

  return {
    name: target.name,
    found: true,
    ready: waiting.length === 0,
    generation,
    observedGeneration,
    kubernetesVersion,
    eksaVersion,
    conditions: conditionsOf(obj).map(({ type, status, reason, message }) => ({ type, status, reason, message })),
    failureMessage: failure ? (failure.message ?? failure.reason) : undefined,
    ...(waiting.length === 0 ? {} : { reason: waiting.join('; ') }),
  };
}

/**
 * Per target, whether this one listing of EKS-A Clusters shows it upgraded and Ready. Pure: the
 * poller calls it once per poll and counts consecutive ready polls itself.
 */
export function judgeConfirmation(objects: readonly KubeObject[], targets: readonly ConfirmTarget[]): ClusterObservation[] {
  const clusters = objects.filter((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('anywhere.eks.amazonaws.com/'));
  return targets.map((target) =>
    observe(
      clusters.find((c) => c.metadata.name === target.name && (target.namespace === undefined || c.metadata.namespace === target.namespace)),
      target,
    ),
  );
}
