import { appendFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatDuration } from '../duration.js';
import { ExitCode, type ExitCodeName } from '../exit-codes.js';
import { pushesSchema } from './evidence-schema.js';
import { markdownText } from './markdown.js';

/** Version of the fleet record (`workloads`); bump on any incompatible change, with a new schema file beside the old. */
export const FLEET_EVIDENCE_SCHEMA_VERSION = 1 as const;
export const FLEET_EVIDENCE_SCHEMA_FILE = `schema/fleet-report.v${FLEET_EVIDENCE_SCHEMA_VERSION}.schema.json`;

const exitNames = Object.keys(ExitCode) as [ExitCodeName, ...ExitCodeName[]];
const clusterRecord = z.strictObject({
  name: z.string(),
  wave: z.number().int().nullable(),
  state: z.enum(['pending', 'skipped', 'awaiting', 'backing-up', 'upgrading', 'confirming', 'confirmed', 'failed', 'not-attempted']),
  exit: z.enum(exitNames).optional(),
  error: z.string().optional(),
  reason: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  durationMs: z.number().int().nonnegative().optional(),
  backup: z.string().optional(),
  restore: z.string().optional(),
  planSha256: z.string().optional(),
  pushes: pushesSchema.optional().describe('--push: the off-site copies of its backup set, made before its hand-off'),
});

export const fleetEvidenceSchema = z
  .strictObject({
    schemaVersion: z.literal(FLEET_EVIDENCE_SCHEMA_VERSION),
    command: z.literal('workloads'),
    toolVersion: z.string(),
    dryRun: z.boolean(),
    startedAt: z.string(),
    finishedAt: z.string(),
    exit: z.enum(exitNames),
    exitCode: z.number().int(),
    management: z.strictObject({ name: z.string(), eksaVersion: z.string().nullable() }).nullable(),
    targetEksaVersion: z.string().nullable(),
    options: z.strictObject({
      order: z.enum(['given', 'name', 'size']),
      canary: z.number().int(),
      waveSize: z.number().int(),
      parallel: z.number().int(),
      soakMs: z.number().int(),
      onFailure: z.enum(['stop', 'continue']),
      notAfter: z.string().nullable(),
    }),
    waves: z.array(z.strictObject({ index: z.number().int(), canary: z.boolean(), clusters: z.array(z.string()) })),
    clusters: z.array(clusterRecord),
    leftOut: z.array(z.strictObject({ name: z.string(), reason: z.string() })),
    notAttempted: z.array(z.string()),
    stopped: z.string().nullable(),
    error: z.strictObject({ message: z.string(), hint: z.string().optional() }).nullable(),
  })
  .meta({ title: 'eksa-safe-upgrade fleet record', description: 'One `workloads` run: its waves and every selected workload cluster with its outcome.' });

export type FleetEvidence = z.infer<typeof fleetEvidenceSchema>;

export function fleetEvidenceJsonSchemaText(): string {
  return `${JSON.stringify(z.toJSONSchema(fleetEvidenceSchema), null, 2)}\n`;
}

const cell = (text: string) => markdownText(text);

/** The GitHub step summary: clusters by wave with outcome and duration, and those not attempted named. */
export function renderFleetSummary(e: FleetEvidence): string {
  const outcome = e.exit === 'Success' ? (e.dryRun ? 'Dry run: nothing was changed' : 'Every selected workload cluster confirmed or already at the target') : `Stopped: ${e.exit} (exit ${e.exitCode})`;
  const out = [`## eksa-safe-upgrade workloads: ${cell(outcome)}`, ''];
  if (e.error) out.push(`> ${cell(e.error.message)}`, '');
  if (e.stopped) out.push(`> ${cell(e.stopped)}`, '');
  out.push('| Wave | Cluster | Outcome | Duration |', '|---|---|---|---|');
  for (const c of e.clusters) {
    const wave = c.wave === null ? '-' : String(c.wave) + (e.waves.find((w) => w.index === c.wave)?.canary ? ' (canary)' : '');
    const failedPushes = (c.pushes ?? []).filter((x) => !x.ok).length;
    const outcomeText = (c.state === 'failed' ? `**failed** (${c.exit ?? '?'})` : c.state) + (failedPushes > 0 ? `; ${failedPushes} off-site copy failed (--push-optional)` : '');
    out.push(`| ${wave} | ${cell(c.name)} | ${cell(outcomeText)} | ${c.durationMs === undefined ? '' : formatDuration(c.durationMs)} |`);
  }
  out.push('');
  if (e.notAttempted.length > 0) out.push(`Not attempted: ${e.notAttempted.map(cell).join(', ')}`, '');
  if (e.leftOut.length > 0) out.push(`Left out (no spec): ${e.leftOut.map((l) => cell(l.name)).join(', ')}`, '');
  return `${out.join('\n')}\n`;
}

export async function publishFleetSummary(e: FleetEvidence, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === '') return undefined;
  try {
    await appendFile(file, renderFleetSummary(e));
    return undefined;
  } catch (error) {
    return `could not append the GitHub step summary: ${(error as Error).message}`;
  }
}
