import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { PARTIAL_SUFFIX } from '../backup/naming.js';
import { PAUSE_STATE_FILE, parsePauseStateRecord, type PauseState, type PauseStateRecord } from '../backup/pause-state.js';

/** A `.partial` set left by a run that did not finish (killed during the move), with the pause state it recorded. */
export interface InterruptedSet {
  readonly dir: string;
  readonly record: PauseStateRecord;
}

/** A cluster whose pause switches differ now from what an interrupted run recorded before its move. */
export interface PauseDrift {
  readonly cluster: string;
  readonly recorded: PauseState;
  readonly now: { readonly eksa: boolean; readonly capi: boolean };
}

/** Whether the process that wrote the record still runs here: its set is being written, not left behind. */
function stillRunning(record: PauseStateRecord): boolean {
  if (record.hostname !== hostname() || !Number.isInteger(record.pid) || record.pid <= 0 || record.pid === process.pid) return false;
  try {
    process.kill(record.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The `.partial` sets of a management folder whose pause-state.json names `managementCluster` (any, when unset) and that
 * no live run on this host is still writing, newest first. A folder that cannot be read is left out.
 */
export async function findInterruptedSets(managementFolder: string, managementCluster?: string): Promise<InterruptedSet[]> {
  let names: string[];
  try {
    names = await readdir(managementFolder);
  } catch {
    return [];
  }
  const found: InterruptedSet[] = [];
  for (const name of names.filter((n) => n.endsWith(PARTIAL_SUFFIX)).sort().reverse()) {
    const dir = path.join(managementFolder, name);
    const text = await readFile(path.join(dir, PAUSE_STATE_FILE), 'utf8').catch(() => undefined);
    const record = text === undefined ? undefined : parsePauseStateRecord(text);
    if (!record || (managementCluster !== undefined && record.managementCluster !== managementCluster) || record.recovered || stillRunning(record)) continue;
    found.push({ dir, record });
  }
  return found;
}

/** The clusters that differ now from the record (only clusters that still exist). */
export function pauseDrift(record: PauseStateRecord, current: readonly PauseState[]): PauseDrift[] {
  const now = new Map(current.map((c) => [c.cluster, c]));
  return record.clusters.flatMap((recorded) => {
    const c = now.get(recorded.cluster);
    return c && (c.eksa !== recorded.eksa || c.capi !== recorded.capi) ? [{ cluster: recorded.cluster, recorded, now: { eksa: c.eksa, capi: c.capi } }] : [];
  });
}

export function describeDrift(d: PauseDrift): string {
  const what = (s: { eksa: boolean; capi: boolean }) => `EKS-A ${s.eksa ? 'paused' : 'unpaused'}, CAPI ${s.capi ? 'paused' : 'unpaused'}`;
  return `${d.cluster}: ${what(d.now)} now, ${what(d.recorded)} before`;
}
