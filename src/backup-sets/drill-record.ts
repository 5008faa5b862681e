import { lstat, readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { manifestSchema } from '../backup/manifest.js';
import { replacePrivateFile } from '../backup/private-files.js';
import type { DrillResult } from '../drill/run-drill.js';

/**
 * The outcome of the last drill of a set, kept beside it as `<set>.drill.json` (inside the set it would be a
 * file the manifest does not list). Prune removes it with its set; a passed drill makes a set "good".
 */
export const drillRecordSchema = manifestSchema.shape.drill.unwrap();
export type DrillRecord = z.infer<typeof drillRecordSchema>;

export function drillRecordPath(setDir: string): string {
  return `${setDir}.drill.json`;
}

export async function readDrillRecord(setDir: string): Promise<DrillRecord | undefined> {
  try {
    // Only a regular file is a record: a symlink could make any file (or a FIFO) look like one.
    if (!(await lstat(drillRecordPath(setDir))).isFile()) return undefined;
    return drillRecordSchema.parse(JSON.parse(await readFile(drillRecordPath(setDir), 'utf8')));
  } catch {
    return undefined; // absent or unreadable: never drilled
  }
}

export async function writeDrillRecord(setDir: string, record: DrillRecord): Promise<void> {
  // Never through a symlink: one planted at `<set>.drill.json` is refused, not followed.
  await replacePrivateFile(drillRecordPath(setDir), `${JSON.stringify(record, null, 2)}\n`);
}

export async function removeDrillRecord(setDir: string): Promise<void> {
  await rm(drillRecordPath(setDir), { force: true });
}

/** The record written beside the set: the outcome, without the per-resource detail. */
export function toDrillRecord(now: Date, problems: readonly string[], result: DrillResult | undefined): DrillRecord {
  const snapshots = result?.snapshots ?? [];
  return {
    drilledAt: now.toISOString(),
    ok: problems.length === 0 && result !== undefined && result.ok,
    problems: [...problems, ...snapshots.flatMap((s) => s.problems.map((p) => `${s.cluster}: ${p}`))],
    snapshots: snapshots.map((s) => ({
      cluster: s.cluster,
      member: s.member,
      ok: s.ok,
      ...(s.revision === undefined ? {} : { revision: s.revision }),
      ...(s.totalKeys === undefined ? {} : { totalKeys: s.totalKeys }),
      ...(s.registryKeys === undefined ? {} : { registryKeys: s.registryKeys }),
      problems: s.problems,
    })),
  };
}
