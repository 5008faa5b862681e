import type { KubeObject } from './types.js';

/** EKS-A's pause switch on its Cluster object. */
export const EKSA_PAUSED_ANNOTATION = 'anywhere.eks.amazonaws.com/paused';

/** EKS-A's pause: only the value "true" counts (EKS-A `IsReconcilePaused`). */
export function isEksaPaused(eksa: KubeObject | undefined): boolean {
  return eksa?.metadata.annotations?.[EKSA_PAUSED_ANNOTATION] === 'true';
}
