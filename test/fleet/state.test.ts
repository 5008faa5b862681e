import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { write } from '../../src/command.js';
import { FleetStateWriter, type ClusterProgress } from '../../src/fleet/state.js';
import { Runner } from '../../src/runner/runner.js';

// A real process per write, as kubectl replace is: it appends what it got on stdin, one line per write.
function writer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleet-state-'));
  const out = path.join(dir, 'writes.ndjson');
  appendFileSync(out, '');
  const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>setTimeout(()=>{require('fs').appendFileSync(${JSON.stringify(out)},s+'\\n')},50))`;
  const runner = new Runner({ dryRun: false, verbose: false, log: () => undefined });
  const records: string[][] = [];
  const warnings: string[] = [];
  const w = new FleetStateWriter(runner, write(['node', '-e', script], 'record the fleet state'), 'mgmt', (l) => warnings.push(l), async (c) => void records.push(c.map((x) => x.state)));
  const written = () => readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(JSON.parse(l).data.clusters).map((c: ClusterProgress) => c.state));
  return { w, written, records, warnings };
}

const fleet = (...states: ClusterProgress['state'][]): ClusterProgress[] => states.map((state, i) => ({ name: `w${i}`, wave: 1, state }));

describe('FleetStateWriter', () => {
  it('folds the states recorded during a write into one next write: the newest wins, none is lost at the end', async () => {
    const { w, written, records, warnings } = writer();
    const first = w.record(fleet('backing-up', 'pending'));
    const during = [w.record(fleet('backing-up', 'backing-up')), w.record(fleet('upgrading', 'backing-up')), w.record(fleet('upgrading', 'upgrading'))];
    await Promise.all([first, ...during]);
    expect(written()).toEqual([
      ['backing-up', 'pending'],
      ['upgrading', 'upgrading'],
    ]);
    expect(records).toEqual(written());
    expect(warnings).toEqual([]);
  });

  it('resolves each record only once its state or a newer one is written', async () => {
    const { w, written } = writer();
    void w.record(fleet('backing-up'));
    await w.record(fleet('confirmed'));
    expect(written().at(-1)).toEqual(['confirmed']);
    // A record after the writer went idle starts a write of its own.
    await w.record(fleet('failed'));
    expect(written()).toEqual([['backing-up'], ['confirmed'], ['failed']]);
  });

  it('keeps each state as it was when recorded, not as the caller changed it later', async () => {
    const { w, written } = writer();
    const progress = fleet('backing-up');
    const done = w.record(progress);
    progress[0]!.state = 'confirmed';
    await done;
    expect(written()).toEqual([['backing-up']]);
  });
});
