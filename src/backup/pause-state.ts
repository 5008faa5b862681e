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

/** In a set being written: each cluster's pause switches as recorded before the move (what `recover` puts back). */
export const PAUSE_STATE_FILE = 'pause-state.json';

export interface PauseStateRecord {
  readonly schemaVersion: 1;
  readonly managementCluster: string;
  /** UTC instant the record was written (just before the move). */
  readonly recordedAt: string;
  /** The run that wrote it: a live process with this pid on this host is still at work. */
  readonly pid: number;
  readonly hostname: string;
  readonly clusters: readonly PauseState[];
  /** Set by `recover` once it put the pause state back. */
  readonly recovered?: { readonly at: string; readonly actions: readonly { readonly cluster: string; readonly what: string; readonly before: boolean; readonly after: boolean }[] };
}

/** Reads a pause-state.json, or undefined when it is not one (a hand-edited or cut-off file is not trusted). */
export function parsePauseStateRecord(text: string): PauseStateRecord | undefined {
  let value: any;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || value.schemaVersion !== 1 || typeof value.managementCluster !== 'string' || !Array.isArray(value.clusters)) return undefined;
  const clusters: PauseState[] = [];
  for (const c of value.clusters) {
    if (!c || typeof c.cluster !== 'string' || typeof c.eksaNamespace !== 'string' || typeof c.capiNamespace !== 'string' || typeof c.eksa !== 'boolean' || typeof c.capi !== 'boolean') return undefined;
    clusters.push({ cluster: c.cluster, eksaNamespace: c.eksaNamespace, capiNamespace: c.capiNamespace, eksa: c.eksa, capi: c.capi });
  }
  return {
    schemaVersion: 1,
    managementCluster: value.managementCluster,
    recordedAt: String(value.recordedAt ?? ''),
    pid: Number(value.pid ?? 0),
    hostname: String(value.hostname ?? ''),
    clusters,
    ...(value.recovered ? { recovered: value.recovered } : {}),
  };
}
