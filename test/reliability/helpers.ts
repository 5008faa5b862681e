// Shared machinery of the reliability suite: run the built CLI as a real process while the test strikes
// (signals, faults switched on at a chosen moment), then read what the run left behind in the world:
// exit code and message, backup sets, pause state, the lock, stray processes, leaked secrets.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { ExitCode, type ExitCodeName } from '../../src/exit-codes.js';
import { binPath, readJournal, repoRoot } from '../helpers/run-bin.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import type { Sim } from '../helpers/sim.js';

export const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
export const NO_ETCD = ['--skip-etcd-backup', '--reason', 'reliability cells without etcd; etcd cells run against real etcd'];
export const LEASE = { namespace: 'eksa-system', name: 'eksa-safe-upgrade' } as const;

/**
 * The world most of the suite runs in: the healthy scenario cut down to a management cluster (external
 * etcd) and one stacked workload cluster, and a quick eksctl. Every code path of the healthy tree, at a
 * fraction of the objects each clusterctl, kubectl and eksctl call must carry.
 */
export const SMALL_CLUSTERS = [
  { name: 'mgmt', os: 'ubuntu', etcd: 'external', controlPlane: 1, etcdCount: 1, workers: [{ name: 'md-0', count: 1 }] },
  { name: 'w01', os: 'ubuntu', etcd: 'stacked', controlPlane: 1, workers: [{ name: 'md-0', count: 1 }] },
];
export function smallScenario(extra: Record<string, unknown> = {}): string {
  return scenarioExtending('healthy', { clusters: SMALL_CLUSTERS, eksctl: { upgrade: { outcome: 'succeed', durationMs: 200 } }, ...extra });
}
const EKSA_PAUSED = 'anywhere.eks.amazonaws.com/paused';

// ------------------------------------------------------------------------------------------ running

export interface CliResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** The run was still going at its deadline and was killed: a hang. */
  readonly timedOut: boolean;
  /** The signals the test sent, in order. */
  readonly sent: readonly NodeJS.Signals[];
  /** The CLI process's peak resident memory (VmHWM) as last sampled, in KiB. */
  readonly peakRssKiB: number;
}

export interface CliRun {
  readonly pid: number;
  /** In the environment of the CLI and of every child that keeps its environment. */
  readonly marker: string;
  readonly done: Promise<CliResult>;
  /**
   * The CLI process itself has ended (`done` waits for its output to close too, which a child that outlives it,
   * such as eksctl in its own session, still holds open).
   */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Text of stdout + stderr so far. */
  output(): string;
  kill(signal: NodeJS.Signals): void;
  /** Runs `action` once, the first time the output matches. */
  onOutput(pattern: RegExp, action: () => void): void;
}

export interface StartOptions {
  readonly env: Record<string, string>;
  readonly cwd: string;
  /** The run is killed (and reported as timed out) after this long. */
  readonly timeoutMs?: number;
  readonly umask?: number;
}

/** Start the built CLI as an operator would, without waiting: the test decides when to strike. */
export function startCli(args: readonly string[], options: StartOptions): CliRun {
  if (!existsSync(path.join(repoRoot, 'dist', 'cli.js'))) throw new Error('dist/ is missing: run npm run build first');
  const marker = `esu-rel-${randomBytes(6).toString('hex')}`;
  const argv = options.umask === undefined
    ? [process.execPath, binPath, ...args]
    : ['/bin/sh', '-c', `umask ${options.umask.toString(8).padStart(3, '0')}; exec "$@"`, 'sh', process.execPath, binPath, ...args];
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    env: { ...options.env, NO_COLOR: '1', CI: '1', EKSA_RELIABILITY_RUN: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ pattern: RegExp; action: () => void; fired: boolean }> = [];
  const sent: NodeJS.Signals[] = [];
  const check = () => {
    const text = stdout + stderr;
    for (const w of watchers) {
      if (!w.fired && w.pattern.test(text)) {
        w.fired = true;
        w.action();
      }
    }
  };
  child.stdout?.on('data', (d: Buffer) => ((stdout += d.toString()), check()));
  child.stderr?.on('data', (d: Buffer) => ((stderr += d.toString()), check()));
  const started = performance.now();
  let peakRssKiB = 0;
  const sampler = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakRssKiB = Math.max(peakRssKiB, Number(hwm[1]));
    } catch {
      // exited
    }
  }, 50);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 90_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      resolve({ exitCode: code, signal, stdout, stderr, durationMs: Math.round(performance.now() - started), timedOut, sent, peakRssKiB });
    });
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    pid: child.pid ?? -1,
    marker,
    done,
    exited,
    output: () => stdout + stderr,
    kill(signal) {
      sent.push(signal);
      child.kill(signal);
    },
    onOutput(pattern, action) {
      watchers.push({ pattern, action, fired: false });
      check();
    },
  };
}

/**
 * Polls an NDJSON journal (the CLI's --journal, written when each command ends) and runs `action` once,
 * the first time an entry matches. Returns a stop function.
 */
export function onJournal(file: string, predicate: (entry: Record<string, any>) => boolean, action: (entry: Record<string, any>) => void): () => void {
  let fired = false;
  const timer = setInterval(() => {
    if (fired) return;
    let entries: Array<Record<string, any>>;
    try {
      entries = readJournal(file);
    } catch {
      return; // a line being written
    }
    const hit = entries.find(predicate);
    if (hit) {
      fired = true;
      clearInterval(timer);
      action(hit);
    }
  }, 15);
  return () => clearInterval(timer);
}

// ---------------------------------------------------------------------------------- the world after

export interface PauseSnapshot {
  readonly [cluster: string]: { readonly capi: boolean; readonly eksa: boolean };
}

/** Both pause switches of every cluster, straight from the simulator's store. */
export function pauseState(sim: Sim): PauseSnapshot {
  const out: Record<string, { capi: boolean; eksa: boolean }> = {};
  for (const o of sim.server.store.list('clusters.anywhere.eks.amazonaws.com')) {
    out[o.metadata.name] = { capi: false, eksa: o.metadata.annotations?.[EKSA_PAUSED] === 'true' };
  }
  for (const o of sim.server.store.list('clusters.cluster.x-k8s.io')) {
    const entry = (out[o.metadata.name] ??= { capi: false, eksa: false });
    entry.capi = o.spec?.paused === true || o.metadata.annotations?.['cluster.x-k8s.io/paused'] !== undefined;
  }
  return out;
}

export function leaseOf(sim: Sim): { holder: string | undefined } | undefined {
  const lease = sim.server.store.get('leases.coordination.k8s.io', LEASE.namespace, LEASE.name);
  return lease ? { holder: lease.spec?.holderIdentity || undefined } : undefined;
}

export type SetState = 'complete' | 'partial' | 'failed';

/**
 * The tool's backup sets in a management folder: a name without .partial/.failed claims to be complete.
 * eksctl names its own pre-upgrade backups the same way, in the same folder, without our manifest.json:
 * those are not ours and are left out.
 */
export function backupSets(folder: string): Array<{ name: string; dir: string; state: SetState }> {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((n) => /-backup-\d{4}-/.test(n))
    .sort()
    .map((name) => ({ name, dir: path.join(folder, name), state: (name.endsWith('.partial') ? 'partial' : name.endsWith('.failed') ? 'failed' : 'complete') as SetState }))
    .filter((s) => s.state !== 'complete' || existsSync(path.join(s.dir, 'manifest.json')));
}

/** `[path, mode & 0o777]` of `dir` and everything under it, depth first. */
function modes(dir: string): Array<[string, number]> {
  const out: Array<[string, number]> = [[dir, statSync(dir).mode & 0o777]];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...modes(p));
    else out.push([p, statSync(p).mode & 0o777]);
  }
  return out;
}

/** A backup set is private whatever the umask: every directory 0700, every file 0600. */
export function expectPrivateSet(dir: string): void {
  for (const [p, mode] of modes(dir)) expect([p, mode]).toEqual([p, statSync(p).isDirectory() ? 0o700 : 0o600]);
}

/** Processes still alive that belong to a run: its marker in their environment, or its workdir on their command line. */
export function strayProcesses(marker: string, workdir: string): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // a zombie is already dead
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (environ.includes(`EKSA_RELIABILITY_RUN=${marker}`) || cmdline.includes(workdir)) found.push({ pid, cmdline });
    } catch {
      // gone, or a kernel thread
    }
  }
  return found;
}

/** Stray processes may take a moment to die after a signal; anything alive after `graceMs` is an orphan. */
export async function orphansAfter(marker: string, workdir: string, graceMs = 2000): Promise<Array<{ pid: number; cmdline: string }>> {
  const until = Date.now() + graceMs;
  for (;;) {
    const stray = strayProcesses(marker, workdir);
    if (stray.length === 0 || Date.now() > until) return stray;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ------------------------------------------------------------------------------------- assertions

export interface CellExpectation {
  /** The documented exit code of this failure. */
  readonly exit: ExitCodeName;
  /** What the one `Error:` line must say: the cause, named. */
  readonly message: RegExp;
  /** Whether a complete (and verifying) backup set is the right outcome: faults after the backup. */
  readonly completeBackup?: boolean;
  /** Clusters whose pause state the hand-off (eksctl) owns once it ran: not the tool's to put back. */
  readonly pauseOwnedByEksctl?: readonly string[];
  /**
   * `Error:` lines that are not ours: a child whose output is inherited (eksctl during the hand-off) prints
   * its own. Only a cell whose step runs such a child may name them, with the reason in the cell.
   */
  readonly childErrorLines?: RegExp;
  /**
   * Clusters the run cannot put back because the fault is the very write that would (the API refuses the
   * pause-state restore): their state after the run, and the warning that must name them.
   */
  readonly pauseLeft?: { readonly state: PauseSnapshot; readonly warning: RegExp };
}

/** A fault the tool recovers from (the next etcd member): exit 0, the cause named in the manifest. */
export interface RecoveryExpectation {
  readonly exit: 'Success';
  /** What the manifest's record of the failed attempt must say. */
  readonly message: RegExp;
  readonly completeBackup: true;
}

/**
 * The promises every cell checks: the documented exit code; one `Error:` line naming the cause; no set
 * claiming to be complete unless it is one; pause state as before; the lock released; no orphans.
 */
export async function expectCleanOutcome(input: {
  readonly sim: Sim;
  readonly run: CliRun;
  readonly result: CliResult;
  readonly before: PauseSnapshot;
  readonly folder: string;
  readonly expect: CellExpectation | RecoveryExpectation;
}): Promise<void> {
  const { sim, run, result, before, folder } = input;
  const want = input.expect;
  const context = `exit ${result.exitCode} after ${result.durationMs} ms\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`;
  expect(result.timedOut, `the run hung: ${context}`).toBe(false);
  expect(result.exitCode, context).toBe(ExitCode[want.exit]);

  if (want.exit !== 'Success') {
    // Ours is the last thing on stderr: one `Error:` line and its hint. It is the only `Error:` line of ours:
    // lines a child printed to the inherited terminal (eksctl's own `Error: …` during the hand-off) are
    // counted out only where a cell names them (childErrorLines).
    const tail = result.stderr.trimEnd().split('\n');
    while (tail.length > 0 && /^ {2}hint: /.test(tail.at(-1)!)) tail.pop();
    const line = tail.at(-1) ?? '';
    expect(line, context).toMatch(/^Error: /);
    expect(line, context).toMatch(want.message);
    expect(line.length, 'one bounded line').toBeLessThan(4000);
    const childLines = ('childErrorLines' in want ? want.childErrorLines : undefined) ?? undefined;
    const errorLines = result.stderr.split('\n').filter((l) => /^Error: /.test(l) && !(childLines?.test(l) ?? false));
    expect(errorLines, `exactly one Error: line on stderr: ${context}`).toEqual([line]);
  } else {
    expect(result.stderr, context).not.toMatch(/^Error: /m);
  }
  expect(result.stderr, 'no stack trace without -v').not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);

  const sets = backupSets(folder);
  const complete = sets.filter((s) => s.state === 'complete');
  if (want.completeBackup) {
    expect(complete.map((s) => s.name), context).toHaveLength(1);
    const manifest = JSON.parse(readFileSync(path.join(complete[0]!.dir, 'manifest.json'), 'utf8'));
    expect(manifest.state).toBe('complete');
    if (want.exit === 'Success') {
      const failures = (manifest.etcd as Array<{ failedAttempts: Array<{ reason: string }> }>).flatMap((e) => e.failedAttempts.map((f) => f.reason));
      expect(failures.join('\n'), 'the recovered failure is recorded, its cause named').toMatch(want.message);
    }
  } else {
    expect(complete.map((s) => s.name), `no set may claim to be complete: ${context}`).toEqual([]);
    for (const s of sets.filter((x) => x.state === 'failed')) {
      const manifest = path.join(s.dir, 'manifest.json');
      if (existsSync(manifest)) expect(JSON.parse(readFileSync(manifest, 'utf8')).state).toBe('failed');
    }
  }

  const after = pauseState(sim);
  const owned = new Set(('pauseOwnedByEksctl' in want ? want.pauseOwnedByEksctl : undefined) ?? []);
  const left = 'pauseLeft' in want ? want.pauseLeft : undefined;
  const mine = (p: PauseSnapshot) => Object.fromEntries(Object.entries(p).filter(([c]) => !owned.has(c)));
  if (left) {
    expect(mine(after), 'the pause state the refused restore left, named in a warning').toEqual(mine({ ...before, ...left.state }));
    expect(result.stderr, context).toMatch(left.warning);
  } else {
    expect(mine(after), 'every cluster back in its previous pause state').toEqual(mine(before));
  }

  expect(leaseOf(sim), 'the upgrade lock was released').toBeUndefined();
  expect(await orphansAfter(run.marker, sim.workdir), 'no child process outlives the run').toEqual([]);
}

// ------------------------------------------------------------------------------------------ secrets

/** Every secret value the simulated world holds, as text that must never appear in an output. */
export function simSecrets(sim: Sim, extra: readonly string[] = []): string[] {
  const values = new Set<string>();
  for (const secret of sim.server.store.list('secrets')) {
    for (const value of Object.values<string>(secret.data ?? {})) {
      if (typeof value !== 'string' || value.length < 16) continue;
      // base64 as stored, a prefix of it (a cut-off leak), and the decoded text's secret tokens.
      values.add(value.slice(0, 40));
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      for (const token of decoded.match(/sim-secret-[A-Za-z0-9-]+/g) ?? []) values.add(token);
    }
    for (const value of Object.values<string>(secret.stringData ?? {})) if (typeof value === 'string' && value.length >= 16) values.add(value);
  }
  for (const e of extra) if (e.length >= 16) values.add(e);
  return [...values];
}

/**
 * The distinct secret values among the strings searched for. A simulated Secret's value is stored base64-encoded
 * and searched both as its decoded `sim-secret-…` token and as a prefix of its base64 text (a cut-off leak):
 * both stand for one secret value, counted once.
 */
export function distinctSecretValues(searched: readonly string[]): string[] {
  const decodedToken = (s: string) => {
    if (!/^[A-Za-z0-9+/]+=*$/.test(s)) return undefined;
    const usable = s.slice(0, s.length - (s.length % 4));
    return /sim-secret-[A-Za-z0-9-]*/.exec(Buffer.from(usable, 'base64').toString('utf8'))?.[0];
  };
  const plain = searched.filter((s) => decodedToken(s) === undefined);
  const values = new Set(plain);
  for (const s of searched) {
    const token = decodedToken(s);
    if (token !== undefined) values.add(plain.find((p) => p.startsWith(token)) ?? token);
  }
  return [...values];
}

/** A short one-way digest: the figures count distinct values without writing them anywhere. */
export function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

/** Fails naming the first secret found in any output; records the distinct secret values searched for and the outputs searched. */
export function expectNoSecrets(outputs: Record<string, string>, secrets: readonly string[]): void {
  expect(secrets.length, 'there are secrets to look for').toBeGreaterThan(0);
  for (const [where, text] of Object.entries(outputs)) {
    for (const secret of secrets) {
      if (text.includes(secret)) expect.fail(`secret ${secret.slice(0, 12)}… appears in ${where}`);
    }
    // Any simulated secret value, even one this list missed.
    const generic = /sim-secret-[a-z0-9]/.exec(text);
    if (generic) expect.fail(`a simulated secret value appears in ${where}: ${text.slice(generic.index, generic.index + 30)}`);
  }
  recordMetric('secret-scan', 1, { outputs: Object.keys(outputs).length, values: distinctSecretValues(secrets).map(digest) });
}

/** Everything a run printed or wrote about itself: stdout, stderr, and the report and journal files. */
export function runOutputs(result: CliResult, files: Record<string, string> = {}): Record<string, string> {
  const outputs: Record<string, string> = { stdout: result.stdout, stderr: result.stderr };
  for (const [name, file] of Object.entries(files)) if (existsSync(file) && statSync(file).isFile()) outputs[name] = readFileSync(file, 'utf8');
  return outputs;
}

// ------------------------------------------------------------------------------------------ figures

/**
 * Counts for the README "Guarantees" figures, one NDJSON line per event with the test file it came from,
 * appended to the file EKSA_GUARANTEES_METRICS names (vitest.config.ts names one for every `npm test`;
 * scripts/guarantees.mjs names its own); a no-op without it.
 */
export function recordMetric(kind: string, count: number, detail: Record<string, unknown> = {}): void {
  const file = process.env.EKSA_GUARANTEES_METRICS;
  if (!file) return;
  const testPath = expect.getState().testPath;
  appendFileSync(file, `${JSON.stringify({ kind, count, ...detail, ...(testPath ? { file: path.relative(repoRoot, testPath) } : {}) })}\n`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------ disks

/**
 * Mounts a size-limited tmpfs over `dir`, keeping the files that were there (a kubeconfig, a spec).
 * Returns the unmount function, or undefined where this machine does not allow the mount (not root, or
 * no CAP_SYS_ADMIN): callers then inject the write error at the file layer instead.
 */
export function mountSmallDisk(dir: string, bytes: number): (() => Promise<void>) | undefined {
  const keep = mkdtempSync(path.join(tmpdir(), 'esu-disk-keep-'));
  cpSync(dir, keep, { recursive: true });
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
  if (!mounted) {
    rmSync(keep, { recursive: true, force: true });
    return undefined;
  }
  cpSync(keep, dir, { recursive: true });
  rmSync(keep, { recursive: true, force: true });
  return async () => {
    for (let i = 0; i < 20; i++) {
      if (spawnSync('umount', [dir], { stdio: 'ignore' }).status === 0) return;
      await sleep(100);
    }
    spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
  };
}

/** Environment that makes the product's own writes to paths matching `pattern` fail with ENOSPC. */
export function enospcEnv(pattern: string, afterBytes = 0): Record<string, string> {
  const preload = pathToFileURL(path.join(repoRoot, 'test', 'reliability', 'fixtures', 'enospc.mjs')).href;
  return { NODE_OPTIONS: `--import=${preload}`, ESU_ENOSPC_PATH: pattern, ESU_ENOSPC_AFTER: String(afterBytes) };
}

// ------------------------------------------------------------------------------------------ peers

/** A TCP peer that accepts connections and never answers: a host whose server hangs (HTTP, SSH). */
export interface BlackHole {
  readonly port: number;
  close(): Promise<void>;
}

export async function startBlackHole(host = '127.0.0.1'): Promise<BlackHole> {
  const held = new Set<Socket>();
  const server = createServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const socket of held) socket.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
