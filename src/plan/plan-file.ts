import { createHash } from 'node:crypto';
import { z } from 'zod';
import { backupTimestamp } from '../backup/naming.js';
import { canonicalJson, type Fingerprint } from './fingerprint.js';
import { PLAN_SCHEMA_VERSION, type PlannedCommand, type UpgradePlan } from './types.js';

export const PLAN_SCHEMA_FILE = `schema/upgrade-plan.v${PLAN_SCHEMA_VERSION}.schema.json`;

const stamp = z.strictObject({
  kind: z.string(),
  apiVersion: z.string(),
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  resourceVersion: z.string(),
  generation: z.number().int().nullable(),
});
const command = z.looseObject({ argv: z.array(z.string()).min(1), kind: z.enum(['read', 'write', 'handoff']), why: z.string() });

/**
 * The plan file's outer shape, checked before anything else is read from it: version, command, the
 * fingerprint and the action list. The actions are the planner's own output, applied as they are.
 */
export const planFileSchema = z
  .looseObject({
    schemaVersion: z.literal(PLAN_SCHEMA_VERSION),
    command: z.enum(['cluster', 'management-components', 'backup']),
    cluster: z.looseObject({ name: z.string(), namespace: z.string(), role: z.enum(['management', 'workload']), managementCluster: z.string(), kubernetesVersion: z.string() }),
    scope: z.looseObject({ kind: z.enum(['whole-tree', 'management-only', 'workload']), clusters: z.array(z.string()), summary: z.string() }),
    actions: z.array(z.looseObject({ op: z.enum(['force-unlock', 'acquire-lock', 'backup', 'reuse-backup', 'push', 'recheck', 'renew-lock', 'handoff', 'confirm']) })),
    release: z.looseObject({ command }).optional(),
    fingerprint: z.strictObject({ objects: z.array(stamp), specSha256: z.string().regex(/^[0-9a-f]{64}$/), tools: z.record(z.string(), z.string()), flags: z.record(z.string(), z.unknown()) }),
  })
  .meta({ title: 'eksa-safe-upgrade upgrade plan', description: 'The ordered actions of one run and what they were planned against (--plan-out, --plan).' });

export function planJsonSchemaText(): string {
  return `${JSON.stringify(z.toJSONSchema(planFileSchema, { unrepresentable: 'any' }), null, 2)}\n`;
}

export type PlanParse = { readonly ok: true; readonly plan: UpgradePlan } | { readonly ok: false; readonly problem: string };

/** Parse a plan file's text; the problem names the first field that is off. */
export function parsePlanText(text: string, expected: PlannedCommand): PlanParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `it is not JSON (${(error as Error).message})` };
  }
  const result = planFileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, problem: `${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}` };
  }
  if (result.data.command !== expected) return { ok: false, problem: `it is a plan for \`${result.data.command}\`, not \`${expected}\`` };
  return { ok: true, plan: json as UpgradePlan };
}

export function planText(plan: UpgradePlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The plan's identity in the evidence record: the same plan always hashes the same, whatever its key order. */
export function planSha256(plan: UpgradePlan): string {
  return sha256(canonicalJson(plan));
}

export function fingerprintSha256(fingerprint: Fingerprint): string {
  return sha256(canonicalJson(fingerprint));
}

/**
 * A reviewed plan applied later names its backup set by when it is applied, not when it was planned:
 * every path under the planned set folder moves to the folder of `now`, and nothing else changes.
 */
export function redatePlan(plan: UpgradePlan, now: Date): UpgradePlan {
  const backup = plan.actions.find((a) => a.op === 'backup');
  if (!backup || backup.op !== 'backup') return plan;
  const from = backup.set.dir;
  const stampNow = backupTimestamp(now);
  const to = from.slice(0, from.length - backup.set.folderTimestamp.length) + stampNow;
  if (to === from) return plan;
  const move = (value: unknown): unknown => {
    if (typeof value === 'string') return value.split(from).join(to);
    if (Array.isArray(value)) return value.map(move);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, move(v)]));
    return value;
  };
  const moved = move(plan.actions) as UpgradePlan['actions'];
  return {
    ...plan,
    actions: moved.map((a) => (a.op === 'backup' ? { ...a, set: { ...a.set, name: a.set.name.replace(backup.set.folderTimestamp, stampNow), folderTimestamp: stampNow } } : a)),
  };
}
