// The fault matrix, API and tool columns: every step of `cluster` meets a failing API (an error kubectl
// reports, a 5xx, a request that never answers), a failing tool (clusterctl half-way, a missing image, an
// unreachable release manifest, eksctl failing) or a full disk, and must end cleanly (see cell.ts).
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/exit-codes.js';
import { freePort } from '../helpers/testbed.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import { CELL_TIMEOUT_MS, cellTitle, runCell, type Cell, type StrikeContext } from './cell.js';
import { NO_ETCD, backupSets, enospcEnv, onJournal, startBlackHole, type BlackHole } from './helpers.js';

const WORKLOADS = ['w01'];
const api = {
  error: { status: 403, reason: 'Forbidden', message: 'reliability: RBAC denies this read' },
  fiveHundred: { status: 503, message: 'etcdserver: leader changed' },
  hang: { hang: true },
} as const;
// A 403 (kubectl reports the API's refusal), a 5xx and a request that never answers, at every step that
// calls the API (test/reliability/applicability.mjs says which).
const API_FAULTS = [
  ['api-error (403)', api.error, 'Environment', /Forbidden|RBAC denies/, '10s'],
  ['api-5xx', api.fiveHundred, 'Environment', /etcdserver: leader changed/, '10s'],
  ['api-hang', api.hang, 'Environment', /did not answer|Client\.Timeout|timed out/, '2s'],
] as const;

/** Once a command matching `done` has finished (the CLI's journal says so), the API fails for `resource`. */
const failAfter = (done: (entry: Record<string, any>) => boolean, resource: string, effect: object) =>
  ({ sim, journal }: StrikeContext) => onJournal(journal, done, () => sim.server.setFaults([{ resource, ...effect }]));
const exported = (e: Record<string, any>) => /export the EKS-A objects/.test(String(e.why));
const handedOff = (e: Record<string, any>) => e.kind === 'handoff';

let blackHole: BlackHole;
let closedPort: number;
beforeAll(async () => {
  blackHole = await startBlackHole(); // a release-manifest host that hangs
  closedPort = await freePort();
});
afterAll(async () => blackHole.close());

export const API_CELLS: Cell[] = [
  // inventory: `machines` is first read by the one inventory call.
  ...API_FAULTS.map(([fault, effect, exit, message, requestTimeout]): Cell => ({
    step: 'inventory', fault, requestTimeout, faults: [{ resource: 'machines', ...effect }], expect: { exit, message },
  })),
  // plan: the fake eksctl GETs the EKS-A Cluster by name; the inventory only lists.
  // (plan × api-hang and plan × eksctl-fails are applicable and not struck yet: the README lists them.)
  ...API_FAULTS.filter(([fault]) => fault !== 'api-hang').map(([fault, effect, exit, message, requestTimeout]): Cell => ({
    step: 'plan', fault, requestTimeout, faults: [{ resource: 'clusters.anywhere.eks.amazonaws.com', method: 'GET', name: 'mgmt', ...effect }],
    expect: { exit, message: new RegExp(`upgrade plan|${message.source}`) },
  })),
  // lock: leases are read and written by the lock alone.
  ...API_FAULTS.map(([fault, effect, exit, message, requestTimeout]): Cell => ({
    step: 'lock', fault, requestTimeout, faults: [{ resource: 'leases', ...effect }], expect: { exit, message },
  })),
  // find clusterctl: the release manifest (no --cli-tools-image, an empty cache).
  {
    step: 'find-clusterctl', fault: 'manifest-unreachable',
    sourceArgs: () => ['--release-manifest', `http://127.0.0.1:${closedPort}/releases/eks-a/manifest.yaml`, ...NO_ETCD],
    expect: { exit: 'Environment', message: /cannot fetch the release manifest .*(ECONNREFUSED|connect)/ },
  },
  {
    step: 'find-clusterctl', fault: 'manifest-hang',
    sourceArgs: () => ['--release-manifest', `http://127.0.0.1:${blackHole.port}/releases/eks-a/manifest.yaml`, ...NO_ETCD],
    expect: { exit: 'Environment', message: /cannot fetch the release manifest .*no answer within \d+ ms/ },
  },
  // capi: clusterctl move through the cli-tools image.
  { step: 'capi', fault: 'image-missing', scenario: { clusterctl: { missingImage: true } }, expect: { exit: 'BackupFailed', message: /clusterctl move failed: .*(pull access denied|Unable to find image)/ } },
  { step: 'capi', fault: 'clusterctl-fails-half-way', scenario: { clusterctl: { failAfterFiles: 7 } }, expect: { exit: 'BackupFailed', message: /clusterctl move failed: .*no space left on device/ } },
  { step: 'capi', fault: 'clusterctl-fails-after-pause', scenario: { clusterctl: { failAfterPause: true } }, expect: { exit: 'BackupFailed', message: /clusterctl move failed: .*action failed after \d+ attempts/ } },
  // kubeadmconfigs are read by clusterctl only (the inventory does not list them).
  { step: 'capi', fault: 'api-5xx', faults: [{ resource: 'kubeadmconfigs', ...api.fiveHundred }], expect: { exit: 'BackupFailed', message: /clusterctl move failed: .*action failed after \d+ attempts/ } },
  // A move that never ends: clusterctl's first call (the Cluster CRD; kubectl never reads CRDs) hangs and
  // --move-timeout stops it, twice (the whole-tree move, then the management-only fallback).
  {
    step: 'capi', fault: 'api-hang (--move-timeout 4s)', args: ['--move-timeout', '4s'], faults: [{ resource: 'customresourcedefinitions', hang: true }],
    expect: { exit: 'BackupFailed', message: /clusterctl move failed: stopped after 4000 ms \(--move-timeout\)/ },
  },
  {
    step: 'capi', fault: 'disk-full',
    // The disk fills while clusterctl writes: its own write error (ENOSPC). A disk too small from the start
    // is stopped before the lock by the room check (test/steps/disk-space.test.ts), so it is injected here.
    prepare: () => ({ env: { EKSA_SIM_SCENARIO: scenarioExtending('healthy', { clusterctl: { failAfterFiles: 3 } }) } }),
    expect: { exit: 'BackupFailed', message: /no space left on device/ },
  },
  // export: the EKS-A objects are read once more, with kinds (oidcconfigs…) only the export reads.
  ...API_FAULTS.map(([fault, effect, exit, message, requestTimeout]): Cell => ({
    step: 'export', fault, requestTimeout, faults: [{ resource: 'oidcconfigs', ...effect }], expect: { exit, message },
  })),
  { step: 'export', fault: 'disk-full', env: () => enospcEnv('-backup-[^/]*\\.partial/eksa/'), expect: { exit: 'BackupFailed', message: /ENOSPC: no space left on device/ } },
  { step: 'manifest', fault: 'disk-full', env: () => enospcEnv('-backup-[^/]*\\.partial/(manifest\\.json|RESTORE\\.md)$'), expect: { exit: 'BackupFailed', message: /ENOSPC: no space left on device/ } },
  // recheck under the lock: the API fails once the backup is written (after the EKS-A export).
  ...API_FAULTS.map(([fault, effect, exit, message, requestTimeout]): Cell => ({
    step: 'recheck', fault, requestTimeout, strike: failAfter(exported, 'machines', effect), expect: { exit, message, completeBackup: true },
  })),
  // hand-off: eksctl itself fails, or exits 0 with the cluster not Ready.
  {
    step: 'handoff', fault: 'eksctl-fails', scenario: { eksctl: { upgrade: { outcome: 'fail', durationMs: 400 } } },
    // eksctl writes to the terminal it inherits: its own `Error: failed to upgrade cluster: …` comes before ours.
    expect: { exit: 'UpgradeFailed', message: /eksctl anywhere upgrade failed with exit code 255/, completeBackup: true, pauseOwnedByEksctl: WORKLOADS, childErrorLines: /^Error: failed to upgrade cluster: / },
  },
  {
    step: 'handoff', fault: 'eksctl-exits-early-not-ready', scenario: { eksctl: { upgrade: { outcome: 'exit-early-not-ready', durationMs: 400 } } },
    args: ['--confirm-timeout', '4s'],
    landsIn: { step: 'confirm', reason: 'eksctl exits 0, so the hand-off succeeds as far as it can tell; the confirmation is the step that finds the cluster not Ready' },
    expect: { exit: 'NotConfirmed', message: /upgrade not confirmed within 4s: mgmt: /, completeBackup: true },
  },
  // confirm: eksctl succeeded, then the API fails every poll.
  ...API_FAULTS.map(([fault, effect, , , requestTimeout]): Cell => ({
    step: 'confirm', fault, requestTimeout, args: ['--confirm-timeout', '5s'],
    strike: failAfter(handedOff, 'clusters.anywhere.eks.amazonaws.com', effect),
    expect: { exit: 'NotConfirmed', message: /could not be confirmed: .*(Forbidden|RBAC|leader changed|did not answer)/, completeBackup: true },
  })),
];

describe.concurrent('fault matrix: API and tool faults at every step of cluster', () => {
  it.each(API_CELLS.map((c) => [cellTitle(c), c] as const))('%s', { timeout: CELL_TIMEOUT_MS }, async (_title, cell) => {
    await runCell(cell, ({ sim, result }) => {
      // A failure before the hand-off never starts eksctl's upgrade.
      const upgraded = sim.journal().some((e) => e.source === 'eksctl' && e.argv.slice(1, 4).join(' ') === 'anywhere upgrade cluster');
      expect(upgraded).toBe(['handoff', 'confirm'].includes(cell.step));
      if (cell.expect.completeBackup) {
        const [set] = backupSets(path.join(sim.workdir, 'mgmt')).filter((s) => s.state === 'complete');
        const files = (JSON.parse(readFileSync(path.join(set!.dir, 'manifest.json'), 'utf8')).files as Array<{ path: string }>).map((f) => f.path);
        expect(files).toEqual(expect.arrayContaining(['capi/Cluster_eksa-system_mgmt.yaml', 'capi/Cluster_eksa-system_w01.yaml', 'eksa/Cluster_default_w01.yaml', 'RESTORE.md']));
      }
      expect(result.exitCode).toBe(ExitCode[cell.expect.exit]);
    });
  });
});
