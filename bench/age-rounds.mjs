#!/usr/bin/env node
// Encryption throughput as it runs inside the tool, for bench/push.mjs: this one node process encrypts FILE
// ROUNDS + 1 times with encryptFile, what `backups push --encrypt-to` runs on each file over 1 MiB (open, then
// batches of sealed chunks written with writev to /dev/null), and between its rounds runs
// `age -r RECIPIENT -o /dev/null FILE`, the order alternating per round.
//   Ours includes: the open, a fresh per-file header (age-encryption's X25519 wrap of a new file key), the 1 MiB
//   reads, the sealing, the plaintext's sha256 (push needs it; on the sha256 thread, age computes none), the
//   write. It excludes node's start-up and module loading; the sha256 thread's start falls in the warm-up.
//   age's includes its process start (a few ms of a Go binary) and its header: all it does for one file.
// Round 0 is a warm-up (JIT, the noble X25519 code, page cache), reported apart. Prints JSON on stdout:
// { warmup: { ours, age }, rounds: [{ ours, age }] }, times in ms.
//   node bench/age-rounds.mjs FILE RECIPIENT ROUNDS   (after npm run build: it loads dist/)
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [file, recipient, roundsText] = process.argv.slice(2);
if (!file || !recipient || !roundsText) {
  process.stderr.write('Error: missing arguments\nusage: node bench/age-rounds.mjs FILE RECIPIENT ROUNDS\n');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { encryptFile } = await import(pathToFileURL(path.join(root, 'dist', 'offsite', 'age-file.js')).href);
const devNull = await open('/dev/null', 'w');

async function ours() {
  const started = performance.now();
  const handle = await open(file, 'r');
  try {
    const encrypted = await encryptFile(handle, [recipient], file);
    for await (const batch of encrypted.batches) await devNull.writev(batch);
    encrypted.plain();
  } finally {
    await handle.close();
  }
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
await devNull.close();
process.stdout.write(`${JSON.stringify({ warmup: results[0], rounds: results.slice(1) })}\n`);
