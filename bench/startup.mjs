#!/usr/bin/env node
// Benchmark 5, startup: `eksa-safe-upgrade --help` against the floor it cannot beat, `node -e 0`,
// in paired rounds (the order alternates so drifting machine load hits both sides alike).
//   npm run build && node bench/startup.mjs [--runs 15]
import { cliBin, cliOptions, fmt, isMain, loadAverage, median, ratio, runStandalone, timeChild } from './lib.mjs';

const TARGET = 3;

export async function startup({ runs = 15 } = {}) {
  const env = { ...process.env, NO_COLOR: '1' };
  const floorArgs = ['-e', '0'];
  const oursArgs = [cliBin, '--help'];
  const version = [cliBin, '--version'];
  // One unmeasured round each: the first start pays for reading the files from disk.
  await timeChild(process.execPath, floorArgs, { env });
  await timeChild(process.execPath, oursArgs, { env });
  const floor = [];
  const ours = [];
  const versionMs = [];
  for (let i = 0; i < runs; i++) {
    const pair = [
      async () => floor.push((await timeChild(process.execPath, floorArgs, { env })).ms),
      async () => ours.push((await timeChild(process.execPath, oursArgs, { env })).ms),
    ];
    if (i % 2) pair.reverse();
    for (const step of pair) await step();
    versionMs.push((await timeChild(process.execPath, version, { env })).ms);
  }
  const r = ratio(median(ours), median(floor));
  return {
    name: 'startup',
    title: '5. Startup: `eksa-safe-upgrade --help` vs `node -e 0`',
    targets: [{ what: '`--help` median / `node -e 0` median', value: r.toFixed(2), target: `≤ ${TARGET}`, met: r <= TARGET }],
    sections: [
      [
        `${runs} paired rounds, wall time of the whole process in ms, median (min–max):`,
        '',
        '| command | ms |',
        '|---|---|',
        `| \`node -e 0\` (floor) | ${fmt(floor)} |`,
        `| \`eksa-safe-upgrade --help\` | ${fmt(ours)} |`,
        `| \`eksa-safe-upgrade --version\` (not a target; shown for scale) | ${fmt(versionMs)} |`,
      ].join('\n'),
    ],
    data: { runs, floorMs: floor, oursMs: ours, versionMs, ratio: r, loadAverage: loadAverage() },
  };
}

if (isMain(import.meta.url)) await runStandalone(startup, cliOptions({ runs: 15 }));
