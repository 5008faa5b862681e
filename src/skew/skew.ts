import type { Inventory } from '../kube/types.js';
import type { ClusterSpec } from '../spec/types.js';
import { eksaVersionViolations, managementOrderViolations } from './eksa-version.js';
import { kubernetesViolations } from './kubernetes.js';
import { eksaTarget } from './target.js';

export { eksaTarget, type EksaTarget } from './target.js';

export type SkewRule =
  | 'kubernetes-downgrade'
  | 'kubernetes-minor-step'
  | 'worker-kubernetes'
  | 'eksa-downgrade'
  | 'eksa-minor-step'
  | 'eksa-major'
  | 'management-behind-workload'
  | 'invalid-version';

export interface SkewViolation {
  readonly cluster: string;
  readonly rule: SkewRule;
  /** Says current → target and the fix. */
  readonly message: string;
}

export interface SkewInput {
  readonly spec: ClusterSpec;
  /**
   * The version eksctl moves to: eksctl's own (`eksaTarget`), since eksctl overwrites spec.eksaVersion
   * with it. When it differs from spec.eksaVersion, the eksaVersion messages say so.
   */
  readonly targetEksaVersion: string | undefined;
  readonly inventory: Inventory;
}

/**
 * Every version step the spec asks for that EKS Anywhere would refuse, checked before anything is
 * written so the refusal comes before the backup, not halfway through the upgrade. The current values
 * are the live EKS-A Cluster objects; a spec naming a cluster absent from the inventory is the caller's
 * to report, not a skew.
 */
export function checkSkew(input: SkewInput): SkewViolation[] {
  const { spec, targetEksaVersion, inventory } = input;
  const live = inventory.clusters.find((c) => c.name === spec.name)?.eksa;
  if (!live) return [];
  const note = eksaTarget(spec.eksaVersion, targetEksaVersion).note;
  const explained = (v: SkewViolation): SkewViolation => (note ? { ...v, message: `${v.message} (${note})` } : v);
  return [
    ...kubernetesViolations(spec, live),
    ...eksaVersionViolations(spec, targetEksaVersion, live).map(explained),
    ...managementOrderViolations(spec, targetEksaVersion, inventory).map(explained),
  ];
}

/** The skew step's title: the verdict, and the eksaVersion note when the spec's value is replaced. */
export function skewTitle(violations: readonly SkewViolation[], note: string | undefined): string {
  const verdict = violations.length === 0 ? 'Check version skew: allowed' : `Check version skew: ${violations.length} violation(s)`;
  return note ? `${verdict}; ${note}` : verdict;
}
