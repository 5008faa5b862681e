// What a backup set says about itself when the run ends badly (issue 15, findings 7 and 8):
// - a disk that fills after the set was started still leaves it marked failed (its marker was written
//   first, with room reserved), never a `.partial` with an empty manifest.json;
// - a whole-tree move that fails for a local reason (the disk) fails the backup: no management-only
//   fallback that would fail the same way or leave a smaller set for no cluster-side reason;
// - SIGKILL during the move leaves the pause state recorded in the `.partial` set: the next run names
//   it, and `recover --dir <mgmt>` puts it back, recorded, the set renamed `.failed`.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/exit-codes.js';
import { readJournal } from '../helpers/run-bin.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import { startSim } from '../helpers/sim.js';
import { CELL_TIMEOUT_MS, runCell, type Cell } from './cell.js';
import { IMAGE, NO_ETCD, backupSets, mountSmallDisk, onJournal, pauseState, smallScenario, startCli, strayProcesses, sleep } from './helpers.js';

/** Writes to `folder` until its disk refuses another byte. */
function fillDisk(folder: string): void {
  const fd = openSync(path.join(folder, 'filler'), 'w');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 1]) {
      const chunk = Buffer.alloc(size, 0x61);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

function expectMarkedFailed(folder: string, stderr: string): void {
  const sets = backupSets(folder);
  expect(sets.map((s) => s.state), stderr.slice(-2000)).toEqual(['failed']);
  const manifest = JSON.parse(readFileSync(path.join(sets[0]!.dir, 'manifest.json'), 'utf8'));
  expect(manifest.state).toBe('failed');
  expect(String(manifest.error).length).toBeGreaterThan(0);
  expect(stderr).not.toMatch(/could not mark the failed set/);
}

const moves = (journal: Array<Record<string, any>>) => journal.filter((e) => e.source === 'clusterctl' && e.argv[1] === 'move');

describe('a failed set is always marked failed', () => {
  it('a disk that fills during the export (after the set was started) leaves <set>.failed with a parsable failed manifest', { timeout: CELL_TIMEOUT_MS }, async () => {
    let folder = '';
    const cell: Cell = {
      step: 'export', fault: 'disk-fills-mid-backup',
      // The export's read is held open while the disk fills, so every write after it meets a full disk.
      faults: [{ resource: 'oidcconfigs', latencyMs: 3000 }],
      requestTimeout: '20s',
      prepare: (sim) => {
        folder = path.join(sim.workdir, 'mgmt');
        const unmount = mountSmallDisk(folder, 8 * 1024 * 1024);
        if (!unmount) throw new Error('this test needs a tmpfs (root): mount -t tmpfs failed');
        return { cleanup: unmount };
      },
      strike: ({ journal }) => onJournal(journal, (e) => /re-read pause state/.test(String(e.why)), () => fillDisk(folder)),
      expect: { exit: 'BackupFailed', message: /no space left on device|ENOSPC/ },
    };
    await runCell(cell, ({ result }) => expectMarkedFailed(folder, result.stderr));
  });

  it('a whole-tree move that fails on a full disk fails the backup: no management-only fallback', { timeout: CELL_TIMEOUT_MS }, async () => {
    let folder = '';
    const cell: Cell = {
      step: 'capi', fault: 'disk-full (no fallback)',
      // The disk fills while clusterctl writes (injected: a disk too small from the start is stopped before
      // the lock by the room check).
      prepare: (sim) => {
        folder = path.join(sim.workdir, 'mgmt');
        return { env: { EKSA_SIM_SCENARIO: scenarioExtending('healthy', { clusterctl: { failAfterFiles: 3 } }) } };
      },
      expect: { exit: 'BackupFailed', message: /clusterctl move failed: .*no space left on device.*a local cause/ },
    };
    await runCell(cell, ({ sim, result }) => {
      expect(result.stderr).not.toMatch(/falling back to the management cluster only/);
      expect(moves(sim.journal()).map((e) => e.argv.includes('--filter-cluster'))).toEqual([false]);
      expectMarkedFailed(folder, result.stderr);
    });
  });
});

describe('SIGKILL during clusterctl move', () => {
  it('leaves the pause state recorded in the .partial set; the next backup names it; recover puts it back, recorded', { timeout: CELL_TIMEOUT_MS }, async () => {
    const sim = await startSim({ scenario: smallScenario() });
    try {
      const folder = path.join(sim.workdir, 'mgmt');
      const before = pauseState(sim);
      const env = { ...sim.env, XDG_CACHE_HOME: path.join(sim.workdir, 'run', 'cache') };
      const args = ['-f', sim.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD, '--request-timeout', '10s'];
      const run = startCli(['backup', ...args], { env, cwd: sim.workdir, timeoutMs: 60_000 });
      // The moment clusterctl pauses a Cluster, the API stops answering (so the move cannot finish and
      // unpause), and the machine "dies": the CLI and everything it started get SIGKILL.
      let killed = false;
      const listener = (e: { info: { resource: string; group: string }; object: any }) => {
        if (killed || e.info.resource !== 'clusters' || e.info.group !== 'cluster.x-k8s.io' || e.object.spec?.paused !== true) return;
        killed = true;
        sim.server.setFaults([{ path: '/api', hang: true }]);
        run.kill('SIGKILL');
        for (const p of strayProcesses(run.marker, sim.workdir)) {
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      };
      sim.server.store.on('change', listener);
      const killedRun = await run.done;
      sim.server.store.off('change', listener);
      expect(killedRun.signal, killedRun.stderr).toBe('SIGKILL');
      await sleep(300);
      for (const p of strayProcesses(run.marker, sim.workdir)) process.kill(p.pid, 'SIGKILL');
      sim.server.setFaults([]);

      const paused = pauseState(sim);
      expect(Object.values(paused).some((s) => s.capi), 'clusterctl left a cluster paused').toBe(true);
      const [partial, ...others] = backupSets(folder);
      expect(others).toEqual([]);
      expect(partial!.state).toBe('partial');
      const record = JSON.parse(readFileSync(path.join(partial!.dir, 'pause-state.json'), 'utf8'));
      expect(Object.fromEntries(record.clusters.map((c: any) => [c.cluster, { capi: c.capi, eksa: c.eksa }]))).toEqual(before);
      // The set is marked failed from its first moment, killed or not.
      expect(JSON.parse(readFileSync(path.join(partial!.dir, 'manifest.json'), 'utf8')).state).toBe('failed');

      // The next run's gate names the set, what differs, and the command that puts it back.
      const next = await startCli(['backup', ...args], { env, cwd: sim.workdir, timeoutMs: 60_000 }).done;
      expect(next.exitCode, next.stderr).toBe(ExitCode.NotReady);
      expect(next.stderr).toMatch(/an earlier run stopped during its backup .*\.partial.*CAPI paused now, .*CAPI unpaused before/);
      expect(next.stderr).toMatch(/eksa-safe-upgrade recover --dir /);
      expect(pauseState(sim)).toEqual(paused);

      const journal = path.join(sim.workdir, 'run', 'recover.ndjson');
      mkdirSync(path.dirname(journal), { recursive: true });
      const recovered = await startCli(['recover', '--dir', folder, '--journal', journal], { env, cwd: sim.workdir, timeoutMs: 60_000 }).done;
      expect(recovered.exitCode, recovered.stderr).toBe(0);
      expect(recovered.stdout).toMatch(/restored \S+ capi-spec-paused: unpaused as recorded/);
      expect(pauseState(sim), 'every cluster back as recorded').toEqual(before);
      const sets = backupSets(folder);
      expect(sets.map((s) => s.state)).toEqual(['failed']);
      expect(existsSync(partial!.dir)).toBe(false);
      const kept = JSON.parse(readFileSync(path.join(sets[0]!.dir, 'pause-state.json'), 'utf8'));
      expect(kept.recovered.actions.length).toBeGreaterThan(0);
      const manifest = JSON.parse(readFileSync(path.join(sets[0]!.dir, 'manifest.json'), 'utf8'));
      expect(manifest.state).toBe('failed');
      expect(manifest.pauseRestore.map((p: any) => p.action)).toContain('recovered: restored to unpaused');
      // The writes went through the runner: a kubectl patch in recover's journal.
      expect(readJournal(journal).some((e) => JSON.stringify(e.argv ?? e.command ?? e).includes('"patch"'))).toBe(true);

      // And the tree backs up again.
      const again = await startCli(['backup', ...args], { env, cwd: sim.workdir, timeoutMs: 60_000 }).done;
      expect(again.exitCode, again.stderr).toBe(0);
    } finally {
      await sim.close();
    }
  });
});
