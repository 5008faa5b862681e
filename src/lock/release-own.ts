import type { LeaseClient } from './lease-client.js';
import type { ReleaseOutcome } from './types.js';

/**
 * Delete the lease when `holder` holds it, only the version just read (a lease renewed or taken over in
 * between survives). Never throws: a lease left behind lapses by itself, and the note says so.
 */
export async function releaseIfHeldBy(
  client: LeaseClient,
  options: { readonly holder: string; readonly leaseSeconds: number; readonly warn: (line: string) => void; readonly why: string },
): Promise<ReleaseOutcome> {
  const skip = (note: string): ReleaseOutcome => {
    options.warn(`upgrade lock not released: ${note}`);
    return { released: false, note };
  };
  try {
    const current = await client.get(options.why);
    if (!current) return { released: false, note: 'the lease was already gone' };
    const holder = current.spec?.holderIdentity ?? '';
    if (holder !== options.holder) return skip(`it is held by ${holder || 'nobody'}`);
    const outcome = await client.deleteVersion(current.metadata.resourceVersion ?? '');
    if (outcome.status === 'ok' || outcome.status === 'skipped') return { released: outcome.status === 'ok' };
    if (outcome.status === 'NotFound') return { released: false, note: 'the lease was already gone' };
    return skip(`it changed while releasing (${outcome.message})`);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return skip(`${why}; it lapses ${options.leaseSeconds}s after its last renewal, or run again with --force-unlock`);
  }
}

/** Whether a process of this machine exists (signal 0 checks without signalling). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
