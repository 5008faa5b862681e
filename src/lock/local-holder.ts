import { readdir, readFile } from 'node:fs/promises';

/**
 * The variable the hand-off sets in eksctl's environment: the lock holder it runs under. eksctl runs in a session
 * of its own and outlives us when we are killed (SIGKILL, the OOM killer); this is how a later run of this machine
 * knows that the upgrade of a run that is gone still goes on.
 */
export const HOLDER_ENV = 'EKSA_SAFE_UPGRADE_LOCK_HOLDER';

/** What became of the run of this machine named by a lease's holder. */
export type LocalHolder =
  /** The holder is not a run of this machine (or not our identity format): nothing can be known here. */
  | { readonly state: 'elsewhere' }
  | { readonly state: 'alive'; readonly pid: number }
  /** Its process and every process it handed off to are gone: its lease binds nobody. */
  | { readonly state: 'gone'; readonly pid: number }
  /** Its process is gone, but a command it handed off to (eksctl) still runs: the upgrade goes on without it. */
  | { readonly state: 'orphaned'; readonly pid: number; readonly survivors: readonly number[] };

/** Pure: `user@host pid N` judged with what this machine says of pid N and of the processes carrying the holder. */
export function judgeLocalHolder(holder: string, host: string, alive: (pid: number) => boolean, survivors: readonly number[]): LocalHolder {
  const m = /^(.+)@(.+) pid (\d+)$/.exec(holder);
  if (!m || m[2] !== host) return { state: 'elsewhere' };
  const pid = Number(m[3]);
  if (alive(pid)) return { state: 'alive', pid };
  return survivors.length > 0 ? { state: 'orphaned', pid, survivors } : { state: 'gone', pid };
}

/** Whether an environment block (NUL-separated, as /proc/<pid>/environ) carries `HOLDER_ENV=holder`. */
export function carriesHolder(environ: Buffer, holder: string): boolean {
  const entry = `${HOLDER_ENV}=${holder}`;
  return environ.toString('utf8').split('\0').includes(entry);
}

/**
 * The pids of this machine whose environment carries `holder` (Linux /proc; processes of other users are not
 * readable and not counted). None where there is no /proc.
 */
export async function processesCarrying(holder: string, procRoot = '/proc'): Promise<number[]> {
  const entries = await readdir(procRoot).catch(() => [] as string[]);
  const found: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const environ = await readFile(`${procRoot}/${name}/environ`).catch(() => undefined);
    if (environ && carriesHolder(environ, holder)) found.push(Number(name));
  }
  return found;
}
