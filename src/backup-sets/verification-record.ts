import { readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { privateFile } from '../backup/private-files.js';
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
    return verificationRecordSchema.parse(JSON.parse(await readFile(verificationRecordPath(setDir), 'utf8')));
  } catch {
    return undefined; // absent or unreadable: the set counts as verified at creation only
  }
}

export async function writeVerificationRecord(setDir: string, result: VerifyResult, now: Date): Promise<VerificationRecord> {
  const record: VerificationRecord = { verifiedAt: now.toISOString(), ok: result.ok, problems: [...result.problems] };
  const file = verificationRecordPath(setDir);
  await privateFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

export async function removeVerificationRecord(setDir: string): Promise<void> {
  await rm(verificationRecordPath(setDir), { force: true });
}
