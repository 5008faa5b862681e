#!/usr/bin/env node
// Encryption throughput as it runs inside the tool, for bench/push.mjs: this one node process encrypts FILE
// ROUNDS + 1 times with encryptStream (read with the 1 MiB reads of `backups push`, written to /dev/null), and
// between its rounds runs `age -r RECIPIENT -o /dev/null FILE`, the order alternating per round.
//   Ours includes: a fresh per-file header (age-encryption's X25519 wrap of a new file key), the read, the
//   sealing, the write. It excludes node's start-up and module loading.
//   age's includes its process start (a few ms of a Go binary) and its header: all it does for one file.
// Round 0 is a warm-up (JIT, the noble X25519 code, page cache), reported apart. Prints JSON on stdout:
// { warmup: { ours, age }, rounds: [{ ours, age }] }, times in ms.
//   node bench/age-rounds.mjs FILE RECIPIENT ROUNDS   (after npm run build: it loads dist/)
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [file, recipient, roundsText] = process.argv.slice(2);
if (!file || !recipient || !roundsText) {
  process.stderr.write('Error: missing arguments\nusage: node bench/age-rounds.mjs FILE RECIPIENT ROUNDS\n');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { encryptStream } = await import(pathToFileURL(path.join(root, 'dist', 'offsite', 'age-stream.js')).href);

async function ours() {
  const started = performance.now();
  await pipeline(createReadStream(file, { highWaterMark: 1024 * 1024 }), await encryptStream([recipient]), createWriteStream('/dev/null'));
  return performance.now() - started;
}

function age() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('age', ['-r', recipient, '-o', '/dev/null', file], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`age exited ${code}`))));
  });
}

const results = [];
for (let round = 0; round <= Number(roundsText); round++) {
  const r = {};
  // Alternate the order so neither side always runs right after the other's writes.
  if (round % 2 === 0) {
    r.ours = await ours();
    r.age = await age();
  } else {
    r.age = await age();
    r.ours = await ours();
  }
  results.push({ ours: Math.round(r.ours), age: Math.round(r.age) });
}
process.stdout.write(`${JSON.stringify({ warmup: results[0], rounds: results.slice(1) })}\n`);
