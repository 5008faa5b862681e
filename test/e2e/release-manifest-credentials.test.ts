// A release manifest behind credentials (issue 15, finding 3, as the backup set records it): a URL with
// userinfo is fetched with a Basic Authorization header (fetch refuses such a URL), a presigned URL as it is,
// and the set's manifest.json, the plan file and every output name the location with its credentials `***`.
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';

const NO_ETCD = ['--skip-etcd-backup', '--reason', 'release-manifest credentials: etcd is tested elsewhere'];
const SECRETS = ['s3cr3tpass', 'RELSIGVALUE', 'RELTOKENVALUE', 'BUNDLESIGVALUE', 'BUNDLETOKENVALUE'];

let sim: Sim;
let server: http.Server;
let base = '';
const seen: Array<{ url: string; authorization: string | undefined }> = [];

beforeAll(async () => {
  sim = await startSim({ scenario: 'healthy', seed: 'release-manifest-credentials' });
  const simDir = path.dirname(sim.env.EKSA_SAFE_UPGRADE_RELEASE_MANIFEST!);
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    if (name === 'private/manifest.yaml' && req.headers.authorization !== `Basic ${Buffer.from('admin:s3cr3tpass').toString('base64')}`) {
      res.writeHead(401).end();
      return;
    }
    if (name.endsWith('manifest.yaml')) {
      // Each Bundles manifest behind a presigned URL, as an S3 mirror serves them.
      const release = readFileSync(path.join(simDir, 'release-manifest.yaml'), 'utf8').replace(
        /bundleManifestUrl: *"?(bundles-\d+\.yaml)"?/g,
        (_m, file: string) => `bundleManifestUrl: "${base}/${file}?X-Amz-Expires=3600&X-Amz-Security-Token=BUNDLETOKENVALUE&X-Amz-Signature=BUNDLESIGVALUE"`,
      );
      res.writeHead(200, { 'content-type': 'application/yaml' }).end(release);
      return;
    }
    if (/^bundles-\d+\.yaml$/.test(name)) {
      res.writeHead(200, { 'content-type': 'application/yaml' }).end(readFileSync(path.join(simDir, name)));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sim?.close();
});

const latestSet = () => {
  const folder = path.join(sim.workdir, 'mgmt');
  const name = readdirSync(folder).filter((n) => /-backup-[^.]*$/.test(n)).sort().at(-1)!;
  return path.join(folder, name);
};

describe('a release manifest URL with credentials', () => {
  it.each([
    ['userinfo', () => `${base.replace('http://', 'http://admin:s3cr3tpass@')}/private/manifest.yaml`, () => `${base.replace('http://', 'http://***@')}/private/manifest.yaml`],
    ['a presigned URL', () => `${base}/public/manifest.yaml?X-Amz-Security-Token=RELTOKENVALUE&X-Amz-Signature=RELSIGVALUE`, () => `${base}/public/manifest.yaml?X-Amz-Security-Token=***&X-Amz-Signature=***`],
  ])('%s: fetched, and recorded in manifest.json and the plan file with its credentials redacted', { timeout: 120_000 }, async (_what, url, redacted) => {
    const planFile = path.join(sim.workdir, `plan-${Date.now()}.json`);
    const env = { ...sim.env, XDG_CACHE_HOME: path.join(sim.workdir, `cache-${Date.now()}`) };
    const planned = await runBin(['backup', '-f', sim.specFile(), '--release-manifest', url(), ...NO_ETCD, '--dry-run', '--plan-out', planFile], { env, cwd: sim.workdir });
    expect(planned.exitCode, planned.stderr).toBe(0);
    const r = await runBin(['backup', '-f', sim.specFile(), '--release-manifest', url(), ...NO_ETCD, '-o', 'json'], { env, cwd: sim.workdir });
    expect(r.exitCode, r.stderr).toBe(0);

    const manifestText = readFileSync(path.join(latestSet(), 'manifest.json'), 'utf8');
    const manifest = JSON.parse(manifestText);
    expect(manifest.state).toBe('complete');
    expect(manifest.clusterctl.releaseManifest).toBe(redacted());
    expect(manifest.clusterctl.bundleManifestUrl).toMatch(/\/bundles-\d+\.yaml\?X-Amz-Expires=3600&X-Amz-Security-Token=\*\*\*&X-Amz-Signature=\*\*\*$/);
    const planText = readFileSync(planFile, 'utf8');
    for (const [where, text] of Object.entries({ manifestText, planText, stdout: r.stdout, stderr: r.stderr, planStdout: planned.stdout, planStderr: planned.stderr })) {
      for (const secret of SECRETS) expect(text, `${secret} in ${where}`).not.toContain(secret);
    }
    // The credentials did go to the server: the fetch used them.
    expect(seen.some((s) => s.url.includes('BUNDLESIGVALUE'))).toBe(true);
  });
});
