// The processes the real etcd world starts, recorded by pid and stopped by pid: only a pid whose command
// line still names this world's directory is ever signalled, so a reused pid is left alone.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** @typedef {{ pid: number, kind: 'etcd' | 'sshd', name: string, signature: string }} TrackedProcess */

function statOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    return { state, ppid: Number(ppid), comm: stat.slice(stat.indexOf('(') + 1, close) };
  } catch {
    return undefined;
  }
}

/** Alive (not a zombie) and still the process we started: its command line holds `signature`. */
export function isOurs(proc) {
  const stat = statOf(proc.pid);
  if (!stat || stat.state === 'Z') return false;
  try {
    return readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').includes(proc.signature);
  } catch {
    return false;
  }
}

/** sshd's per-connection children (and theirs): ending the listener leaves sessions running. */
export function sessionPids(pid) {
  const all = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  const parents = new Map(all.map((p) => [p, statOf(p)]));
  const found = [];
  const walk = (parent) => {
    for (const [p, s] of parents) {
      if (s && s.ppid === parent && s.state !== 'Z') {
        found.push(p);
        walk(p);
      }
    }
  };
  walk(pid);
  return found;
}

const signal = (pid, sig) => {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
};

/**
 * SIGTERM, then SIGKILL after `graceMs` (an etcd leader whose peers are gone takes seconds to give up).
 * @param {TrackedProcess[]} procs
 */
export async function stopProcesses(procs, graceMs = 1000) {
  const ours = procs.filter(isOurs);
  for (const proc of ours) {
    if (proc.kind === 'sshd') for (const child of sessionPids(proc.pid)) signal(child, 'SIGKILL');
    signal(proc.pid, 'SIGTERM');
  }
  const deadline = Date.now() + graceMs;
  while (ours.some(isOurs) && Date.now() < deadline) await sleep(50);
  for (const proc of ours.filter(isOurs)) signal(proc.pid, 'SIGKILL');
  const killDeadline = Date.now() + 5000;
  while (ours.some(isOurs)) {
    if (Date.now() > killDeadline) throw new Error(`still running after SIGKILL: ${ours.filter(isOurs).map((p) => p.pid).join(', ')}`);
    await sleep(20);
  }
}

function listenOnce(host, port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

/**
 * `count` distinct ports free on every one of `hosts` (a port taken on one address may be free on another).
 * @returns {Promise<number[]>}
 */
export async function freePortsOn(hosts, count) {
  const ports = [];
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt > 50) throw new Error(`no port free on all of ${hosts.join(', ')}`);
    const port = await listenOnce(hosts[0], 0);
    if (port === undefined || ports.includes(port)) continue;
    const free = await Promise.all(hosts.slice(1).map((h) => listenOnce(h, port)));
    if (free.every((p) => p === port)) ports.push(port);
  }
  return ports;
}
