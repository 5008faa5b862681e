#!/usr/bin/env node
// Benchmark 6, mirror check: the registry mirror check of N images (HEAD /v2/<repo>/manifests/<tag>, TLS with the
// mirror's CA, htpasswd auth, 16 in flight) against its floor: the same HEAD requests sent by `curl --parallel
// --parallel-max 16`, against the same loopback registry (the real CNCF distribution registry), in rounds whose
// order alternates. Ours runs in this process (the check itself, as the gate runs it); curl's side includes its
// own start (a few ms), which only makes the floor harder to meet.
//   npm run build && node bench/mirror-check.mjs [--images 500] [--runs 5]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startRegistry } from '../sim/registry/registry.js';
import { cliOptions, fmt, isMain, loadAverage, log, median, outDir, pairedRatio, ratio, repoRoot, runStandalone, timeChild } from './lib.mjs';

const TARGET = 1.5;
const CONCURRENCY = 16;

export async function mirrorCheck({ images = 500, runs = 5 } = {}) {
  if (spawnSync('curl', ['--version']).status !== 0) throw new Error('mirror-check needs curl');
  const { RegistryClient } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'airgap', 'registry-client.js')).href);
  const { parseImageReference } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'airgap', 'mirror.js')).href);
  const registry = await startRegistry();
  try {
    const refs = Array.from({ length: images }, (_, i) => `${registry.host}/mirror/eks-anywhere/component-${String(i).padStart(3, '0')}/controller:v1.${i % 7}.0-eks-a-230`);
    log(`mirror-check: pushing ${images} images to ${registry.host}`);
    for (let i = 0; i < refs.length; i += CONCURRENCY) await Promise.all(refs.slice(i, i + CONCURRENCY).map((r) => registry.push(r)));

    mkdirSync(outDir, { recursive: true });
    const ca = path.join(outDir, 'mirror-ca.crt');
    writeFileSync(ca, registry.ca);
    const config = path.join(outDir, 'mirror-curl.cfg');
    const quote = (v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    writeFileSync(config, [
      'head', 'silent', 'fail', 'parallel', `parallel-max = ${CONCURRENCY}`, `cacert = ${quote(ca)}`, `user = ${quote(`${registry.username}:${registry.password}`)}`,
      'header = "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json"',
      ...refs.map((r) => {
        const p = parseImageReference(r);
        return `url = ${quote(`https://${p.registry}/v2/${p.repository}/manifests/${p.reference}`)}\noutput = "/dev/null"`;
      }),
      '',
    ].join('\n'));

    const ours = async () => {
      const client = new RegistryClient(registry.host, { ca: registry.ca, insecureSkipVerify: false, credentials: { username: registry.username, password: registry.password }, concurrency: CONCURRENCY, timeoutMs: 15_000 });
      const started = process.hrtime.bigint();
      const states = await client.check(refs.map((r) => parseImageReference(r)));
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      client.close();
      const missing = states.filter((s) => s !== 'present').length;
      if (missing > 0) throw new Error(`mirror-check: ${missing} images reported missing from a complete mirror`);
      return ms;
    };
    const floor = async () => (await timeChild('curl', ['--config', config])).ms;

    // One unmeasured round each: the registry's first reads of its storage.
    await ours();
    await floor();
    const ms = { ours: [], floor: [] };
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        ms.ours.push(await ours());
        ms.floor.push(await floor());
      } else {
        ms.floor.push(await floor());
        ms.ours.push(await ours());
      }
    }
    const r = pairedRatio(ms.ours, ms.floor);
    return {
      name: 'mirror-check',
      title: `6. Mirror check: ${images} images vs \`curl --parallel\``,
      targets: [{ what: `mirror check of ${images} images / \`curl --parallel --parallel-max ${CONCURRENCY}\` HEADs, median of the per-round ratios`, value: r.toFixed(2), target: `≤ ${TARGET}`, met: r <= TARGET }],
      sections: [
        [
          `${runs} rounds, order alternating; ${images} HEAD requests each, ${CONCURRENCY} in flight, TLS with the mirror's own CA and htpasswd (bcrypt) auth, against Debian's docker-registry (CNCF distribution) on loopback. Wall time in ms, median (min–max); the last column is the median of the per-round ratios (ratio of the medians: ${ratio(median(ms.ours), median(ms.floor)).toFixed(2)}):`,
          '',
          '| side | ms | / curl |',
          '|---|---|---|',
          `| \`curl --parallel --parallel-max ${CONCURRENCY}\` (floor, a child process) | ${fmt(ms.floor)} | 1 |`,
          `| the mirror check (\`RegistryClient.check\`, in process) | ${fmt(ms.ours)} | ${r.toFixed(2)} |`,
        ].join('\n'),
      ],
      data: { images, runs, concurrency: CONCURRENCY, ms, ratio: r, loadAverage: loadAverage() },
    };
  } finally {
    await registry.close();
  }
}

if (isMain(import.meta.url)) await runStandalone(mirrorCheck, cliOptions({ images: 500, runs: 5 }));
