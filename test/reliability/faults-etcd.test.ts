// The fault matrix, etcd columns, against a real TLS etcd and a real sshd listening on the simulated
// machines' addresses: ssh refused, hanging, cut mid-stream; etcd down on one member and on all; the disk
// filling during the snapshot stream; SIGINT/SIGTERM/SIGHUP while it streams.
import { execFileSync } from 'node:child_process';
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, planEtcdWorld } from '../../sim/index.js';
import { layOutBottlerocket, layOutExternal, makeRoot } from '../etcd/layouts.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import { startSim } from '../helpers/sim.js';
import { slots } from '../helpers/slots.js';
import { fillEtcd, freePort, makePki, putKeys, requireRealTools, startEtcd, startSshd, type RealEtcd, type RealSshd } from '../helpers/testbed.js';
import { CELL_TIMEOUT_MS, cellTitle, runCell, type Cell, type StrikeContext } from './cell.js';
import { FAULT as KILL_THEN_RERUN, runKillCell, why } from './kill-cell.js';
import { IMAGE, enospcEnv, expectPrivateSet, sleep, startBlackHole, startCli, type BlackHole } from './helpers.js';
import { CUT_CAT, SLOW_CAT, etcdDownEtcdctl, installStandins } from './remote-standins.js';

const real = requireRealTools();

// mgmt: Ubuntu, external etcd of 2 members (one to lose, one to fall back to); w01: Bottlerocket, stacked.
// eksctl finishes quickly.
const SCENARIO = scenarioExtending('healthy', {
  clusters: [
    // Three members: EKS-A refuses an even external etcd count (validateEtcdReplicas), and so does the spec check.
    { name: 'mgmt', os: 'ubuntu', etcd: 'external', controlPlane: 1, etcdCount: 3, workers: [{ name: 'md-0', count: 1 }] },
    { name: 'w01', os: 'bottlerocket', etcd: 'stacked', controlPlane: 1, workers: [{ name: 'md-0', count: 1 }] },
  ],
  eksctl: { upgrade: { outcome: 'succeed', durationMs: 300 } },
});

/** The etcd members the tool will try, in its order (Running first, then by name), with their addresses. */
const ETCD_PLAN = planEtcdWorld(loadScenario(SCENARIO));
const membersOf = (cluster: string) => ETCD_PLAN.find((c) => c.name === cluster)!.members;
const MGMT = membersOf('mgmt');
const W01 = membersOf('w01');

/**
 * The file's cells run three at a time (they mostly wait on ssh and etcd timeouts), each in a lane of its own: its
 * own sshd (its own user, stand-ins and session processes) and its own node root, so a stand-in one cell installs,
 * the ssh sessions it leaves and the temp files on its "node" are that cell's alone; the etcd they snapshot is
 * shared and read-only.
 */
interface Lane {
  readonly sshd: RealSshd;
  readonly root: string;
}
const LANES = 3;
let work: string;
let etcd: RealEtcd;
let pki: ReturnType<typeof makePki>;
/** Every lane started (stopped at the end, held or not) and the free ones. */
const allLanes: Lane[] = [];
const lanes: Lane[] = [];
const current = new AsyncLocalStorage<Lane>();
const lane = (): Lane => {
  const mine = current.getStore();
  if (!mine) throw new Error('no lane: run the cell inside inLane()');
  return mine;
};
const laneSlot = slots(LANES);
/** Runs `work` with a lane of its own (the first free one), given back when it ends. */
const inLane = <T>(work: () => Promise<T>): Promise<T> =>
  laneSlot(() => {
    const free = lanes.shift()!;
    return current.run(free, work).finally(() => lanes.push(free));
  });
let deadEndpoint: string;
let closedPort: number;
let blackHole: BlackHole | undefined;

beforeAll(async () => {
  if (!real) return;
  work = mkdtempSync(join(tmpdir(), 'esu-rel-etcd-'));
  pki = makePki(join(work, 'pki'));
  const listen = [...MGMT, ...W01].map((m) => m.address);
  const started = await Promise.all([startEtcd({ pki }), ...Array.from({ length: LANES }, () => startSshd({ listen }))]);
  etcd = started[0] as RealEtcd;
  for (const sshd of started.slice(1) as RealSshd[]) {
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint);
    layOutBottlerocket(root, pki, undefined);
    sshd.setContainer('e7cd0000c0ffee');
    allLanes.push({ sshd, root });
    lanes.push({ sshd, root });
  }
  putKeys(etcd, '/reliability/key-', 200);
  await fillEtcd(etcd, 3, { valueKiB: 256 }); // a 3 MiB snapshot: more than the small disk holds
  deadEndpoint = `https://127.0.0.1:${await freePort()}`;
  closedPort = await freePort();
  blackHole = await startBlackHole('0.0.0.0'); // accepts TCP and never speaks SSH: a node whose sshd hangs
}, 120_000);

afterAll(async () => {
  await blackHole?.close();
  await Promise.all([etcd?.stop(), ...allLanes.map((l) => l.sshd.stop())]);
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * The etcd flags of every cell: its lane's sshd and node layout, this etcd; ssh gives up on a silent node after 2s
 * (`connectTimeout`: the hang cell's node never answers at all, so 1s finds it as surely and sooner).
 */
const etcdArgs = (over: { port?: number; endpoint?: string; connectTimeout?: number } = {}) => () => {
  const { sshd, root } = lane();
  return [
    '--cli-tools-image', IMAGE,
    '--ssh-key', sshd.clientKey,
    '--ssh-user', sshd.user,
    '--ssh-port', String(over.port ?? sshd.port),
    '--ssh-option', `ConnectTimeout=${over.connectTimeout ?? 2}`,
    '--etcd-remote-root', root,
    '--etcd-endpoint', over.endpoint ?? etcd.endpoint,
  ];
};

/** The remote temp files left on the lane's "node" (none: the remote script removes them whatever happens). */
const remoteLeftovers = (root = lane().root) =>
  ['var/lib/etcd', 'var/lib/etcd/data'].flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).filter((n) => n.startsWith('eksa-etcd-snapshot')) : []));

/** Send `signal` once a snapshot is on its way (its .partial file has bytes). */
const whileStreaming = (signal: NodeJS.Signals) => ({ sim, run }: StrikeContext) => {
  const folder = path.join(sim.workdir, 'mgmt');
  const timer = setInterval(() => {
    for (const set of readdirSync(folder).filter((n) => n.endsWith('.partial'))) {
      const dir = join(folder, set, 'etcd');
      if (existsSync(dir) && readdirSync(dir).some((n) => n.endsWith('.db.partial'))) {
        clearInterval(timer);
        void sleep(300).then(() => run.kill(signal));
        return;
      }
    }
  }, 20);
  return () => clearInterval(timer);
};

const standins = (scripts: () => Record<string, string>) => () => ({ cleanup: installStandins(lane().sshd, scripts()) });

const CELLS: Array<Omit<Cell, 'scenarioFile'>> = [
  {
    step: 'etcd', fault: 'ssh-refused', sourceArgs: () => etcdArgs({ port: closedPort })(),
    expect: { exit: 'EtcdSnapshotFailed', message: /failed on every member: .*ssh exit 255 .*Connection refused/ },
  },
  {
    step: 'etcd', fault: 'ssh-hangs', sourceArgs: () => etcdArgs({ port: blackHole!.port, connectTimeout: 1 })(), timeoutMs: 90_000,
    expect: { exit: 'EtcdSnapshotFailed', message: /failed on every member: .*ssh exit 255 .*(timed out|Connection timed out)/ },
  },
  {
    step: 'etcd', fault: 'ssh-cut-mid-stream', sourceArgs: etcdArgs(), prepare: standins(() => ({ cat: CUT_CAT })),
    expect: { exit: 'EtcdSnapshotFailed', message: /ssh exit 255 .*stream stopped after \d+ bytes/ },
  },
  {
    step: 'etcd', fault: 'etcd-down-on-one-member', sourceArgs: etcdArgs(),
    prepare: () => {
      const { sshd } = lane();
      const down = join(sshd.standinsDir, 'etcd-down');
      writeFileSync(down, `${MGMT[0]!.address}\n`);
      const remove = installStandins(sshd, { etcdctl: etcdDownEtcdctl(execFileSync('sh', ['-c', 'command -v etcdctl']).toString().trim(), deadEndpoint, down) });
      return { cleanup: () => (remove(), rmSync(down, { force: true })) };
    },
    expect: { exit: 'Success', message: new RegExp(`remote exit \\d+: .*(unhealthy|deadline exceeded|connection refused)`), completeBackup: true },
  },
  {
    step: 'etcd', fault: 'etcd-down-on-all-members', sourceArgs: () => etcdArgs({ endpoint: deadEndpoint })(), timeoutMs: 120_000,
    expect: { exit: 'EtcdSnapshotFailed', message: /failed on every member: .*remote exit \d+/ },
  },
  {
    step: 'etcd', fault: 'disk-full', sourceArgs: etcdArgs(),
    // The disk fills while the snapshot streams (injected after 1 MiB: a disk too small for the snapshot
    // from the start is stopped before the lock by the room check, which reads the member's dbSize).
    prepare: () => ({ env: enospcEnv('/etcd/[^/]*\\.db\\.partial$', 1024 * 1024) }),
    expect: { exit: 'EtcdSnapshotFailed', message: /no space left on device|ENOSPC/ },
  },
  ...(['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal): Cell => ({
    step: 'etcd', fault: signal, sourceArgs: etcdArgs(), prepare: standins(() => ({ cat: SLOW_CAT })), strike: whileStreaming(signal),
    expect: { exit: 'Interrupted', message: new RegExp(`interrupted by ${signal}`) },
  })),
];

export const ETCD_CELLS: Cell[] = CELLS.map((c) => ({ ...c, scenarioFile: SCENARIO }));

describe.skipIf(!real).concurrent('fault matrix: etcd snapshots over real ssh from a real etcd', () => {
  it.each(ETCD_CELLS.map((c) => [cellTitle(c), c] as const))('%s', { timeout: CELL_TIMEOUT_MS }, (_title, cell) => inLane(async () => {
    const { sshd } = lane();
    await runCell(cell, async ({ result }) => {
      // The node's private key never reaches an output.
      expect(result.stdout + result.stderr).not.toContain(readFileSync(sshd.clientKey, 'utf8').split('\n')[1]);
      expect(result.stdout + result.stderr).not.toMatch(/PRIVATE KEY/);
      // The node is left clean: no ssh session lingers, no snapshot temp file stays behind.
      for (let i = 0; i < 50 && (sshd.sessionPids().length > 0 || remoteLeftovers().length > 0); i++) await sleep(100);
      expect(sshd.sessionPids()).toEqual([]);
      expect(remoteLeftovers()).toEqual([]);
    });
  }));
});

describe.skipIf(!real).concurrent('backup sets with etcd snapshots are private whatever the umask', () => {
  it('secrets: umask 000 with etcd snapshots: complete and failed sets alike are 0700/0600', { timeout: CELL_TIMEOUT_MS }, () => inLane(async () => {
    const { sshd } = lane();
    const sim = await startSim({ scenario: SCENARIO });
    try {
      const folder = path.join(sim.workdir, 'mgmt');
      for (const [port, exit] of [[sshd.port, 0], [closedPort, 8]] as const) {
        const before = new Set(readdirSync(folder));
        const r = await startCli(['backup', '-f', sim.specFile(), ...etcdArgs({ port })()], { env: sim.env, cwd: sim.workdir, umask: 0o000, timeoutMs: 90_000 }).done;
        expect(r.exitCode, r.stderr).toBe(exit);
        const created = readdirSync(folder).filter((n) => !before.has(n) && n.includes('-backup-'));
        expect(created).toHaveLength(1);
        const dir = path.join(folder, created[0]!);
        if (exit === 0) expect(readdirSync(path.join(dir, 'etcd')).filter((n) => n.endsWith('.db'))).toHaveLength(2);
        expectPrivateSet(dir);
      }
    } finally {
      await sim.close();
    }
  }));
});

// SIGKILL while a snapshot streams (the machine is lost: ssh dies with us), then the operator runs it again
// (test/reliability/kill-cell.ts): the lease of the run that is gone is named, recover releases it and marks the
// set failed, and the next run backs up (the snapshot too) and upgrades once.
describe.skipIf(!real).concurrent('fault matrix: SIGKILL while an etcd snapshot streams, then a rerun', () => {
  it(cellTitle({ step: 'etcd', fault: KILL_THEN_RERUN } as Cell), { timeout: CELL_TIMEOUT_MS }, () => inLane(async () => {
    const { sshd } = lane();
    let cleanup: (() => void) | undefined = installStandins(sshd, { cat: SLOW_CAT });
    const restore = () => {
      cleanup?.();
      cleanup = undefined;
    };
    try {
      await runKillCell({
        step: 'etcd', scenarioFile: SCENARIO, sourceArgs: etcdArgs(),
        strike: ({ sim, kill }) => {
          const folder = path.join(sim.workdir, 'mgmt');
          const timer = setInterval(() => {
            for (const set of readdirSync(folder).filter((n) => n.endsWith('.partial'))) {
              const dir = join(folder, set, 'etcd');
              if (existsSync(dir) && readdirSync(dir, { recursive: true }).some((n) => String(n).endsWith('.db.partial'))) {
                clearInterval(timer);
                void sleep(300).then(() => kill(true));
                return;
              }
            }
          }, 20);
          return () => clearInterval(timer);
        },
        afterKill: restore,
        landed: { ran: why(/^export the EKS-A objects/), next: why(/^re-read the management tree under the lock/) },
      });
    } finally {
      restore();
    }
  }));
});
