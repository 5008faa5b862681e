#!/usr/bin/env node
// Benchmark 6: off-site copies. Against a CNCF distribution registry this script starts on loopback (plain HTTP,
// no auth: the transfer is measured, not bcrypt):
//   1. `backups push` of a ~256 MiB set (plaintext, so both sides send the same bytes) vs `curl --upload-file` of
//      the same bytes to the same registry's blob upload (POST, then PUT with the digest);
//   2. encryption throughput: encryptFile, what push runs on each file over 1 MiB (header by age-encryption,
//      payload by node:crypto), vs the `age` CLI on the same file, to /dev/null, as it runs inside the tool: one
//      node process (bench/age-rounds.mjs) encrypts the file once to warm up, then --runs times, with an
//      `age -r` run of the same file between its rounds. Ours includes the open, the per-file header, the 1 MiB
//      reads, the sealing, the plaintext's sha256 that push records (on its sha256 thread; age computes none)
//      and the writev of the batches, not node's start-up, module loading or the sha256 thread's start (in the
//      warm-up); age's includes its (Go) process start. The ratio: the median of per-round age / ours;
//   3. peak RSS (VmHWM) of `backups push --encrypt-to` of a ~1 GiB set.
//   npm run build && node bench/push.mjs [--mib 256] [--runs 5] [--rss-gib 1]
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { cliBin, cliOptions, fmt, isMain, log, median, pairedRatio, repoRoot, runStandalone, timeChild } from './lib.mjs';
import { buildSet } from './verify.mjs';
import { startRegistry as startLoopbackRegistry } from '../sim/registry/registry.js';

const PUSH_TARGET = 1.3;
const ENCRYPT_TARGET = 0.8;
const RSS_TARGET_MIB = 200;

/** The loopback registry, plain HTTP and no auth (sim/registry/registry.js), its storage under `dir`. */
async function startRegistry(dir) {
  const registry = await startLoopbackRegistry({ tls: false, auth: false, storage: path.join(dir, 'storage') });
  return { host: registry.host, stop: () => registry.close() };
}

/** The floor: one blob upload with curl, as the distribution API's monolithic push (POST, then PUT ?digest=). */
async function curlUpload(host, repo, file, digest) {
  const started = performance.now();
  const headers = execFileSync('curl', ['-sf', '-D', '-', '-o', '/dev/null', '-X', 'POST', `http://${host}/v2/${repo}/blobs/uploads/`]).toString();
  const location = /^location: (.+)$/im.exec(headers)[1].trim();
  const url = new URL(location, `http://${host}`);
  url.searchParams.set('digest', digest);
  await timeChild('curl', ['-sf', '-o', '/dev/null', '--upload-file', file, '-H', 'Content-Type: application/octet-stream', url.toString()]);
  return performance.now() - started;
}

const sha256 = async (file) => {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return `sha256:${h.digest('hex')}`;
};

/** Peak RSS of a child, from /proc/<pid>/status VmHWM polled until it exits. */
function peakRss(file, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let peak = 0;
    let err = '';
    child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
    const poll = setInterval(() => {
      try {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
        peak = Math.max(peak, kb);
      } catch {
        // exited between polls
      }
    }, 20);
    child.on('close', (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`push exited ${code}: ${err}`));
      else resolve(peak / 1024);
    });
  });
}

export async function push({ mib = 256, runs = 5, rssGib = 1 } = {}) {
  const work = mkdtempSync(path.join(tmpdir(), 'esu-bench-push-'));
  const registry = await startRegistry(path.join(work, 'registry'));
  try {
    log(`push: building a ${mib} MiB set`);
    const set = await buildSet(path.join(work, 'small'), { gib: mib / 1024, workloads: 2 });
    // The floor sends the same bytes: every file of the set, concatenated.
    const files = execFileSync('find', [set.dir, '-type', 'f']).toString().trim().split('\n').sort();
    const all = path.join(work, 'all.bin');
    const out = createWriteStream(all);
    // One write stream for every file: pipeline(…, { end: false }) would leave its listeners on it per file.
    for (const f of files) for await (const chunk of createReadStream(f)) if (!out.write(chunk)) await once(out, 'drain');
    out.end();
    await once(out, 'close');
    const digest = await sha256(all);
    const key = path.join(work, 'key.txt');
    execFileSync('age-keygen', ['-o', key], { stdio: 'ignore' });
    const recipient = execFileSync('age-keygen', ['-y', key]).toString().trim();
    const env = { ...process.env, DOCKER_CONFIG: path.join(work, 'no-docker-config') };
    const ms = { ours: [], curl: [], encrypt: [], age: [] };
    let rounds;
    for (let round = 0; round < runs; round++) {
      // Alternate the order so neither side always runs on a warmer machine.
      const pair = [
        async () => ms.ours.push((await timeChild(process.execPath, [cliBin, 'backups', 'push', set.dir, `oci://${registry.host}/bench/r${round}`, '--insecure-registry', '--allow-plaintext-push'], { env })).ms),
        async () => ms.curl.push(await curlUpload(registry.host, `floor/r${round}`, all, digest)),
      ];
      for (const step of round % 2 === 0 ? pair : pair.reverse()) await step();
      log(`push: round ${round + 1}/${runs}`);
    }
    log(`push: encryption, ${runs} rounds after a warm-up, in one process`);
    rounds = JSON.parse((await timeChild(process.execPath, [path.join(repoRoot, 'bench', 'age-rounds.mjs'), all, recipient, String(runs)], { keepStdout: true })).stdout);
    ms.encrypt = rounds.rounds.map((r) => r.ours);
    ms.age = rounds.rounds.map((r) => r.age);
    log(`push: building a ${rssGib} GiB set for the peak RSS`);
    const big = await buildSet(path.join(work, 'big'), { gib: rssGib, workloads: 2 });
    const rss = await peakRss(process.execPath, [cliBin, 'backups', 'push', big.dir, `oci://${registry.host}/bench/rss`, '--insecure-registry', '--encrypt-to', recipient], env);
    const pushRatio = pairedRatio(ms.ours, ms.curl);
    // Throughput ratio: ours / age's = age's time / our time.
    const encryptRatio = Number(median(ms.age.map((a, i) => a / ms.encrypt[i])).toFixed(2));
    const mibOf = (bytes) => (bytes / 2 ** 20).toFixed(0);
    return {
      name: 'push',
      title: `Off-site push: a ${mibOf(set.bytes)} MiB set to a loopback registry, age encryption, peak RSS at ${rssGib} GiB`,
      targets: [
        { what: '`backups push` / `curl --upload-file` of the same bytes, median of per-round ratios', value: pushRatio.toFixed(2), target: `≤ ${PUSH_TARGET}`, met: pushRatio <= PUSH_TARGET },
        { what: 'our encryption throughput / the `age` CLI\'s, same file, median of per-round ratios', value: encryptRatio.toFixed(2), target: `≥ ${ENCRYPT_TARGET}`, met: encryptRatio >= ENCRYPT_TARGET },
        { what: `peak RSS of \`backups push --encrypt-to\` of a ${mibOf(big.bytes)} MiB set`, value: `${rss.toFixed(0)} MiB`, target: `< ${RSS_TARGET_MIB} MiB`, met: rss < RSS_TARGET_MIB },
      ],
      sections: [
        [
          `| side (${runs} rounds, ms) | median (min–max) |`,
          '|---|---|',
          `| \`backups push --allow-plaintext-push\` (${set.files} files) | ${fmt(ms.ours)} |`,
          `| \`curl --upload-file\` of the same bytes as one blob | ${fmt(ms.curl)} |`,
          `| our age encryption to /dev/null, in one process (warm-up round: ${rounds.warmup.ours}) | ${fmt(ms.encrypt)} |`,
          `| \`age -r\` to /dev/null, between our rounds (warm-up round: ${rounds.warmup.age}) | ${fmt(ms.age)} |`,
          `| per-round age / ours | ${ms.age.map((a, i) => (a / ms.encrypt[i]).toFixed(2)).join(', ')} |`,
        ].join('\n'),
        'Encryption: our rounds are `encryptFile`, what push runs on each file over 1 MiB, in one running node process (the open, the per-file header, the 1 MiB reads, the sealing, the plaintext\'s sha256 on the sha256 thread, the writev of the batches to /dev/null); node\'s start-up, module loading and the sha256 thread\'s start (warm-up round) are not included. age\'s rounds are whole `age -r` runs (its Go process start included; age computes no sha256).',
      ],
    };
  } finally {
    registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runStandalone(push, cliOptions({ mib: 256, runs: 5, rssGib: 1 }));
