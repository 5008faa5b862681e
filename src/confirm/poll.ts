import { setTimeout as delay } from 'node:timers/promises';
import { EnvironmentError, SafeUpgradeError } from '../errors.js';
import { EKSA_CLUSTERS } from '../kube/kinds.js';
import type { KubeObject } from '../kube/types.js';
import { judgeConfirmation, type ClusterObservation, type ConfirmTarget } from './judge.js';

export const DEFAULT_CONFIRM_INTERVAL_MS = 10_000;
/** Like the EKS-A CLI, one good poll is not enough: a summary condition can flap during a rollout. */
export const DEFAULT_CONSECUTIVE = 3;
/** The EKS-A CLI gives a failureMessage 10 minutes to clear before it calls the upgrade failed. */
export const DEFAULT_FAILURE_GRACE_MS = 10 * 60_000;

export interface ClusterConfirmation extends ClusterObservation {
  /** Polls in a row, up to the last, in which the cluster was ready. */
  readonly consecutiveReady: number;
}

export interface ConfirmResult {
  readonly confirmed: boolean;
  readonly clusters: readonly ClusterConfirmation[];
  readonly polls: number;
  readonly durationMs: number;
  /** The failure of the last read, when the API did not answer it. */
  readonly lastError?: string;
}

/** The upgrade did not show up as Ready in time; carries the last observation for the report. */
export class NotConfirmedError extends SafeUpgradeError {
  constructor(
    message: string,
    readonly result: ConfirmResult,
  ) {
    super('NotConfirmed', message, {
      hint:
        'the EKS-A controller may still be reconciling: watch `kubectl get clusters.anywhere.eks.amazonaws.com -A`; ' +
        'wait longer with --confirm-timeout (or --no-timeouts)',
    });
  }
}

/** The one kubectl read per poll: every EKS-A Cluster of the management cluster. */
export interface ClusterLister {
  listAll(kinds: readonly string[], why: string): Promise<KubeObject[]>;
}

export interface ConfirmOptions {
  readonly kubectl: ClusterLister;
  readonly targets: readonly ConfirmTarget[];
  /** `undefined`: no limit (`--no-timeouts`). */
  readonly timeoutMs: number | undefined;
  /** The limit as the operator set it (--confirm-timeout), named when it runs out; default: timeoutMs. */
  readonly statedTimeoutMs?: number;
  readonly intervalMs?: number;
  readonly consecutive?: number;
  /** A failureMessage present this long without a break ends the wait early. */
  readonly failureGraceMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly onPoll?: (result: ConfirmResult) => void;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
}

/** `w01: Ready False (…); w02: …`: every cluster not yet confirmed and what it waits for. */
export function describePending(result: ConfirmResult, consecutive: number): string {
  const parts = result.clusters
    .filter((c) => c.consecutiveReady < consecutive)
    .map((c) => `${c.name}: ${c.reason ?? `Ready for ${c.consecutiveReady} of ${consecutive} consecutive polls`}`);
  if (result.lastError) parts.push(`the last read failed: ${result.lastError}`);
  return parts.join('; ');
}

/**
 * What one poll saw, one line: `mgmt: Ready False, observed generation 2 of 3, Kubernetes 1.31`. The same
 * state gives the same line (no time in it), so a caller can print a line per change.
 */
export function describePoll(result: ConfirmResult, consecutive: number = DEFAULT_CONSECUTIVE): string {
  const parts = result.clusters.map((c) => {
    if (!c.found) return `${c.name}: not found`;
    const ready = c.conditions.find((x) => x.type === 'Ready');
    const fields = [
      `Ready ${ready?.status ?? 'missing'}${ready?.status !== 'True' && ready?.reason ? ` (${ready.reason})` : ''}`,
      `observed generation ${c.observedGeneration ?? 'unset'} of ${c.generation ?? 'unset'}`,
      `Kubernetes ${c.kubernetesVersion ?? 'unset'}`,
      ...(c.eksaVersion !== undefined ? [`EKS-A ${c.eksaVersion}`] : []),
      ...(c.failureMessage !== undefined ? [`failureMessage ${c.failureMessage}`] : []),
      ...(c.consecutiveReady > 0 ? [`ready ${Math.min(c.consecutiveReady, consecutive)} of ${consecutive} polls`] : []),
    ];
    return `${c.name}: ${fields.join(', ')}`;
  });
  if (result.lastError) parts.push(`the last read failed: ${result.lastError}`);
  return parts.join('; ');
}

/** Ctrl-C while waiting on the cluster: eksctl is done, the controller may not be. */
export function interrupted(): SafeUpgradeError {
  return new SafeUpgradeError('Interrupted', 'interrupted while confirming the upgrade', {
    hint: 'the upgrade may still be running in the EKS-A controller: check the Cluster conditions before acting',
  });
}

/**
 * After eksctl returns, poll the EKS-A Clusters (one kubectl read per poll) until every target has
 * been ready for `consecutive` polls in a row, or the time is up. A read that fails (the API server
 * restarting during a control-plane rollout) is a poll without an observation, not the end.
 */
export async function confirmUpgrade(options: ConfirmOptions): Promise<ConfirmResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const intervalMs = options.intervalMs ?? DEFAULT_CONFIRM_INTERVAL_MS;
  const consecutive = options.consecutive ?? DEFAULT_CONSECUTIVE;
  const failureGraceMs = options.failureGraceMs ?? DEFAULT_FAILURE_GRACE_MS;
  const started = now();
  const streak = new Map<string, number>();
  const failingSince = new Map<string, number>();
  let observations: ClusterObservation[] = judgeConfirmation([], options.targets);
  let polls = 0;
  let lastError: string | undefined;

  for (;;) {
    if (options.signal?.aborted) throw interrupted();
    polls += 1;
    const pollMs = now();
    try {
      const objects = await options.kubectl.listAll([EKSA_CLUSTERS], 'confirm the upgrade: read the EKS-A Clusters');
      observations = judgeConfirmation(objects, options.targets);
      lastError = undefined;
    } catch (error) {
      if (!(error instanceof EnvironmentError)) throw error;
      lastError = error.message;
    }
    for (const o of observations) {
      streak.set(o.name, lastError === undefined && o.ready ? (streak.get(o.name) ?? 0) + 1 : 0);
      if (o.failureMessage === undefined || lastError !== undefined) failingSince.delete(o.name);
      else if (!failingSince.has(o.name)) failingSince.set(o.name, pollMs);
    }
    const clusters = observations.map((o) => ({ ...o, consecutiveReady: streak.get(o.name) ?? 0 }));
    const elapsed = now() - started;
    const confirmed = clusters.every((c) => c.consecutiveReady >= consecutive);
    const result: ConfirmResult = { confirmed, clusters, polls, durationMs: elapsed, ...(lastError ? { lastError } : {}) };
    options.onPoll?.(result);
    if (confirmed) return result;

    const failing = [...failingSince].find(([, since]) => now() - since >= failureGraceMs);
    if (failing) {
      const pending = describePending(result, consecutive);
      throw new NotConfirmedError(`failureMessage did not clear within ${formatDuration(failureGraceMs)}: ${pending}`, result);
    }
    if (options.timeoutMs !== undefined && elapsed >= options.timeoutMs) {
      throw new NotConfirmedError(`upgrade not confirmed within ${formatDuration(options.statedTimeoutMs ?? options.timeoutMs)}: ${describePending(result, consecutive)}`, result);
    }
    const wait = options.timeoutMs === undefined ? intervalMs : Math.min(intervalMs, Math.max(0, options.timeoutMs - elapsed));
    try {
      await sleep(wait, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw interrupted();
      throw error;
    }
  }
}
