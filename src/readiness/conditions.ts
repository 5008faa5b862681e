import type { KubeObject } from '../kube/types.js';

/**
 * CAPI serves the same kinds in two status layouts. v1beta1 keeps old-style conditions in
 * `status.conditions` and previews the new ones under `status.v1beta2`; v1beta2 keeps metav1
 * conditions in `status.conditions` and the old ones under `status.deprecated.v1beta1`.
 */
export type CapiShape = 'v1beta1' | 'v1beta2';

/** A condition in either contract; v1beta1 ones carry `severity`, metav1 ones `observedGeneration`. */
export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly severity?: string;
}

export type ConditionState = 'True' | 'False' | 'Unknown' | 'missing';

export function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `obj.status` followed along `path`; undefined when any step is missing. */
export function statusField(obj: KubeObject | undefined, ...path: string[]): unknown {
  let cursor: unknown = obj?.status;
  for (const key of path) {
    if (!isRecord(cursor)) return undefined;
    cursor = cursor[key];
  }
  return cursor;
}

/**
 * The layout of `obj`, read from the data. The back-compat blocks are the surest sign (each only exists
 * in one layout); then the apiVersion; then fields only one layout has. Objects with neither (EKS-A's
 * v1alpha1, EtcdadmCluster) use the v1beta1 condition layout.
 */
export function shapeOf(obj: KubeObject): CapiShape {
  const status = obj.status ?? {};
  if (isRecord(status.deprecated)) return 'v1beta2';
  if (isRecord(status.v1beta2)) return 'v1beta1';
  if (obj.apiVersion.endsWith('/v1beta2')) return 'v1beta2';
  if (obj.apiVersion.endsWith('/v1beta1')) return 'v1beta1';
  if (isRecord(status.initialization) || 'upToDateReplicas' in status) return 'v1beta2';
  return 'v1beta1';
}

function asConditions(raw: unknown): Condition[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter((c): c is Condition => isRecord(c) && typeof c.type === 'string' && typeof c.status === 'string');
}

/**
 * The conditions of `obj` that follow `contract`, wherever the object's layout keeps them;
 * without a contract, the object's own `status.conditions`.
 */
export function conditionsOf(obj: KubeObject, contract?: CapiShape): Condition[] {
  const shape = shapeOf(obj);
  if (contract === undefined || contract === shape) return asConditions(statusField(obj, 'conditions'));
  return shape === 'v1beta2'
    ? asConditions(statusField(obj, 'deprecated', 'v1beta1', 'conditions'))
    : asConditions(statusField(obj, 'v1beta2', 'conditions'));
}

export function findCondition(obj: KubeObject, type: string, contract?: CapiShape): Condition | undefined {
  return conditionsOf(obj, contract).find((c) => c.type === type);
}

export function isTrue(condition: Condition | undefined): boolean {
  return condition?.status === 'True';
}

export function conditionState(condition: Condition | undefined): ConditionState {
  if (condition === undefined) return 'missing';
  return condition.status === 'True' || condition.status === 'False' ? condition.status : 'Unknown';
}

/** A non-empty string as is; anything else (including '') as undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `Ready=False (ScalingUp: 1 of 3 …)`, or `Ready condition missing`. */
export function describeCondition(type: string, condition: Condition | undefined): string {
  if (condition === undefined) return `${type} condition missing`;
  const detail = [condition.reason, condition.message].filter((s) => typeof s === 'string' && s.trim() !== '').join(': ');
  return `${type}=${conditionState(condition)}${detail === '' ? '' : ` (${oneLine(detail)})`}`;
}

/** Appends the description of condition `type` to `problems` unless it is True. */
export function conditionProblem(obj: KubeObject, type: string, problems: string[]): void {
  const condition = findCondition(obj, type);
  if (!isTrue(condition)) problems.push(describeCondition(type, condition));
}

/** `phase Running`, or `phase unset` when status.phase is missing or empty. */
export function describePhase(phase: unknown): string {
  return `phase ${nonEmptyString(phase) ?? 'unset'}`;
}

export interface Failure {
  readonly reason: string | undefined;
  readonly message: string | undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** `failureReason`/`failureMessage` from the top of status (v1beta1, EKS-A) or from `deprecated.v1beta1` (v1beta2). */
export function failureOf(obj: KubeObject): Failure | undefined {
  const reason = nonEmpty(statusField(obj, 'failureReason')) ?? nonEmpty(statusField(obj, 'deprecated', 'v1beta1', 'failureReason'));
  const message = nonEmpty(statusField(obj, 'failureMessage')) ?? nonEmpty(statusField(obj, 'deprecated', 'v1beta1', 'failureMessage'));
  return reason === undefined && message === undefined ? undefined : { reason, message };
}

export function describeFailure(failure: Failure): string {
  const parts = [failure.reason && `failureReason ${failure.reason}`, failure.message && `failureMessage ${oneLine(failure.message)}`];
  return parts.filter(Boolean).join(', ');
}

/**
 * `observedGeneration` when it is not the object's generation. EKS-A trusts a status only when the two are
 * equal and compares with `!=` (aws/eks-anywhere `pkg/controller/clusters/status.go`
 * `updateControlPlaneReadyCondition`, `updateWorkersReadyCondition`; `controlplane.go` `etcdadmClusterReady`
 * uses `==`), so a status ahead of the spec is as untrusted as one behind it. A status with no
 * observedGeneration at all has never been reconciled, which is just as stale.
 */
export function generationLag(obj: KubeObject): { generation: number; observed: number | undefined } | undefined {
  const generation = obj.metadata.generation;
  if (typeof generation !== 'number') return undefined;
  const observed = statusField(obj, 'observedGeneration');
  if (typeof observed === 'number' && observed === generation) return undefined;
  return { generation, observed: typeof observed === 'number' ? observed : undefined };
}

export function describeGenerationLag(lag: { generation: number; observed: number | undefined }): string {
  if (lag.observed === undefined) return `status.observedGeneration unset, generation ${lag.generation}`;
  const where = lag.observed > lag.generation ? 'ahead of' : 'behind';
  return `status.observedGeneration ${lag.observed} ${where} generation ${lag.generation}`;
}

/** Condition messages can span lines (aggregated errors); reasons are one line each. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}
