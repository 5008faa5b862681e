import { setTimeout as delay } from 'node:timers/promises';
import { confirmUpgrade, interrupted, type ConfirmResult } from '../confirm/index.js';
import { EnvironmentError, SafeUpgradeError } from '../errors.js';
import { EKSA_CLUSTERS } from '../kube/kinds.js';
import type { KubeObject } from '../kube/types.js';
import type { PlanAction } from '../plan/types.js';
import type { ExecuteDeps } from './deps.js';

/**
 * Since EKS-A v0.18 the controller keeps upgrading after the CLI exits: the run is judged from the
 * cluster's own status, at a generation no older than the one eksctl just applied.
 */
export async function applyConfirm(action: Extract<PlanAction, { op: 'confirm' }>, deps: ExecuteDeps, onPoll?: (result: ConfirmResult) => void): Promise<ConfirmResult> {
  const started = Date.now();
  // The API may be restarting under the rollout: a failed read is retried like a poll, within the same time limit.
  let now: KubeObject | undefined;
  for (;;) {
    try {
      now = (await deps.kubectl.listAll([EKSA_CLUSTERS], 'read the generation eksctl applied')).find(
        (c) => c.metadata.name === action.cluster && (c.metadata.namespace ?? 'default') === action.namespace,
      );
      break;
    } catch (error) {
      if (!(error instanceof EnvironmentError)) throw error;
      if (action.timeoutMs !== undefined && Date.now() - started >= action.timeoutMs) {
        throw new SafeUpgradeError('NotConfirmed', `eksctl finished, but the upgrade could not be confirmed: ${error.message}`, {
          hint: 'watch `kubectl get clusters.anywhere.eks.amazonaws.com -A` until the cluster is Ready at the new version',
        });
      }
      await delay(action.intervalMs, undefined, { signal: deps.signal }).catch(() => {
        throw interrupted();
      });
    }
  }
  return confirmUpgrade({
    kubectl: deps.kubectl,
    targets: [
      {
        name: action.cluster,
        namespace: action.namespace,
        kubernetesVersion: action.kubernetesVersion,
        ...(action.eksaVersion !== undefined ? { eksaVersion: action.eksaVersion } : {}),
        ...(now?.metadata.generation !== undefined ? { generation: now.metadata.generation } : {}),
      },
    ],
    timeoutMs: action.timeoutMs === undefined ? undefined : Math.max(0, action.timeoutMs - (Date.now() - started)),
    // The message names --confirm-timeout as given, not what was left of it after the first read.
    ...(action.timeoutMs === undefined ? {} : { statedTimeoutMs: action.timeoutMs }),
    intervalMs: action.intervalMs,
    signal: deps.signal,
    ...(onPoll ? { onPoll } : {}),
  });
}
