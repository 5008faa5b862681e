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
  /** The set's latest `backups list --verify` (its `.verified.json`); absent: never verified since it was written. */
  readonly verification?: { readonly ok: boolean; readonly at: string } | undefined;
  /** The set's latest `drill` (its `.drill.json`); absent: never drilled. */
  readonly drill?: { readonly ok: boolean; readonly at: string } | undefined;
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
export function lastUpgradeOf(sets: readonly PruneCandidate[], now?: Date): Date | undefined {
  const marks = [
    ...sets.filter((s) => s.state === 'complete').map((s) => s.createdAt),
    ...sets.filter((s) => s.state !== 'unverifiable').map((s) => s.upgradedAt),
  ].filter((d): d is Date => d !== undefined && (now === undefined || d.getTime() <= now.getTime()));
  return marks.length === 0 ? undefined : new Date(Math.max(...marks.map((d) => d.getTime())));
}

/** Dated after `now`: a wrong clock where it was taken, or a hand-edited manifest. Never the newest, never removed automatically. */
const isFuture = (s: PruneCandidate, now: Date) => s.createdAt !== undefined && s.createdAt.getTime() > now.getTime();

/**
 * Good: complete, and its latest verification passed (or it was never verified since it was written, so its
 * complete manifest is all there is to go by). A complete set whose latest verification or drill failed is not good.
 */
export const isGoodSet = (s: PruneCandidate) => s.state === 'complete' && s.verification?.ok !== false && s.drill?.ok !== false;

function decideGroup(sets: readonly PruneCandidate[], policy: PrunePolicy): PruneDecision[] {
  const present = sets.filter((s) => !isFuture(s, policy.now));
  const good = present.filter(isGoodSet).sort(newestFirst);
  const failedVerification = present.filter((s) => s.state === 'complete' && !isGoodSet(s)).sort(newestFirst);
  const broken = present.filter((s) => s.state === 'failed' || s.state === 'partial').sort(newestFirst);
  // Keep places go to good sets first, then complete ones that failed verification, so broken ones are the first to go.
  const rank = new Map([...good, ...failedVerification, ...broken].map((s, i) => [s.id, i]));
  const newest = good[0];
  // A passed drill is the best evidence a set restores: the newest drilled set is kept too, whatever its age.
  const newestDrilled = good.find((s) => s.drill?.ok === true);
  const lastUpgrade = lastUpgradeOf(present, policy.now);
  return sets.map((s): PruneDecision => {
    const decision = (action: PruneDecision['action'], reasons: string[]) => ({ id: s.id, name: s.name, cluster: s.cluster, state: s.state, action, reasons });
    if (s.state === 'unverifiable') return decision('keep', ['unverifiable: never pruned automatically (it may be an EKS-A backup); remove it by hand']);
    if (!s.createdAt) return decision('keep', ['no creation time to judge its age by']);
    if (isFuture(s, policy.now)) {
      return decision('keep', [`dated in the future (${s.createdAt.toISOString()}): never counted as the newest set, never removed automatically; check the clock of the machine that took it`]);
    }
    const age = policy.now.getTime() - s.createdAt.getTime();
    const reasons: string[] = [];
    if (s === newest) reasons.push(`newest complete set of ${s.cluster}${s.verification ? ' whose latest verification passed' : ''}`);
    if (s === newestDrilled) reasons.push(`newest set of ${s.cluster} whose drill passed (${s.drill?.at})`);

    if (lastUpgrade && s !== newest && s.createdAt.getTime() >= lastUpgrade.getTime()) {
      reasons.push(`not older than the last upgrade of ${s.cluster} (${lastUpgrade.toISOString()})`);
    }
    if ((rank.get(s.id) ?? Infinity) < policy.keep) reasons.push(`one of the ${policy.keep} set(s) kept for ${s.cluster}`);
    if (age < policy.olderThanMs) reasons.push(`younger than ${formatDuration(policy.olderThanMs)} (${formatDuration(Math.max(0, age))} old)`);
    const note = [
      ...(s.state === 'complete' && s.verification?.ok === false ? [`its latest verification failed (${s.verification.at}): not counted as good`] : []),
      ...(s.state === 'complete' && s.drill?.ok === false ? [`its latest drill failed (${s.drill.at}): not counted as good`] : []),
    ];
    if (reasons.length > 0) return decision('keep', [...reasons, ...note]);
    return decision('remove', [`${s.state}, ${formatDuration(age)} old, beyond the ${policy.keep} set(s) kept for ${s.cluster}`, ...note]);
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
