import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateEvidence } from '../../src/report/evidence.js';
import { readJournal, repoRoot, runBin } from '../helpers/run-bin.js';
import { startSim } from '../helpers/sim.js';
import { scenarioExit } from '../helpers/scenario-exit.js';
import { slots } from '../helpers/slots.js';

const scenarios = readdirSync(path.join(repoRoot, 'sim', 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

/** Every file under a folder with its size and mtime: the cluster folders must not change at all. */
function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      const info = statSync(full);
      if (info.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = `${info.size}:${info.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

// Each scenario is one dry run in a world of its own, mostly waiting on child processes: two at a time overlap
// those waits (a scenario's time includes its wait for a slot).
const slot = slots(2);

describe.concurrent('cluster --dry-run writes nothing, on every bundled scenario', () => {
  it('covers every scenario file', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(14);
  });

  it.each(scenarios)('%s', (scenario) => slot(async () => {
    const sim = await startSim({ scenario });
    try {
      const journal = path.join(sim.workdir, '.sim', 'ours.ndjson');
      const report = path.join(sim.workdir, '.sim', 'report.json');
      const clusterFolders = readdirSync(sim.workdir).filter((n) => !n.startsWith('.'));
      const before = Object.fromEntries(clusterFolders.map((f) => [f, snapshotTree(path.join(sim.workdir, f))]));
      const spec = sim.specFile();
      const r = await runBin(
        ['cluster', '-f', spec, '--dry-run', '--journal', journal, '--report', report, '--skip-etcd-backup', '--reason', 'dry-run audit test'],
        { env: sim.env, cwd: sim.workdir },
      );
      // The audit runs to this scenario's verdict, the one the real run reaches (plan-is-the-audit.test.ts).
      expect(r.exitCode, r.stderr).toBe(scenarioExit(scenario));
      const ours = readJournal(journal);
      expect(ours.length).toBeGreaterThan(0);
      expect(ours.filter((e) => e.kind !== 'read' && e.skipped !== true)).toEqual([]);
      const writesByTools = sim.journal().filter((e) => e.source === 'apiserver' || e.source === 'clusterctl' || e.source === 'docker' || (e.source === 'eksctl' && e.argv.includes('upgrade') && !e.argv.includes('plan')));
      expect(writesByTools).toEqual([]);
      const after = Object.fromEntries(clusterFolders.map((f) => [f, snapshotTree(path.join(sim.workdir, f))]));
      expect(after).toEqual(before);
      const evidence = validateEvidence(JSON.parse((await import('node:fs')).readFileSync(report, 'utf8')));
      expect(evidence.ok ? [] : evidence.issues).toEqual([]);
      if (r.exitCode === 0) expect(r.stdout).toMatch(/The upgrade would run:\n\s+eksctl anywhere upgrade cluster -f /);
    } finally {
      await sim.close();
    }
  }));
});
