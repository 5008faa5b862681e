#!/usr/bin/env node
// Benchmark 2: the full `cluster --dry-run` on a simulated tree of 500 workload clusters against the
// read-only calls it makes itself. Two floors, both from its own --journal:
//   journal floor: the sum of the durations the journal records for its reads (as run inside our process);
//   bare floor:    the same read argv re-run bare, one after the other, right after (stricter: no overlap,
//                  no Node in between).
// A dry run runs every read and prints every write; the writes cost nothing, so the floor is its reads.
//   npm run build && node bench/dry-run.mjs [--workloads 500] [--runs 5] [--bare 0|1]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliBin, cliOptions, fmt, isMain, loadAverage, log, median, pairedRatio, ratio, readJournal, runStandalone, startSim, timeChild } from './lib.mjs';

const TARGET = 2;
const CLI_TOOLS_IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-1';

export async function dryRun({ workloads = 500, runs = 5, bare: withBare = 1 } = {}) {
  const workdir = mkdtempSync(path.join(tmpdir(), 'bench-dry-run-'));
  const sim = await startSim({ workloads, workdir });
  try {
    // The SSH key EKS-A leaves next to each cluster's kubeconfig: the etcd step checks it exists; a dry
    // run never uses it (the ssh commands are printed, not run).
    for (const c of sim.server.scenario.clusters) writeFileSync(path.join(workdir, c.name, 'eks-a-id_rsa'), 'placeholder: a dry run never reads it\n', { mode: 0o600 });
    let n = 0;
    const ours = async () => {
      const journal = path.join(workdir, `journal-${n++}.ndjson`);
      const args = [cliBin, 'cluster', '-f', sim.spec, '--dry-run', '--output', 'json', '--cli-tools-image', CLI_TOOLS_IMAGE, '--request-timeout', '60s', '--journal', journal];
      const run = await timeChild(process.execPath, args, { env: sim.env, cwd: workdir });
      const entries = readJournal(journal);
      const reads = entries.filter((e) => e.kind === 'read' && !e.skipped);
      return {
        ms: run.ms,
        journalFloorMs: reads.reduce((s, e) => s + e.durationMs, 0),
        reads: reads.map((e) => e.argv),
        printed: entries.filter((e) => e.skipped).length,
      };
    };
    const bare = async (reads) => {
      let total = 0;
      // A read may legitimately exit non-zero (e.g. a lease that is not there yet); only its time counts.
      for (const [file, ...args] of reads) total += (await timeChild(file, args, { env: sim.env, cwd: workdir, okCodes: [0, 1] })).ms;
      return total;
    };
    // Unmeasured: fills kubectl's discovery cache and the page cache for both sides.
    await timeChild('kubectl', ['--kubeconfig', sim.kubeconfig, 'api-resources', '-o', 'name'], { env: sim.env, cwd: workdir });
    const rows = [];
    for (let i = 0; i < runs; i++) {
      const row = await ours();
      if (withBare) row.bareFloorMs = await bare(row.reads);
      rows.push(row);
      log(`dry-run ${workloads}: round ${i + 1}: ours ${row.ms.toFixed(0)} ms, journal floor ${row.journalFloorMs} ms${withBare ? `, bare floor ${row.bareFloorMs.toFixed(0)} ms` : ''} (${row.reads.length} reads, ${row.printed} writes printed)`);
    }
    const oursMs = rows.map((r) => r.ms);
    const journalMs = rows.map((r) => r.journalFloorMs);
    const bareMs = withBare ? rows.map((r) => r.bareFloorMs) : [];
    const rJournal = pairedRatio(oursMs, journalMs);
    const rBare = withBare ? pairedRatio(oursMs, bareMs) : undefined;
    const readList = [...new Set(rows[0].reads.map((argv) => argv.slice(0, argv[0] === 'kubectl' ? 6 : 5).join(' ')))];
    return {
      name: 'dry-run',
      title: `2. Full \`cluster --dry-run\` on ${workloads} workload clusters vs the sum of its own read-only calls`,
      targets: [
        { what: 'dry run / the sum of its reads as journaled, median of the per-run ratios', value: rJournal.toFixed(2), target: `≤ ${TARGET}`, met: rJournal <= TARGET },
        ...(withBare ? [{ what: 'dry run / the same reads re-run bare in sequence (stricter), median of the per-round ratios', value: rBare.toFixed(2), target: `≤ ${TARGET}`, met: rBare <= TARGET }] : []),
      ],
      sections: [
        [
          `${runs} rounds: our dry run${withBare ? ', then its journaled reads re-run bare' : ' (the bare re-run of its reads is off here: `node bench/dry-run.mjs` runs it)'}; ms, median (min–max). ${rows[0].reads.length} reads ran and ${rows[0].printed} writes were printed, not run, per dry run.`,
          '',
          '| | ms |',
          '|---|---|',
          `| \`cluster --dry-run -o json\` | ${fmt(oursMs)} |`,
          `| sum of its reads' durations (journal) | ${fmt(journalMs)} |`,
          ...(withBare ? [`| the same reads re-run bare | ${fmt(bareMs)} |`] : []),
          '',
          `Ratio of the medians: ${ratio(median(oursMs), median(journalMs)).toFixed(2)} (journal)${withBare ? `, ${ratio(median(oursMs), median(bareMs)).toFixed(2)} (bare)` : ''}.`,
          '',
          'The reads (argv, shortened): ' + readList.map((r) => `\`${r.replaceAll(workdir, '…')}…\``).join(', '),
        ].join('\n'),
      ],
      data: { workloads, runs, oursMs, journalMs, bareMs, reads: rows[0].reads.length, printed: rows[0].printed, loadAverage: loadAverage() },
    };
  } finally {
    await sim.close();
    rmSync(workdir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runStandalone(dryRun, cliOptions({ workloads: 500, runs: 5, bare: 1 }));
