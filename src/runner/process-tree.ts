import { readFileSync, readdirSync } from 'node:fs';

/** One row of the process table: what signal forwarding needs. */
export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  /** Process group id. */
  readonly pgrp: number;
}

/** pid, ppid and process group from a Linux /proc/<pid>/stat line; undefined if it does not parse. */
export function parseProcStat(line: string): ProcessEntry | undefined {
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
  const open = line.indexOf(' (');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const [, ppid, pgrp] = line.slice(close + 2).split(' ');
  const entry = { pid: Number(line.slice(0, open)), ppid: Number(ppid), pgrp: Number(pgrp) };
  return Number.isInteger(entry.pid) && Number.isInteger(entry.ppid) && Number.isInteger(entry.pgrp) ? entry : undefined;
}

/**
 * The descendants of `root` that share its process group, deepest first: the processes a terminal Ctrl-C
 * would reach along with it. A descendant that made its own group (a daemon) is left alone, as the
 * terminal would leave it.
 */
export function descendantsInGroup(root: number, table: readonly ProcessEntry[]): number[] {
  const rootEntry = table.find((p) => p.pid === root);
  if (!rootEntry) return [];
  const children = new Map<number, ProcessEntry[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found: number[] = [];
  let level = [root];
  const seen = new Set(level);
  while (level.length > 0) {
    const next: number[] = [];
    for (const pid of level) {
      for (const child of children.get(pid) ?? []) {
        if (child.pgrp !== rootEntry.pgrp || seen.has(child.pid)) continue;
        seen.add(child.pid);
        next.push(child.pid);
      }
    }
    found.unshift(...next);
    level = next;
  }
  return found;
}

/** The process table from /proc; empty where there is none (macOS), so only the direct child is signalled. */
export function readProcessTable(): ProcessEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const table: ProcessEntry[] = [];
  for (const name of names) {
    try {
      const entry = parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (entry) table.push(entry);
    } catch {
      // The process ended while we listed: nothing to signal.
    }
  }
  return table;
}

/**
 * Send `signal` to `pid` and to its descendants in its process group, deepest first. `eksctl anywhere` runs
 * the `eksctl-anywhere` plugin as a child and does not forward signals to it, so a signal sent to eksctl
 * alone would leave the plugin upgrading on its own.
 */
export function signalProcessTree(pid: number, signal: NodeJS.Signals, table: readonly ProcessEntry[] = readProcessTable()): number[] {
  const targets = [...descendantsInGroup(pid, table), pid];
  const signalled: number[] = [];
  for (const target of targets) {
    try {
      process.kill(target, signal);
      signalled.push(target);
    } catch {
      // ESRCH: it exited in between.
    }
  }
  return signalled;
}
