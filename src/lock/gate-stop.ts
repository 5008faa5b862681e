import type { SafeUpgradeError } from '../errors.js';
import { LockedError } from './errors.js';

/** A cluster the gate found paused, and which switch: the EKS-A annotation, the CAPI Cluster's pause. */
export interface PausedCluster {
  readonly cluster: string;
  readonly eksa: boolean;
  readonly capi: boolean;
}

function names(list: readonly string[]): string {
  return list.length === 1 ? `${list[0]} is` : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]} are`;
}

/**
 * Pure: what the gate's stop (not ready, a scope that stops, an interrupted backup) becomes once the upgrade
 * lock was read. `lock` is what reading it threw (undefined when it is free, lapsed, or could not be read).
 *
 * Another run that holds the lock works on the tree: its backup pauses the CAPI Clusters it copies (cluster-api
 * `cmd/clusterctl/client/cluster/mover.go` `toDirectory` → `setClusterPause`, resumed when it is done), its
 * upgrade pauses them and the EKS-A controller (aws/eks-anywhere `pkg/clustermanager/cluster_manager.go`
 * `PauseCAPIWorkloadClusters`, `PauseEKSAControllerReconcile`) and the clusters are not ready while it rolls.
 * The gate's "paused, find out who paused it and resume it" would then send the operator to unpause a tree in
 * the middle of another run's backup: the stop is the lock's (exit 6), naming the holder, and the paused
 * clusters are said to be that run's.
 *
 * A holder `recover` would release (a run of this machine that is gone with all it started) works on nothing:
 * what the tree shows is what it left behind, and the gate's own stop says how to put it back. So is a lapsed
 * or released lease (reading it throws nothing).
 */
export function lockedGateStop(lock: unknown, stop: SafeUpgradeError, paused: readonly PausedCluster[]): SafeUpgradeError {
  if (!(lock instanceof LockedError) || lock.holderGone) return stop;
  const pausedNames = paused.filter((p) => p.eksa || p.capi).map((p) => p.cluster);
  const what =
    pausedNames.length > 0
      ? `${names(pausedNames)} paused by that run (its backup's clusterctl move pauses the clusters it copies, its upgrade's eksctl the ones it upgrades) and resumed by it when it is done`
      : `that run is working on the tree, so the gate's verdict is of a tree in the middle of it (${stop.message})`;
  const wait = pausedNames.length > 0 ? `do not resume ${pausedNames.join(', ')} meanwhile; ` : '';
  return new LockedError(`${lock.message}: ${what}`, lock.holding, `${wait}${lock.hint ?? 'wait for that run to finish'}`, { cause: stop });
}
