import { lstat, readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { replacePrivateFile } from '../backup/private-files.js';

/**
 * The outcome of the last drill of a set, kept beside it as `<set>.drill.json` (inside the set it would be a
 * file the manifest does not list). Prune removes it with its set; a passed drill makes a set "good".
 */
export const drillRecordSchema = z.object({
  drilledAt: z.string(),
  ok: z.boolean(),
  problems: z.array(z.string()),
  snapshots: z.array(
    z.object({
      cluster: z.string(),
      member: z.string(),
      ok: z.boolean(),
      revision: z.number().optional(),
      totalKeys: z.number().optional(),
      registryKeys: z.number().optional(),
      problems: z.array(z.string()),
    }),
  ),
});
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
