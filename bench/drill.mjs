#!/usr/bin/env node
// Benchmark 6: the drill of a ~256 MiB etcd snapshot by our code (dist/: drillSnapshot, as `drill <set>` and
// `--drill` run it) vs the floor on the same file: bare `etcdctl snapshot restore` (etcdutl where it exists,
// as ours), etcd started on it and polled until healthy, `etcdctl get /registry/ --prefix --keys-only`, etcd
// stopped and its data removed. Real etcd on loopback; the file is made with the helpers the tests use
// (test/helpers/testbed.ts, compiled on the fly). Our side runs in a fresh child process each time, so its
// peak RSS (VmHWM) is ours alone: etcd is a child of it, with its own.
//   npm run build && node bench/drill.mjs [--mib 256] [--runs 5] [--small-keys 20000] [--without-status 0|1]
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cliOptions, fmt, isMain, loadAverage, log, median, outDir, pairedRatio, ratio, repoRoot, runStandalone, loadTestHelper } from './lib.mjs';

const TARGET = 1.3;
const RSS_LIMIT_MIB = 150;
const SNAPSHOT = { cluster: 'bench', member: 'bench-etcd-a', address: '127.0.0.1', file: 'etcd/bench.db' };

// ------------------------------------------------------------------------------------------ child mode
// One drill through the product code in a fresh process, so the peak RSS is ours alone.
if (process.argv[2] === '--child') {
  const config = JSON.parse(process.argv[3]);
  const { Runner } = await import(pathToFileURL(join(repoRoot, 'dist/runner/runner.js')).href);
  const { drillSnapshot } = await import(pathToFileURL(join(repoRoot, 'dist/drill/run-drill.js')).href);
  const { findDrillTools } = await import(pathToFileURL(join(repoRoot, 'dist/drill/tools.js')).href);
  const runner = new Runner({ dryRun: false, verbose: false, log: () => {} });
  const tools = findDrillTools(process.env.PATH, undefined);
  const started = performance.now();
  const result = await drillSnapshot(runner, tools, config.setDir, { ...SNAPSHOT, ...config.expected }, { tmpdir: config.tmpdir, ...(config.status ? {} : { status: false }) });
  const ms = performance.now() - started;
  const hwmKiB = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  process.stdout.write(JSON.stringify({ ms, ok: result.ok, problems: result.problems, registryKeys: result.registryKeys, revision: result.revision, totalKeys: result.totalKeys, tool: tools.restore.tool, maxRssMiB: hwmKiB / 1024 }));
  process.exit(0);
}

const which = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim() || undefined;

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function must(result, what) {
  if (result.status !== 0) throw new Error(`${what} exited ${result.status}: ${String(result.stderr ?? '').trim().slice(0, 400)}`);
  return result;
}

// ----------------------------------------------------------------------------------------- parent mode
export async function drill({ mib = 256, runs = 5, smallKeys = 20000, withoutStatus = 0 } = {}) {
  const testbed = await loadTestHelper('test/helpers/testbed.ts', 'testbed.mjs');
  if (!testbed.requireRealTools()) throw new Error('the drill benchmark needs etcd, etcdctl, openssl, sshd, ssh, sudo and root');
  const etcdutl = which('etcdutl');
  const restoreTool = etcdutl ?? 'etcdctl';

  // tmpfs when there is one: both sides write the restored database (as big as the snapshot).
  const scratch = statSync('/dev/shm', { throwIfNoEntry: false })?.isDirectory() ? '/dev/shm' : tmpdir();
  const work = mkdtempSync(join(scratch, 'esu-bench-drill-'));
  try {
    // The snapshot: `mib` MiB of 1 MiB values and `smallKeys` small keys under /registry/ (objects), plus
    // kube-system. Kept under bench/out/; delete it to fill afresh.
    const filled = join(outDir, `drill-${mib}MiB-${smallKeys}keys.db`);
    let t = performance.now();
    if (!statSync(filled, { throwIfNoEntry: false })?.isFile()) {
      const etcd = await testbed.startEtcd({ pki: testbed.makePki(join(work, 'pki')) });
      try {
        await testbed.fillEtcd(etcd, mib);
        testbed.putKeys(etcd, '/registry/configmaps/bench/cm-', smallKeys);
        etcd.ctl(['put', '/registry/namespaces/kube-system', '{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"kube-system"}}']);
        mkdirSync(outDir, { recursive: true });
        etcd.ctl(['snapshot', 'save', filled]);
      } finally {
        await etcd.stop();
      }
    }
    const fillSeconds = (performance.now() - t) / 1000;
    const setDir = join(work, 'set');
    mkdirSync(join(setDir, 'etcd'), { recursive: true });
    copyFileSync(filled, join(setDir, SNAPSHOT.file));
    const file = join(setDir, SNAPSHOT.file);
    const status = JSON.parse(must(spawnSync(restoreTool, ['snapshot', 'status', file, '-w', 'json'], { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' } }), 'snapshot status').stdout);
    const expected = { revision: status.revision, totalKeys: status.totalKey };
    log(`drill: snapshot ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB, revision ${status.revision}, ${status.totalKey} keys (${fillSeconds.toFixed(1)} s to make or find); restore with ${restoreTool}`);

    const settle = () => spawnSync('sync');
    const env = { ...process.env, ETCDCTL_API: '3' };
    // The floor: the same steps by hand, with nothing checked but exit codes.
    const bare = async () => {
      settle();
      const dir = mkdtempSync(join(work, 'bare-'));
      const data = join(dir, 'data');
      const [client, peer] = [await freePort(), await freePort()];
      const clientUrl = `http://127.0.0.1:${client}`;
      const peerUrl = `http://127.0.0.1:${peer}`;
      const begin = performance.now();
      must(spawnSync(restoreTool, ['snapshot', 'restore', file, '--name', 'm', '--data-dir', data, '--initial-cluster', `m=${peerUrl}`, '--initial-advertise-peer-urls', peerUrl], { env, stdio: ['ignore', 'ignore', 'pipe'] }), 'bare restore');
      const server = spawn('etcd', ['--name', 'm', '--data-dir', data, '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl, '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `m=${peerUrl}`, '--logger=zap', '--log-outputs=stderr'], { stdio: ['ignore', 'ignore', 'ignore'] });
      const exited = new Promise((resolve) => server.once('exit', resolve));
      try {
        for (let i = 0; ; i++) {
          if (spawnSync('etcdctl', [`--endpoints=${clientUrl}`, '--dial-timeout=2s', '--command-timeout=2s', 'endpoint', 'health'], { env, stdio: 'ignore' }).status === 0) break;
          if (i > 1200) throw new Error('bare etcd never became healthy');
          await sleep(50);
        }
        const keys = must(spawnSync('etcdctl', [`--endpoints=${clientUrl}`, 'get', '/registry/', '--prefix', '--keys-only'], { env, encoding: 'utf8', maxBuffer: 1 << 30 }), 'bare get');
        server.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
        return { ms: performance.now() - begin, keys: keys.stdout.split('\n').filter(Boolean).length };
      } finally {
        if (server.exitCode === null) server.kill('SIGKILL');
      }
    };
    const ours = ({ status = true } = {}) =>
      new Promise((resolve, reject) => {
        settle();
        const tmp = mkdtempSync(join(work, 'ours-'));
        const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify({ setDir, tmpdir: tmp, expected, status })], { stdio: ['ignore', 'pipe', 'inherit'] });
        let text = '';
        child.stdout.on('data', (d) => (text += d));
        child.on('exit', (code) => {
          rmSync(tmp, { recursive: true, force: true });
          if (code !== 0) return reject(new Error(`our drill failed: ${code}`));
          const r = JSON.parse(text);
          if (!r.ok) return reject(new Error(`our drill did not pass: ${r.problems.join('; ')}`));
          resolve(r);
        });
      });

    await bare(); // warm: the snapshot in the page cache for both sides, etcd's binary loaded
    const rows = { bare: [], ours: [], oursNoStatus: [] };
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) rows.bare.push(await bare());
      rows.ours.push(await ours());
      if (withoutStatus) rows.oursNoStatus.push(await ours({ status: false }));
      if (i % 2 === 1) rows.bare.push(await bare());
      log(`drill: run ${i + 1}: bare ${rows.bare[i].ms.toFixed(0)} ms, ours ${rows.ours[i].ms.toFixed(0)} ms${withoutStatus ? ` (without status ${rows.oursNoStatus[i].ms.toFixed(0)})` : ''}, peak RSS ${rows.ours[i].maxRssMiB.toFixed(1)} MiB`);
    }
    const ms = (list) => list.map((r) => r.ms);
    const r = pairedRatio(ms(rows.ours), ms(rows.bare));
    const rNoStatus = withoutStatus ? pairedRatio(ms(rows.oursNoStatus), ms(rows.bare)) : undefined;
    const ofMedians = ratio(median(ms(rows.ours)), median(ms(rows.bare)));
    const peak = Math.max(...rows.ours.map((o) => o.maxRssMiB), ...rows.oursNoStatus.map((o) => o.maxRssMiB));
    const snapshotMiB = statSync(file).size / 2 ** 20;
    return {
      name: 'drill',
      title: '6. drill of an etcd snapshot vs bare restore + etcd start + get --keys-only',
      targets: [
        { what: `drill of a ${snapshotMiB.toFixed(0)} MiB snapshot: ours / floor, median of the per-round ratios`, value: r.toFixed(2), target: `≤ ${TARGET}`, met: r <= TARGET },
        { what: 'peak RSS of our process (VmHWM), any run', value: `${peak.toFixed(1)} MiB`, target: `< ${RSS_LIMIT_MIB} MiB`, met: peak < RSS_LIMIT_MIB },
      ],
      sections: [
        [
          `etcd restored with \`${restoreTool === 'etcdctl' ? 'etcdctl' : 'etcdutl'} snapshot restore\` on both sides; snapshot ${snapshotMiB.toFixed(0)} MiB (${mib} MiB of 1 MiB values, ${smallKeys} small keys under /registry/, revision ${status.revision}, ${status.totalKey} keys). Scratch on ${scratch === '/dev/shm' ? 'tmpfs' : 'disk'}; \`sync\` before every run; one warm-up floor run. ${runs} paired rounds, order alternating; ms, median (min–max).`,
          '',
          '| | ms | peak RSS MiB |',
          '|---|---|---|',
          '| floor: `snapshot restore`, `etcd` polled with `endpoint health` every 50 ms, `etcdctl get /registry/ --prefix --keys-only`, stop, remove the data | ' + `${fmt(ms(rows.bare))} | — |`,
          `| ours: \`drillSnapshot\` (the same, plus \`snapshot status\` of the restored database against the manifest, \`endpoint status\`, per-resource counts, sanity checks) | ${fmt(ms(rows.ours))} | ${fmt(rows.ours.map((o) => o.maxRssMiB), 1)} |`,
          ...(withoutStatus ? [`| ours without the \`snapshot status\` pass | ${fmt(ms(rows.oursNoStatus))} (ratio ${rNoStatus.toFixed(2)}) | ${fmt(rows.oursNoStatus.map((o) => o.maxRssMiB), 1)} |`] : []),
          '',
          `Ratio of the medians: ${ofMedians.toFixed(2)}. Keys under /registry/: ${rows.ours[0].registryKeys} (ours), ${rows.bare[0].keys} (floor). Load average at the end: ${loadAverage().join(', ')}.`,
        ].join('\n'),
      ],
      data: { mib, smallKeys, runs, snapshotBytes: statSync(file).size, restoreTool, bareMs: ms(rows.bare), oursMs: ms(rows.ours), oursNoStatusMs: ms(rows.oursNoStatus), ratio: r, ratioWithoutStatus: rNoStatus ?? null, ratioOfMedians: ofMedians, peakRssMiB: Number(peak.toFixed(1)), loadAverage: loadAverage() },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runStandalone(drill, cliOptions({ mib: 256, runs: 5, smallKeys: 20000, withoutStatus: 0 }));
