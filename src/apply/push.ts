import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE, manifestSchema, type PushEntry } from '../backup/manifest.js';
import { replacePrivateFile } from '../backup/private-files.js';
import { redactUrls } from '../command.js';
import { printable } from '../errors.js';
import { openStore } from '../offsite/open-store.js';
import { pushSet, type PushRecord } from '../offsite/push-set.js';
import { parseRemoteUrl } from '../offsite/remote-url.js';
import type { PushAction } from '../plan/types.js';
import type { ExecuteDeps } from './deps.js';

/** One push as the evidence records it: done, or failed (and only warned about with --push-optional). */
export type PushOutcome = (PushRecord & { readonly ok: true }) | { readonly ok: false; readonly url: string; readonly encrypted: boolean; readonly recipients: readonly string[]; readonly error: string };

/** A push as an evidence record (`cluster`'s and, per cluster, the fleet's) keeps it; credentials are refused in the URL, redacted anyway. */
export interface PushEvidence {
  readonly url: string;
  readonly ok: boolean;
  readonly reference?: string;
  readonly durationMs?: number;
  readonly encrypted: boolean;
  readonly recipients: string[];
  readonly error?: string;
}

export function pushEvidence(p: PushOutcome): PushEvidence {
  return p.ok
    ? { url: redactUrls(p.url), ok: true, reference: p.reference, durationMs: p.durationMs, encrypted: p.encrypted, recipients: [...p.recipients] }
    : { url: redactUrls(p.url), ok: false, encrypted: p.encrypted, recipients: [...p.recipients], error: redactUrls(p.error) };
}

/** Adds a push to the set's manifest.json (not in its own file list, so the set still verifies). */
async function recordInManifest(setDir: string, entry: PushEntry): Promise<void> {
  const file = path.join(setDir, MANIFEST_FILE);
  const raw = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  manifestSchema.parse(raw);
  const pushes = Array.isArray(raw.pushes) ? raw.pushes : [];
  await replacePrivateFile(file, `${JSON.stringify({ ...raw, pushes: [...pushes, entry] }, null, 2)}\n`);
}

/** `--push URL`: the verified set copied off-site; exit 7 on failure unless --push-optional (then a warning). */
export async function applyPush(action: PushAction, deps: Pick<ExecuteDeps, 'runner' | 'env' | 'toolVersion' | 'now' | 'warn' | 'signal'>, cwd: string): Promise<PushOutcome> {
  try {
    const store = await openStore(parseRemoteUrl(action.url, false), action.access, cwd, deps.env, deps.runner);
    const record = await pushSet({ setDir: action.setDir, store, recipients: action.recipients, toolVersion: deps.toolVersion, now: deps.now, signal: deps.signal });
    await recordInManifest(action.setDir, { url: record.url, reference: record.reference, at: deps.now().toISOString(), durationMs: record.durationMs, encrypted: record.encrypted, recipients: [...record.recipients] });
    return { ...record, ok: true };
  } catch (error) {
    // An interruption is not a failed copy that --push-optional lets pass: the run stops.
    if (!action.optional || deps.signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    deps.warn(`--push-optional: the copy to ${printable(action.url)} failed, going on: ${printable(message)}`);
    return { ok: false, url: action.url, encrypted: action.recipients.length > 0, recipients: [...action.recipients], error: message };
  }
}
