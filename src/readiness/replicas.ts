import type { KubeObject } from '../kube/types.js';
import { shapeOf, statusField, type CapiShape } from './conditions.js';

/** The replica counts a rollout is judged by, under their name in either layout. */
export type ReplicaCount = 'ready' | 'available' | 'upToDate';

const ownField: Record<ReplicaCount, Record<CapiShape, string>> = {
  ready: { v1beta1: 'readyReplicas', v1beta2: 'readyReplicas' },
  available: { v1beta1: 'availableReplicas', v1beta2: 'availableReplicas' },
  upToDate: { v1beta1: 'updatedReplicas', v1beta2: 'upToDateReplicas' },
};

// The same count in the other contract: v1beta1 objects preview v1beta2 counts under status.v1beta2,
// v1beta2 objects keep the old ones under status.deprecated.v1beta1.
const otherField: Record<ReplicaCount, Record<CapiShape, string[]>> = {
  ready: { v1beta1: ['v1beta2', 'readyReplicas'], v1beta2: ['deprecated', 'v1beta1', 'readyReplicas'] },
  available: { v1beta1: ['v1beta2', 'availableReplicas'], v1beta2: ['deprecated', 'v1beta1', 'availableReplicas'] },
  upToDate: { v1beta1: ['v1beta2', 'upToDateReplicas'], v1beta2: ['deprecated', 'v1beta1', 'updatedReplicas'] },
};

function asCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * A replica count, the lower of the two contracts when both report it. The object's own field counts
 * as 0 when absent: v1beta1 omits zero counts, and a v1beta2 count not yet computed proves nothing.
 */
export function replicaCount(obj: KubeObject, which: ReplicaCount): number {
  const shape = shapeOf(obj);
  const own = asCount(statusField(obj, ownField[which][shape])) ?? 0;
  const other = asCount(statusField(obj, ...otherField[which][shape]));
  return other === undefined ? own : Math.min(own, other);
}

/** `status.replicas`: every machine the owner has right now, old and new (0 when absent). */
export function currentReplicas(obj: KubeObject): number {
  return asCount(statusField(obj, 'replicas')) ?? 0;
}

/** `spec.replicas`, when set. */
export function desiredReplicas(obj: KubeObject): number | undefined {
  return asCount(obj.spec?.replicas);
}
