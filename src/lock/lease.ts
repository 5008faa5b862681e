import { hostname, userInfo } from 'node:os';
import type { KubeObject } from '../kube/types.js';

// The upgrade lock is a coordination.k8s.io/v1 Lease in the management cluster: the object every
// Kubernetes controller uses for leader election, so `kubectl get lease -n eksa-system` shows who holds it.
export const LEASE_NAME = 'eksa-safe-upgrade';
export const LEASE_NAMESPACE = 'eksa-system';
export const LEASE_API_VERSION = 'coordination.k8s.io/v1';
/** The `res.version.group` form: kubectl resolves it from a warm discovery cache without refetching. */
export const LEASES = 'leases.v1.coordination.k8s.io';
export const DEFAULT_LEASE_SECONDS = 300;

const PREFIX = 'eksa-safe-upgrade';
export const LEASE_ANNOTATIONS = {
  ciJobUrl: `${PREFIX}/ci-job-url`,
  cluster: `${PREFIX}/cluster`,
  toolVersion: `${PREFIX}/tool-version`,
  takenOverFrom: `${PREFIX}/taken-over-from`,
} as const;

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface LeaseObject extends KubeObject {
  spec?: LeaseSpec;
}

/** What goes into our lease besides the times. */
export interface LeaseIdentity {
  readonly holder: string;
  /** The cluster being upgraded. */
  readonly cluster: string;
  readonly toolVersion: string;
  readonly ciJobUrl: string | undefined;
  readonly leaseSeconds: number;
}

/** `<user>@<host> pid <pid>`: enough for an operator to find the run that holds the lock. */
export function holderIdentity(who: { user: string; host: string; pid: number }): string {
  return `${who.user}@${who.host} pid ${who.pid}`;
}

/** The holder identity of this process. */
export function currentHolderIdentity(env: NodeJS.ProcessEnv = process.env): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // Containers often run as a uid without a passwd entry.
    user = env.USER ?? env.LOGNAME ?? `uid${process.getuid?.() ?? '?'}`;
  }
  return holderIdentity({ user, host: hostname(), pid: process.pid });
}

/** The URL of the CI job running us (GitHub Actions, GitLab CI), from that CI's own variables. */
export function ciJobUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  if (server && repo && run) return `${server.replace(/\/+$/, '')}/${repo}/actions/runs/${run}`;
  if (env.CI_JOB_URL) return env.CI_JOB_URL;
  return undefined;
}

/** Kubernetes MicroTime (RFC 3339 with microseconds), the format of a Lease's acquire/renew times. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Milliseconds since the epoch of an RFC 3339 time with any number of fraction digits; undefined if unreadable. */
export function parseTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text.trim());
  if (!match) return undefined;
  const fraction = (match[2] ?? '').padEnd(3, '0').slice(0, 3);
  const ms = Date.parse(`${match[1]}.${fraction}${match[3]}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Our Lease as it is sent to the server. `resourceVersion` makes a replace conditional on the object
 * being unchanged since we read it (optimistic concurrency); a create carries none.
 */
export function buildLease(
  identity: LeaseIdentity,
  times: { acquireMs: number; renewMs: number },
  extra: { resourceVersion?: string; takenOverFrom?: string; transitions?: number } = {},
): LeaseObject {
  const annotations: Record<string, string> = {
    [LEASE_ANNOTATIONS.cluster]: identity.cluster,
    [LEASE_ANNOTATIONS.toolVersion]: identity.toolVersion,
  };
  if (identity.ciJobUrl) annotations[LEASE_ANNOTATIONS.ciJobUrl] = identity.ciJobUrl;
  if (extra.takenOverFrom) annotations[LEASE_ANNOTATIONS.takenOverFrom] = extra.takenOverFrom;
  return {
    apiVersion: LEASE_API_VERSION,
    kind: 'Lease',
    metadata: {
      name: LEASE_NAME,
      namespace: LEASE_NAMESPACE,
      annotations,
      ...(extra.resourceVersion === undefined ? {} : { resourceVersion: extra.resourceVersion }),
    },
    spec: {
      holderIdentity: identity.holder,
      leaseDurationSeconds: identity.leaseSeconds,
      acquireTime: microTime(times.acquireMs),
      renewTime: microTime(times.renewMs),
      ...(extra.transitions === undefined ? {} : { leaseTransitions: extra.transitions }),
    },
  };
}
