import { EKSA_CLUSTERS, CAPI_CLUSTERS } from '../kube/kinds.js';
import { EKSA_PAUSED_ANNOTATION, isEksaPaused } from '../kube/pause.js';
import type { ClusterObjects, KubeObject } from '../kube/types.js';
import { write, type Command } from '../command.js';

/** Both pause switches of one cluster, as recorded before anything ran. */
export interface PauseState {
  readonly cluster: string;
  readonly eksaNamespace: string;
  readonly capiNamespace: string;
  readonly eksa: boolean;
  readonly capi: boolean;
}

export function pauseStateOf(eksa: KubeObject | undefined, capi: KubeObject | undefined, name: string): PauseState {
  return {
    cluster: name,
    eksaNamespace: eksa?.metadata.namespace ?? 'default',
    capiNamespace: capi?.metadata.namespace ?? 'eksa-system',
    eksa: isEksaPaused(eksa),
    capi: capi?.spec?.paused === true,
  };
}

export function recordPauseState(clusters: readonly ClusterObjects[]): PauseState[] {
  return clusters.map((c) => pauseStateOf(c.eksa, c.capi, c.name));
}

export interface PauseRestoreAction {
  readonly cluster: string;
  readonly what: 'eksa-annotation' | 'capi-spec-paused';
  readonly before: boolean;
  readonly after: boolean;
  readonly command: Command;
}

/**
 * The writes that put every cluster back exactly as recorded: clusterctl pauses and unpauses the
 * Clusters it moves, leaves them paused when it fails half-way (cluster-api#7407), and before v1.12
 * unpaused ones that were paused on purpose (cluster-api#12742).
 */
export function planPauseRestore(recorded: readonly PauseState[], current: readonly PauseState[], kubectl: (args: string[]) => string[]): PauseRestoreAction[] {
  const now = new Map(current.map((s) => [s.cluster, s]));
  const actions: PauseRestoreAction[] = [];
  for (const before of recorded) {
    const after = now.get(before.cluster);
    if (!after) continue;
    if (after.capi !== before.capi) {
      const patch = JSON.stringify({ spec: { paused: before.capi ? true : null } });
      actions.push({
        cluster: before.cluster,
        what: 'capi-spec-paused',
        before: before.capi,
        after: after.capi,
        command: write(kubectl(['patch', CAPI_CLUSTERS, before.cluster, '-n', before.capiNamespace, '--type=merge', '-p', patch]), `${before.capi ? 'pause' : 'unpause'} CAPI Cluster ${before.cluster} as it was before the backup`),
      });
    }
    if (after.eksa !== before.eksa) {
      const annotation = before.eksa ? `${EKSA_PAUSED_ANNOTATION}=true` : `${EKSA_PAUSED_ANNOTATION}-`;
      actions.push({
        cluster: before.cluster,
        what: 'eksa-annotation',
        before: before.eksa,
        after: after.eksa,
        command: write(kubectl(['annotate', EKSA_CLUSTERS, before.cluster, '-n', before.eksaNamespace, annotation, '--overwrite']), `restore the EKS-A paused annotation of ${before.cluster}`),
      });
    }
  }
  return actions;
}
