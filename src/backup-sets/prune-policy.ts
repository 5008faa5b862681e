import type { SetState } from './backup-sets.js';
import { formatDuration } from '../duration.js';

export interface PruneCandidate {
  /** Unique among the candidates: the set's folder. */
  readonly id: string;
  readonly name: string;
  /** Sets compete within one group: one cluster in one management folder. */
  readonly group: string;
  readonly cluster: string;
  readonly state: SetState;
  readonly createdAt: Date | undefined;
  readonly upgradedAt: Date | undefined;
}

export interface PrunePolicy {
  /** How many sets each cluster keeps whatever their age; complete ones take the places first. */
  readonly keep: number;
  /** Only sets older than this may go. */
  readonly olderThanMs: number;
  readonly now: Date;
}

export interface PruneDecision {
  readonly id: string;
  readonly name: string;
  readonly cluster: string;
  readonly state: SetState;
  readonly action: 'remove' | 'keep';
  readonly reasons: readonly string[];
}

const time = (d: Date | undefined) => d?.getTime() ?? Number.NEGATIVE_INFINITY;
const newestFirst = (a: PruneCandidate, b: PruneCandidate) => time(b.createdAt) - time(a.createdAt) || a.id.localeCompare(b.id);

/**
 * The last upgrade of a cluster: the newest complete set marks it (a run takes a complete set right before it
 * upgrades), unless a manifest's `upgradedAt` names a later one.
 */
export function lastUpgradeOf(sets: readonly PruneCandidate[]): Date | undefined {
  const marks = [
    ...sets.filter((s) => s.state === 'complete').map((s) => s.createdAt),
    ...sets.filter((s) => s.state !== 'unverifiable').map((s) => s.upgradedAt),
  ].filter((d): d is Date => d !== undefined);
  return marks.length === 0 ? undefined : new Date(Math.max(...marks.map((d) => d.getTime())));
}

function decideGroup(sets: readonly PruneCandidate[], policy: PrunePolicy): PruneDecision[] {
  const complete = sets.filter((s) => s.state === 'complete').sort(newestFirst);
  const broken = sets.filter((s) => s.state === 'failed' || s.state === 'partial').sort(newestFirst);
  // Keep places go to complete sets first, so failed and partial ones are the first to go.
  const rank = new Map([...complete, ...broken].map((s, i) => [s.id, i]));
  const newest = complete[0];
  const lastUpgrade = lastUpgradeOf(sets);
  return sets.map((s): PruneDecision => {
    const decision = (action: PruneDecision['action'], reasons: string[]) => ({ id: s.id, name: s.name, cluster: s.cluster, state: s.state, action, reasons });
    if (s.state === 'unverifiable') return decision('keep', ['unverifiable: never pruned automatically (it may be an EKS-A backup); remove it by hand']);
    if (!s.createdAt) return decision('keep', ['no creation time to judge its age by']);
    const age = policy.now.getTime() - s.createdAt.getTime();
    const reasons: string[] = [];
    if (s === newest) reasons.push(`newest complete set of ${s.cluster}`);
    if (lastUpgrade && s !== newest && s.createdAt.getTime() >= lastUpgrade.getTime()) {
      reasons.push(`not older than the last upgrade of ${s.cluster} (${lastUpgrade.toISOString()})`);
    }
    if ((rank.get(s.id) ?? Infinity) < policy.keep) reasons.push(`one of the ${policy.keep} set(s) kept for ${s.cluster}`);
    if (age < policy.olderThanMs) reasons.push(`younger than ${formatDuration(policy.olderThanMs)} (${formatDuration(Math.max(0, age))} old)`);
    if (reasons.length > 0) return decision('keep', reasons);
    return decision('remove', [`${s.state}, ${formatDuration(age)} old, beyond the ${policy.keep} set(s) kept for ${s.cluster}`]);
  });
}

/**
 * Pure: what `backups prune` removes and keeps, with every reason. Removals come first, failed and partial
 * before complete, oldest first: the order they are removed in.
 */
export function planPrune(sets: readonly PruneCandidate[], policy: PrunePolicy): PruneDecision[] {
  if (!Number.isInteger(policy.keep) || policy.keep < 0) throw new RangeError(`keep must be a whole number >= 0, got ${policy.keep}`);
  const groups = new Map<string, PruneCandidate[]>();
  for (const s of sets) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  const created = new Map(sets.map((s) => [s.id, s.createdAt?.getTime() ?? 0]));
  const decisions = [...groups.values()].flatMap((g) => decideGroup(g, policy));
  const removeOrder = (a: PruneDecision, b: PruneDecision) =>
    Number(a.state === 'complete') - Number(b.state === 'complete') || (created.get(a.id) ?? 0) - (created.get(b.id) ?? 0);
  const keepOrder = (a: PruneDecision, b: PruneDecision) => a.cluster.localeCompare(b.cluster) || (created.get(b.id) ?? 0) - (created.get(a.id) ?? 0);
  return [...decisions.filter((d) => d.action === 'remove').sort(removeOrder), ...decisions.filter((d) => d.action === 'keep').sort(keepOrder)];
}
