#!/usr/bin/env node
// Benchmark 4: a ~256 MiB etcd snapshot streamed over ssh by our code (dist/) vs the bare pipe
// `ssh host 'etcdctl snapshot save f && cat f' > out`; then 4 clusters snapshotted in parallel vs the same
// 4 one after the other. Real etcd (TLS) and real sshd on loopback, started with the helpers the tests use
// (test/helpers/testbed.ts, compiled here on the fly). Our side runs in a fresh child process each time, so
// its peak RSS is ours alone.
//   npm run build && node bench/etcd-snapshot.mjs [--mib 256] [--runs 5] [--mib-each 16] [--without-status 0|1]
//   (BENCH_CPU_PROF=DIR also writes a --cpu-prof profile of each of our runs there)
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cliOptions, fmt, isMain, loadAverage, log, median, outDir, pairedRatio, ratio, repoRoot, runStandalone, loadTestHelper } from './lib.mjs';

const TARGET = 1.3;
const RSS_LIMIT_MIB = 150;
const CLUSTERS = 4;

// ------------------------------------------------------------------------------------------ child mode
// Snapshots of one or more clusters through the product code in a fresh process (snapshotClusters, as
// the backup step calls it), so the peak RSS is ours alone.
if (process.argv[2] === '--child') {
  const config = JSON.parse(process.argv[3]);
  const { Runner } = await import(pathToFileURL(join(repoRoot, 'dist/runner/runner.js')).href);
  const { snapshotClusters, requireAllSnapshots } = await import(pathToFileURL(join(repoRoot, 'dist/etcd/snapshot.js')).href);
  const { planEtcdSnapshot } = await import(pathToFileURL(join(repoRoot, 'dist/etcd/snapshot-plan.js')).href);
  const { clusterObjects } = await import(pathToFileURL(join(outDir, 'layouts.mjs')).href);
  const runner = new Runner({ dryRun: false, verbose: false, log: () => {} });
  const requests = config.clusters.map(({ name, flags }) =>
    planEtcdSnapshot(clusterObjects({ name, topology: 'external', osFamily: 'ubuntu', machines: [{ name: `${name}-etcd-a`, address: '127.0.0.1' }] }), flags, {
      backupDir: config.backupDir,
      cwd: config.backupDir,
    }),
  );
  const started = performance.now();
  let firstByte = 0;
  let lastByte = 0;
  const onProgress = () => {
    lastByte = performance.now() - started;
    firstByte ||= lastByte;
  };
  const outcomes = await snapshotClusters(runner, requests, { backupDir: config.backupDir, statusTool: config.status ? undefined : false, onProgress, concurrency: config.concurrency });
  const entries = requireAllSnapshots(outcomes);
  const ms = performance.now() - started;
  // VmHWM, not getrusage's maxRSS: Linux keeps ru_maxrss across execve, so it would include the
  // parent's RSS at fork time. VmHWM belongs to this process's own address space.
  const hwmKiB = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  process.stdout.write(
    JSON.stringify({ ms, firstByte, lastByte, size: entries.reduce((n, e) => n + e.size, 0), totalKeys: entries[0]?.totalKeys ?? null, maxRssMiB: hwmKiB / 1024 }),
  );
  process.exit(0);
}

// ----------------------------------------------------------------------------------------- parent mode
export async function etcdSnapshot({ mib = 256, runs = 5, mibEach = 16, withoutStatus = 0 } = {}) {
  const testbed = await loadTestHelper('test/helpers/testbed.ts', 'testbed.mjs');
  await loadTestHelper('test/etcd/layouts.ts', 'layouts.mjs');
  const { layOutExternal, makeRoot } = await import(pathToFileURL(join(outDir, 'layouts.mjs')).href);
  if (!testbed.requireRealTools()) throw new Error('the etcd benchmark needs etcd, etcdctl, openssl, sshd, ssh, sudo and root');

  // tmpfs when there is one: both sides write the snapshot twice (remote temp file, local file), and on a
  // shared disk the writeback of one run lands in the next.
  const scratch = statSync('/dev/shm', { throwIfNoEntry: false })?.isDirectory() ? '/dev/shm' : tmpdir();
  const work = mkdtempSync(join(scratch, 'esu-bench-'));
  const pki = testbed.makePki(join(work, 'pki'));
  const started = [];
  try {
    // Filling etcd through etcdctl takes ~20 s; its snapshot is kept under bench/out/ and later runs start
    // etcd restored from it (the same data, a few seconds). Delete the file to fill afresh.
    const filled = join(outDir, `etcd-filled-${mib}MiB.db`);
    const reuse = statSync(filled, { throwIfNoEntry: false })?.isFile() ?? false;
    let t = performance.now();
    const [etcd, sshd] = await Promise.all([testbed.startEtcd({ pki, ...(reuse ? { restoreFrom: filled } : {}) }), testbed.startSshd()]);
    started.push(etcd, sshd);
    if (!reuse) {
      await testbed.fillEtcd(etcd, mib);
      etcd.ctl(['snapshot', 'save', filled]);
    }
    const fillSeconds = (performance.now() - t) / 1000;
    const how = reuse ? `restored from ${join('bench', 'out', `etcd-filled-${mib}MiB.db`)} (filled with ${mib} MiB of 1 MiB values by an earlier run)` : `filled with ${mib} MiB of 1 MiB values`;
    log(`etcd: ${how} in ${fillSeconds.toFixed(1)} s`);
    const sshFlags = { sshKey: sshd.clientKey, sshPort: sshd.port, sshUser: sshd.user, saveTimeoutSeconds: 600 };
    const root = makeRoot(work);
    layOutExternal(root, pki, etcd.endpoint);
    const sshBase = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-i', sshd.clientKey, '-p', String(sshd.port), `${sshd.user}@127.0.0.1`];
    const etcdctl = `ETCDCTL_API=3 etcdctl --endpoints=${etcd.endpoint} --cacert=${pki.ca} --cert=${pki.clientCert} --key=${pki.clientKey}`;
    const bareRemote = `sudo -n sh -c 'f=$(mktemp ${root}/var/lib/etcd/bare.XXXXXX) && ${etcdctl} snapshot save "$f" >/dev/null 2>&1 && cat "$f"; rm -f "$f"'`;

    // Both sides write the whole snapshot twice on this machine: flush the previous run's dirty pages
    // first so one run's writeback does not land in the next.
    const settle = () => spawnSync('sync');
    const bare = () => {
      settle();
      const file = join(work, 'bare.db');
      const fd = openSync(file, 'w');
      const begin = performance.now();
      const result = spawnSync('ssh', [...sshBase, bareRemote], { stdio: ['ignore', fd, 'inherit'] });
      const ms = performance.now() - begin;
      closeSync(fd);
      if (result.status !== 0) throw new Error(`bare pipe failed: ${result.status}`);
      const size = statSync(file).size;
      rmSync(file);
      return { ms, size };
    };
    const ours = (clusters, { status = true, concurrency = 4 } = {}) =>
      new Promise((resolve, reject) => {
        settle();
        const backupDir = mkdtempSync(join(work, 'ours-'));
        // BENCH_CPU_PROF=DIR: profile our side (node --cpu-prof), to see where its time goes.
        const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
        const child = spawn(process.execPath, [...profile, fileURLToPath(import.meta.url), '--child', JSON.stringify({ clusters, backupDir, status, concurrency })], { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        child.stdout.on('data', (d) => (text += d));
        child.on('exit', (code) => {
          rmSync(backupDir, { recursive: true, force: true });
          code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`our snapshot failed: ${code}`));
        });
      });
    const one = [{ name: 'bench', flags: { ...sshFlags, remoteRoot: root } }];

    // Warm ssh and sudo once (etcd's database is in the page cache already: it was just written).
    if (spawnSync('ssh', [...sshBase, 'sudo -n true']).status !== 0) throw new Error('ssh to the test sshd failed');
    // Paired rounds, alternating which side goes first, so drift in machine load hits both sides alike.
    const rows = { bare: [], ours: [], oursNoStatus: [] };
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) rows.bare.push(bare());
      rows.ours.push(await ours(one));
      if (withoutStatus) rows.oursNoStatus.push(await ours(one, { status: false }));
      if (i % 2 === 1) rows.bare.push(bare());
      const o = rows.ours[i];
      log(
        `etcd: run ${i + 1}: bare ${rows.bare[i].ms.toFixed(0)} ms, ours ${o.ms.toFixed(0)} ms (first byte ${o.firstByte.toFixed(0)}, last byte ${o.lastByte.toFixed(0)}, ` +
          `then verify+status+rename ${(o.ms - o.lastByte).toFixed(0)}), peak RSS ${o.maxRssMiB.toFixed(1)} MiB`,
      );
    }

    // Four clusters, each its own etcd (restored from one filled with mibEach MiB) behind the same sshd.
    t = performance.now();
    const small = await testbed.startEtcd({ pki });
    started.push(small);
    await testbed.fillEtcd(small, mibEach);
    const seed = join(work, 'seed.db');
    small.ctl(['snapshot', 'save', seed]);
    const etcds = [small];
    for (let i = 1; i < CLUSTERS; i++) {
      const e = await testbed.startEtcd({ pki, restoreFrom: seed });
      started.push(e);
      etcds.push(e);
    }
    const four = etcds.map((e, i) => {
      const r = makeRoot(work);
      layOutExternal(r, pki, e.endpoint);
      return { name: `w0${i + 1}`, flags: { ...sshFlags, remoteRoot: r } };
    });
    log(`etcd: ${CLUSTERS} etcds of ${mibEach} MiB ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const fourRows = { parallel: [], sequential: [] };
    for (let i = 0; i < runs; i++) {
      const order = i % 2 ? ['sequential', 'parallel'] : ['parallel', 'sequential'];
      for (const side of order) fourRows[side].push(await ours(four, { concurrency: side === 'parallel' ? CLUSTERS : 1 }));
      log(`etcd: ${CLUSTERS} clusters round ${i + 1}: parallel ${fourRows.parallel[i].ms.toFixed(0)} ms, sequential ${fourRows.sequential[i].ms.toFixed(0)} ms`);
    }

    const ms = (list) => list.map((r) => r.ms);
    const r = pairedRatio(ms(rows.ours), ms(rows.bare));
    const ofMedians = ratio(median(ms(rows.ours)), median(ms(rows.bare)));
    const peak = Math.max(...rows.ours.map((o) => o.maxRssMiB), ...rows.oursNoStatus.map((o) => o.maxRssMiB));
    const peakParallel = Math.max(...fourRows.parallel.map((o) => o.maxRssMiB));
    const speedup = pairedRatio(ms(fourRows.sequential), ms(fourRows.parallel));
    const snapshotMiB = rows.ours[0].size / 2 ** 20;
    const fourMiB = fourRows.parallel[0].size / 2 ** 20;
    return {
      name: 'etcd-snapshot',
      title: '4. etcd snapshot over real ssh vs the bare ssh pipe; 4 clusters in parallel vs sequential',
      targets: [
        { what: `snapshot of a ${snapshotMiB.toFixed(0)} MiB etcd: ours / bare pipe, median of the per-round ratios`, value: r.toFixed(2), target: `≤ ${TARGET}`, met: r <= TARGET },
        { what: 'peak RSS of our process (VmHWM), any run', value: `${peak.toFixed(1)} MiB`, target: `< ${RSS_LIMIT_MIB} MiB`, met: peak < RSS_LIMIT_MIB },
        { what: `${CLUSTERS} clusters: sequential / parallel, median of the per-round ratios`, value: speedup.toFixed(2), target: '> 1 (parallel is faster)', met: speedup > 1 },
        { what: `peak RSS with ${CLUSTERS} snapshots streaming at once`, value: `${peakParallel.toFixed(1)} MiB`, target: `< ${RSS_LIMIT_MIB} MiB`, met: peakParallel < RSS_LIMIT_MIB },
      ],
      sections: [
        [
          `etcd 3.4 with TLS client auth and sshd on loopback, a fresh test user with sudo; etcd ${how}, in ${fillSeconds.toFixed(0)} s; snapshot ${snapshotMiB.toFixed(0)} MiB. Scratch on ${scratch === '/dev/shm' ? 'tmpfs' : 'disk'}; \`sync\` before every run. ${runs} paired rounds, order alternating; ms, median (min–max).`,
          '',
          '| | ms | peak RSS MiB |',
          '|---|---|---|',
          `| bare: \`ssh host 'etcdctl snapshot save f && cat f' > out\` | ${fmt(ms(rows.bare))} | — |`,
          `| ours: \`snapshotClusters\` (stream, sha256 + trailer check while streaming, local \`snapshot status\`, rename) | ${fmt(ms(rows.ours))} | ${fmt(rows.ours.map((o) => o.maxRssMiB), 1)} |`,
          ...(withoutStatus ? [`| ours without the local \`snapshot status\` | ${fmt(ms(rows.oursNoStatus))} | ${fmt(rows.oursNoStatus.map((o) => o.maxRssMiB), 1)} |`] : []),
          '',
          `Ratio of the medians: ${ofMedians.toFixed(2)}. Of our time, the stream ends at ${fmt(rows.ours.map((o) => o.lastByte))} ms; the rest is the local \`snapshot status\` and the rename.`,
          '',
          `${CLUSTERS} clusters, each its own etcd (${(fourMiB / CLUSTERS).toFixed(0)} MiB snapshot; ${fourMiB.toFixed(0)} MiB in all) behind the same sshd, snapshotted by one process: \`--concurrency ${CLUSTERS}\` vs \`--concurrency 1\`.`,
          '',
          '| | ms | peak RSS MiB |',
          '|---|---|---|',
          `| ${CLUSTERS} in parallel | ${fmt(ms(fourRows.parallel))} | ${fmt(fourRows.parallel.map((o) => o.maxRssMiB), 1)} |`,
          `| ${CLUSTERS} in sequence | ${fmt(ms(fourRows.sequential))} | ${fmt(fourRows.sequential.map((o) => o.maxRssMiB), 1)} |`,
        ].join('\n'),
      ],
      data: {
        mib,
        runs,
        snapshotBytes: rows.ours[0].size,
        bareMs: ms(rows.bare),
        oursMs: ms(rows.ours),
        oursNoStatusMs: ms(rows.oursNoStatus),
        ratio: r,
        ratioOfMedians: ofMedians,
        peakRssMiB: Number(peak.toFixed(1)),
        four: { mibEach, parallelMs: ms(fourRows.parallel), sequentialMs: ms(fourRows.sequential), speedup, peakRssMiB: Number(peakParallel.toFixed(1)) },
        loadAverage: loadAverage(),
      },
    };
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    rmSync(work, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runStandalone(etcdSnapshot, cliOptions({ mib: 256, runs: 5, mibEach: 16, withoutStatus: 0 }));
