#!/usr/bin/env node
// Benchmark 5, startup: `eksa-safe-upgrade --help` against the floor it cannot beat, `node -e 0`,
// in rounds whose order rotates so drifting machine load hits every side alike. A third side shows the
// argument parser's own share: the smallest yargs program that prints a help screen.
//   npm run build && node bench/startup.mjs [--runs 9]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliBin, cliOptions, fmt, isMain, loadAverage, median, outDir, pairedRatio, ratio, runStandalone, timeChild } from './lib.mjs';

// Issue 17: at most twice the bare `node` start-up (the bundle, commands loaded when run).
const TARGET = 2;

export async function startup({ runs = 9 } = {}) {
  const env = { ...process.env, NO_COLOR: '1' };
  // Under bench/ so that `yargs` resolves from the project's node_modules.
  mkdirSync(outDir, { recursive: true });
  const minimal = path.join(outDir, 'minimal-yargs.mjs');
  writeFileSync(minimal, "import yargs from 'yargs';\nawait yargs(process.argv.slice(2)).scriptName('x').command('preflight', 'check readiness').help().parseAsync();\n");
  const sides = {
    floor: [process.execPath, '-e', '0'],
    ours: [process.execPath, cliBin, '--help'],
    yargs: [process.execPath, minimal, '--help'],
  };
  const ms = { floor: [], ours: [], yargs: [] };
  // One unmeasured round: the first start pays for reading the files from disk.
  for (const argv of Object.values(sides)) await timeChild(argv[0], argv.slice(1), { env });
  const names = Object.keys(sides);
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < names.length; k++) {
      const side = names[(i + k) % names.length];
      ms[side].push((await timeChild(sides[side][0], sides[side].slice(1), { env })).ms);
    }
  }
  const r = pairedRatio(ms.ours, ms.floor);
  const rYargs = pairedRatio(ms.yargs, ms.floor);
  return {
    name: 'startup',
    title: '5. Startup: `eksa-safe-upgrade --help` vs `node -e 0`',
    targets: [{ what: '`--help` / `node -e 0`, median of the per-round ratios', value: r.toFixed(2), target: `≤ ${TARGET}`, met: r <= TARGET }],
    sections: [
      [
        `${runs} rounds, order rotating; wall time of the whole process in ms, median (min–max); the last column is the median of the per-round ratios (ratio of the medians: ${ratio(median(ms.ours), median(ms.floor)).toFixed(2)} for \`--help\`):`,
        '',
        '| command | ms | / `node -e 0` |',
        '|---|---|---|',
        `| \`node -e 0\` (floor) | ${fmt(ms.floor)} | 1 |`,
        `| \`eksa-safe-upgrade --help\` | ${fmt(ms.ours)} | ${r.toFixed(2)} |`,
        `| the smallest yargs program's \`--help\` (one command; not a target: the parser's own share) | ${fmt(ms.yargs)} | ${rYargs.toFixed(2)} |`,
      ].join('\n'),
    ],
    data: { runs, ms, ratio: r, ratioYargs: rYargs, loadAverage: loadAverage() },
  };
}

if (isMain(import.meta.url)) await runStandalone(startup, cliOptions({ runs: 9 }));
