import semver from 'semver';
import type { Inventory, KubeObject } from '../kube/types.js';
import { nonEmptyString } from '../readiness/conditions.js';
import type { ClusterSpec } from '../spec/types.js';
import type { SkewViolation } from './skew.js';

/** The version of EKS-A dev builds; the eksaVersion skew check lets it through (EKS-A cluster_webhook.go). */
export const DEV_EKSA_VERSION = 'v0.19.0-dev+latest';
/** The failureReason under which EKS-A allows an eksaVersion decrease (to recover from a bad version). */
export const EKSA_VERSION_INVALID_REASON = 'EksaVersionInvalid';

function liveEksaVersion(obj: KubeObject | undefined): string | undefined {
  return nonEmptyString(obj?.spec?.eksaVersion);
}

function isDevBuild(v: semver.SemVer): boolean {
  return v.prerelease.some((p) => typeof p === 'string' && p.startsWith('dev'));
}

/**
 * eksaVersion of one cluster, current → target (EKS-A `ValidateEksaVersionSkew`): skipped when either
 * side is absent, the current one is not semver, or the target is the dev build; the major must stay,
 * the minor may rise by one and may fall only when EKS-A itself marked the current version invalid.
 */
export function eksaVersionViolations(spec: ClusterSpec, target: string | undefined, live: KubeObject): SkewViolation[] {
  const currentText = liveEksaVersion(live);
  if (target === undefined || currentText === undefined || target === DEV_EKSA_VERSION) return [];
  const current = semver.parse(currentText);
  if (!current) return [];
  const violation = (rule: SkewViolation['rule'], message: string): SkewViolation[] => [{ cluster: spec.name, rule, message }];
  const wanted = semver.parse(target);
  if (!wanted) return violation('invalid-version', `eksaVersion "${target}" is not a semantic version like v0.22.0; fix spec.eksaVersion or use a released eksctl`);

  const step = `eksaVersion ${currentText} → ${target}`;
  const nextMinor = `v${current.major}.${current.minor + 1}.x`;
  if (wanted.major !== current.major) {
    return violation('eksa-major', `${step} changes the major version, which EKS Anywhere refuses; upgrade with an eksctl of major ${current.major}`);
  }
  const minors = wanted.minor - current.minor;
  if (minors > 1) {
    return violation('eksa-minor-step', `${step} skips a minor; EKS Anywhere upgrades one minor at a time: upgrade with eksctl ${nextMinor} first`);
  }
  if (minors < 0 && live.status?.failureReason !== EKSA_VERSION_INVALID_REASON) {
    return violation('eksa-downgrade', `${step} is a downgrade, which EKS Anywhere refuses; use eksctl v${current.major}.${current.minor}.x or ${nextMinor}`);
  }
  return [];
}

/**
 * A management cluster must never run an older eksaVersion than any of its workloads
 * (EKS-A `ValidateManagementEksaVersion`). A management target is held against every workload's
 * current version; a workload target against its management cluster's current version.
 * Dev builds of the management cluster are exempt, as in EKS-A.
 */
export function managementOrderViolations(spec: ClusterSpec, target: string | undefined, inventory: Inventory): SkewViolation[] {
  const wanted = target === undefined ? null : semver.parse(target);
  if (!wanted) return [];
  const out: SkewViolation[] = [];
  const from = liveEksaVersion(inventory.clusters.find((c) => c.name === spec.name)?.eksa) ?? '(unset)';
  if (spec.isManagement) {
    if (isDevBuild(wanted)) return [];
    for (const c of inventory.clusters) {
      if (c.name === spec.name) continue;
      const workloadText = liveEksaVersion(c.eksa);
      const workload = workloadText === undefined ? null : semver.parse(workloadText);
      if (workload && semver.lt(wanted, workload)) {
        out.push({
          cluster: spec.name,
          rule: 'management-behind-workload',
          message: `eksaVersion ${from} → ${target} would put management cluster ${spec.name} behind workload cluster ${c.name} at ${workloadText}; upgrade the management cluster to ${workloadText} or later`,
        });
      }
    }
    return out;
  }
  const management = inventory.clusters.find((c) => c.name === spec.managementClusterName);
  const managementText = liveEksaVersion(management?.eksa);
  const current = managementText === undefined ? null : semver.parse(managementText);
  if (current && !isDevBuild(current) && semver.gt(wanted, current)) {
    out.push({
      cluster: spec.name,
      rule: 'management-behind-workload',
      message: `eksaVersion ${from} → ${target} would put workload cluster ${spec.name} ahead of management cluster ${spec.managementClusterName} at ${managementText}; upgrade the management cluster first`,
    });
  }
  return out;
}
