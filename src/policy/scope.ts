import { EKSA_SYSTEM_NAMESPACE, reason } from '../readiness/reason.js';
import type { ClusterVerdict, Reason } from '../readiness/verdict.js';
import type { ClusterSpec } from '../spec/types.js';

/** `--on-unready`: what to do when workload clusters of a management upgrade are not ready. */
export type OnUnready = 'fallback' | 'fail';

export interface LeftOut {
  readonly cluster: string;
  readonly reasons: readonly Reason[];
}

export type ScopeDecision =
  | { readonly kind: 'whole-tree'; readonly clusters: string[]; readonly summary: string }
  | { readonly kind: 'management-only'; readonly clusters: [string]; readonly leftOut: LeftOut[]; readonly summary: string }
  | { readonly kind: 'workload'; readonly clusters: [string]; readonly summary: string }
  | { readonly kind: 'stop'; readonly blocking: LeftOut[]; readonly summary: string; readonly hint: string };

export type ScopeSpec = Pick<ClusterSpec, 'name' | 'isManagement' | 'managementClusterName'>;

/**
 * The clusters the gate judges: the whole tree for a management spec; for a workload spec the
 * workload and its management cluster (management first), since other workloads play no part.
 */
export function gateVerdicts(verdicts: readonly ClusterVerdict[], spec: ScopeSpec): ClusterVerdict[] {
  if (spec.isManagement) return [...verdicts];
  return [spec.managementClusterName, spec.name].flatMap((name) => verdicts.filter((v) => v.name === name));
}

function leftOut(v: ClusterVerdict): LeftOut {
  return { cluster: v.name, reasons: v.reasons };
}

// A cluster the spec names but the inventory does not hold blocks like any other unready cluster.
function absent(name: string): LeftOut {
  return { cluster: name, reasons: [reason('eksa-not-ready', `EKS-A Cluster ${name}`, 'not found in the management tree')] };
}

function names(list: readonly LeftOut[]): string {
  const n = list.map((l) => l.cluster);
  return n.length === 1 ? `${n[0]} is` : `${n.slice(0, -1).join(', ')} and ${n[n.length - 1]} are`;
}

function details(list: readonly LeftOut[]): string {
  return list.flatMap((l) => l.reasons.map((r) => `${r.code}: ${r.message}`)).join('; ');
}

/**
 * What a paused cluster needs. The pause is somebody's deliberate act (or a failed upgrade's leftover),
 * so the tool will not lift it; and a backup cannot be made around it: clusterctl 1.12 and later refuse
 * to back up a paused Cluster, and older ones silently unpause it.
 */
export function pausedHint(v: ClusterVerdict): string {
  const resume: string[] = [];
  if (v.paused.eksa) {
    resume.push(`kubectl annotate clusters.anywhere.eks.amazonaws.com ${v.name} -n ${v.namespace} anywhere.eks.amazonaws.com/paused-`);
  }
  if (v.paused.capi) {
    resume.push(`kubectl patch clusters.cluster.x-k8s.io ${v.name} -n ${EKSA_SYSTEM_NAMESPACE} --type merge -p '{"spec":{"paused":null}}'`);
    resume.push(`kubectl annotate clusters.cluster.x-k8s.io ${v.name} -n ${EKSA_SYSTEM_NAMESPACE} cluster.x-k8s.io/paused-`);
  }
  return (
    `${v.name} is paused: clusterctl 1.12 and later refuse to back up a paused Cluster, and older versions silently unpause it. ` +
    `Find out who paused it and why; once that work is finished, resume it (${resume.join('; ')}) and run again.`
  );
}

/**
 * Paused clusters get their own message; `advice` follows when something else is wrong too, and
 * `whenOnlyPaused` (if any) when the pause is the whole story.
 */
function stopHint(blocking: readonly ClusterVerdict[], advice: string, whenOnlyPaused?: string): string {
  const paused = blocking.filter((v) => v.paused.eksa || v.paused.capi).map(pausedHint);
  const otherCauses = blocking.some((v) => v.reasons.some((r) => r.code !== 'paused'));
  const tail = otherCauses || paused.length === 0 ? advice : whenOnlyPaused;
  return [...paused, ...(tail === undefined ? [] : [tail])].join(' ');
}

function decideForManagement(gated: ClusterVerdict[], spec: ScopeSpec, onUnready: OnUnready): ScopeDecision {
  const management = gated.find((v) => v.name === spec.name);
  const unreadyWorkloads = gated.filter((v) => v.name !== spec.name && !v.ready);
  if (!management) {
    const blocking = [absent(spec.name), ...unreadyWorkloads.map(leftOut)];
    return {
      kind: 'stop',
      blocking,
      summary: `stop: management cluster ${spec.name} is not in the inventory`,
      hint: `check that --kubeconfig points at the management cluster ${spec.name} named by the spec`,
    };
  }
  if (!management.ready) {
    const blocking = [leftOut(management), ...unreadyWorkloads.map(leftOut)];
    return {
      kind: 'stop',
      blocking,
      summary: `stop: management cluster ${management.name} is not ready (${details([leftOut(management)])})`,
      hint: stopHint(
        [management],
        `Fix what the reasons name on ${management.name} and run again: a management cluster that is not ready is neither backed up nor upgraded (--on-unready only lets workload clusters be left out).`,
      ),
    };
  }
  if (unreadyWorkloads.length === 0) {
    return { kind: 'whole-tree', clusters: gated.map((v) => v.name), summary: `whole tree: all ${gated.length} clusters are ready` };
  }
  const left = unreadyWorkloads.map(leftOut);
  if (onUnready === 'fallback') {
    return {
      kind: 'management-only',
      clusters: [management.name],
      leftOut: left,
      summary: `management only, because ${names(left)} not ready (${details(left)})`,
    };
  }
  return {
    kind: 'stop',
    blocking: left,
    summary: `stop: ${names(left)} not ready (${details(left)}) and --on-unready=fail`,
    hint: stopHint(
      unreadyWorkloads,
      `Fix the clusters named and run again, or pass --on-unready=fallback to back up the management cluster only and record why the others were left out.`,
      `Or pass --on-unready=fallback to back up the management cluster only and record why the others were left out.`,
    ),
  };
}

function decideForWorkload(gated: ClusterVerdict[], spec: ScopeSpec): ScopeDecision {
  const workload = gated.find((v) => v.name === spec.name);
  const management = gated.find((v) => v.name === spec.managementClusterName);
  const blocking: LeftOut[] = [];
  if (!management) blocking.push(absent(spec.managementClusterName));
  else if (!management.ready) blocking.push(leftOut(management));
  if (!workload) blocking.push(absent(spec.name));
  else if (!workload.ready) blocking.push(leftOut(workload));
  if (blocking.length === 0) {
    return {
      kind: 'workload',
      clusters: [spec.name],
      summary: `workload ${spec.name}: it and its management cluster ${spec.managementClusterName} are ready`,
    };
  }
  const unready = [management, workload].filter((v): v is ClusterVerdict => v !== undefined && !v.ready);
  return {
    kind: 'stop',
    blocking,
    summary: `stop: ${names(blocking)} not ready (${details(blocking)})`,
    hint: stopHint(
      unready,
      `Fix what the reasons name and run again: a workload upgrade needs the workload and its management cluster ${spec.managementClusterName} ready (--on-unready does not apply: the cluster being upgraded is always backed up).`,
    ),
  };
}

/**
 * The backup scope, from the verdicts of the clusters the gate judges. Only unready workload clusters
 * of a management upgrade can be left out, and only when the operator asked for it (`fallback`);
 * the cluster being upgraded and the management cluster are never left out.
 */
export function decideScope(input: { verdicts: readonly ClusterVerdict[]; spec: ScopeSpec; onUnready: OnUnready }): ScopeDecision {
  const gated = gateVerdicts(input.verdicts, input.spec);
  return input.spec.isManagement ? decideForManagement(gated, input.spec, input.onUnready) : decideForWorkload(gated, input.spec);
}
