import type { KubeObject } from '../kube/types.js';
import { nonEmptyString } from '../readiness/conditions.js';
import type { ClusterSpec } from '../spec/types.js';
import type { SkewViolation } from './skew.js';

/** EKS-A `SupportedMinorVersionIncrement`: one Kubernetes minor per upgrade. */
export const KUBERNETES_MINOR_STEP = 1;
/** How far the control plane may run ahead of a worker node group (EKS-A worker skew rule). */
export const WORKER_MAX_MINORS_BEHIND = 2;

export interface KubeMinor {
  readonly major: number;
  readonly minor: number;
}

/** `1.31` (EKS-A's form; `v1.31` and `1.31.2` are read too) as major and minor; undefined when it is not one. */
export function parseKubernetesVersion(version: string | undefined): KubeMinor | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(version?.trim() ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

function show(v: KubeMinor): string {
  return `${v.major}.${v.minor}`;
}

/** Minors from `a` up to `b` (negative when b is older); a major change counts as out of range. */
function minorsBetween(a: KubeMinor, b: KubeMinor): number {
  if (a.major !== b.major) return (b.major - a.major) * 1000;
  return b.minor - a.minor;
}

/** One upgrade step of a version: a downgrade or a jump of more than one minor is refused. */
function stepProblem(current: KubeMinor, target: KubeMinor): 'downgrade' | 'too-far' | undefined {
  const step = minorsBetween(current, target);
  if (step < 0) return 'downgrade';
  if (step > KUBERNETES_MINOR_STEP) return 'too-far';
  return undefined;
}

function next(v: KubeMinor): string {
  return `${v.major}.${v.minor + 1}`;
}

/**
 * The control plane and every worker node group against their live values on the EKS-A Cluster `live`
 * (aws/eks-anywhere `pkg/api/v1alpha1/cluster_webhook.go`: `ValidateKubernetesVersionSkew`,
 * `ValidateWorkerKubernetesVersionSkew` → `performWorkerKubernetesValidations`,
 * `performWorkerKubernetesValidationsNewNodeGroup`, `validateRemoveWorkerKubernetesVersion`,
 * `validateCPWorkerKubeSkew`; `versionskew.go` `ValidateVersionSkew`). A new group is held only to the
 * control-plane skew (0..2 minors behind, same major).
 */
export function kubernetesViolations(spec: ClusterSpec, live: KubeObject): SkewViolation[] {
  const out: SkewViolation[] = [];
  const add = (rule: SkewViolation['rule'], message: string) => out.push({ cluster: spec.name, rule, message });

  const target = parseKubernetesVersion(spec.kubernetesVersion);
  if (!target) add('invalid-version', `kubernetesVersion "${spec.kubernetesVersion}" is not a Kubernetes version like "1.31"; fix spec.kubernetesVersion`);
  const liveText = nonEmptyString(live.spec?.kubernetesVersion);
  const current = parseKubernetesVersion(liveText);
  if (liveText !== undefined && !current) add('invalid-version', `the live cluster reports kubernetesVersion "${liveText}", which is not a Kubernetes version`);

  if (target && current) {
    const problem = stepProblem(current, target);
    if (problem === 'downgrade') {
      add('kubernetes-downgrade', `kubernetesVersion ${show(current)} → ${show(target)} is a downgrade, which EKS Anywhere refuses; keep "${show(current)}" or upgrade to "${next(current)}"`);
    } else if (problem === 'too-far') {
      add('kubernetes-minor-step', `kubernetesVersion ${show(current)} → ${show(target)} skips a minor; EKS Anywhere upgrades one minor at a time: upgrade to "${next(current)}" first`);
    }
  }

  const liveGroups = new Map<string, string | undefined>();
  for (const g of Array.isArray(live.spec?.workerNodeGroupConfigurations) ? live.spec.workerNodeGroupConfigurations : []) {
    if (typeof g?.name === 'string') liveGroups.set(g.name, nonEmptyString(g.kubernetesVersion));
  }
  for (const group of spec.workerGroups) {
    // A group without its own kubernetesVersion runs the control plane's.
    const groupTarget = parseKubernetesVersion(group.kubernetesVersion ?? spec.kubernetesVersion);
    if (!groupTarget) {
      if (group.kubernetesVersion !== undefined) {
        add('invalid-version', `worker node group ${group.name}: kubernetesVersion "${group.kubernetesVersion}" is not a Kubernetes version like "1.31"`);
      }
      continue;
    }
    const what = `worker node group ${group.name}`;
    // A group unpinned before and after simply follows the control plane, which is checked above.
    const followsControlPlane = group.kubernetesVersion === undefined && liveGroups.get(group.name) === undefined;
    // validateRemoveWorkerKubernetesVersion: a pinned version may only be removed while the control plane stays.
    const removesPin = group.kubernetesVersion === undefined && liveGroups.get(group.name) !== undefined;
    const cpUpgraded = target !== undefined && current !== undefined && minorsBetween(current, target) > 0;
    if (removesPin && cpUpgraded) {
      add(
        'worker-kubernetes',
        `${what}: removing its kubernetesVersion "${liveGroups.get(group.name)}" while the control plane moves ${show(current!)} → ${show(target!)} is refused by EKS Anywhere; keep the group's kubernetesVersion in this upgrade and remove it in a later one`,
      );
      continue;
    }
    if (liveGroups.has(group.name) && !followsControlPlane) {
      // performWorkerKubernetesValidations: pinned → pinned steps from the old pin; unpinned → pinned steps
      // from the old control-plane version; pinned → unpinned steps to the new control-plane version.
      const groupCurrent = parseKubernetesVersion(liveGroups.get(group.name) ?? liveText);
      const problem = groupCurrent && stepProblem(groupCurrent, groupTarget);
      if (groupCurrent && problem === 'downgrade') {
        add('worker-kubernetes', `${what}: kubernetesVersion ${show(groupCurrent)} → ${show(groupTarget)} is a downgrade; keep "${show(groupCurrent)}" or upgrade to "${next(groupCurrent)}"`);
      } else if (groupCurrent && problem === 'too-far') {
        add('worker-kubernetes', `${what}: kubernetesVersion ${show(groupCurrent)} → ${show(groupTarget)} skips a minor; upgrade it to "${next(groupCurrent)}" first`);
      }
    }
    if (target) {
      const behind = minorsBetween(groupTarget, target);
      if (behind < 0) {
        add('worker-kubernetes', `${what}: kubernetesVersion ${show(groupTarget)} is newer than the control plane's ${show(target)}; set it to "${show(target)}" or lower`);
      } else if (behind > WORKER_MAX_MINORS_BEHIND) {
        const lowest = `${target.major}.${target.minor - WORKER_MAX_MINORS_BEHIND}`;
        add('worker-kubernetes', `${what}: kubernetesVersion ${show(groupTarget)} is more than ${WORKER_MAX_MINORS_BEHIND} minors behind the control plane's ${show(target)}; upgrade the group to "${lowest}" or later first`);
      }
    }
  }
  return out;
}
