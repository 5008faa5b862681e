import { lstat, readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { replacePrivateFile } from '../backup/private-files.js';
import type { VerifyResult } from '../backup/verify-set.js';

/**
 * When a set was last verified, kept beside it as `<set>.verified.json`: inside the set it would be a file
 * the manifest does not list, which verification itself reports. Prune removes it with its set.
 */
export const verificationRecordSchema = z.object({
  verifiedAt: z.string(),
  ok: z.boolean(),
  problems: z.array(z.string()),
});
export type VerificationRecord = z.infer<typeof verificationRecordSchema>;

export function verificationRecordPath(setDir: string): string {
  return `${setDir}.verified.json`;
}

export async function readVerificationRecord(setDir: string): Promise<VerificationRecord | undefined> {
  try {
    // Only a regular file is a record: a symlink could make any file (or a FIFO) look like one.
    if (!(await lstat(verificationRecordPath(setDir))).isFile()) return undefined;
    return verificationRecordSchema.parse(JSON.parse(await readFile(verificationRecordPath(setDir), 'utf8')));
  } catch {
    return undefined; // absent or unreadable: the set counts as verified at creation only
  }
}

export async function writeVerificationRecord(setDir: string, result: VerifyResult, now: Date): Promise<VerificationRecord> {
  const record: VerificationRecord = { verifiedAt: now.toISOString(), ok: result.ok, problems: [...result.problems] };
  const file = verificationRecordPath(setDir);
  // Never through a symlink: one planted at `<set>.verified.json` is refused, not followed and chmodded.
  await replacePrivateFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

export async function removeVerificationRecord(setDir: string): Promise<void> {
  await rm(verificationRecordPath(setDir), { force: true });
}
