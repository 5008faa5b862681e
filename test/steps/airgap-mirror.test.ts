// The registry mirror check against the real CNCF distribution registry (TLS with its own CA, htpasswd
// auth) and the simulated tree: a complete mirror passes; one image removed stops the run with
// images-missing naming it before any write; wrong credentials exit 3 without showing them.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { startRegistry } from '../../sim/registry/registry.js';
import { runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const ARGS = ['--skip-etcd-backup', '--reason', 'mirror tests: etcd has its own', '--cli-tools-image', IMAGE, '--confirm-interval', '1s', '--confirm-timeout', '60s'];
const REMOVED_REPO = 'eks-anywhere/cert-manager/cert-manager-controller';

/** Every image URI in the simulator's bundle files (all EKS-A versions, all minors). */
function bundleImages(workdir: string): string[] {
  const dir = path.join(workdir, '.sim');
  const uris = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o['uri'] === 'string' && typeof o['imageDigest'] === 'string') uris.add(o['uri']);
      else Object.values(o).forEach(walk);
    }
  };
  for (const f of readdirSync(dir).filter((n) => /^bundles-.*\.yaml$/.test(n))) walk(parse(readFileSync(path.join(dir, f), 'utf8')));
  return [...uris];
}

/** The spec file with a registry mirror configuration (public.ecr.aws → HOST/mirror). */
function withMirror(specFile: string, mirror: Record<string, unknown>): void {
  const docs = parseAllDocuments(readFileSync(specFile, 'utf8')).map((d) => d.toJS());
  for (const d of docs) if (d.kind === 'Cluster') d.spec.registryMirrorConfiguration = mirror;
  writeFileSync(specFile, docs.map((d) => stringify(d)).join('---\n'));
}

describe('the registry mirror check', () => {
  let sim: Sim;
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let removed: string[] = [];

  beforeAll(async () => {
    [sim, registry] = await Promise.all([startSim({ scenario: 'healthy' }), startRegistry()]);
    const images = bundleImages(sim.workdir);
    expect(images.length).toBeGreaterThan(30);
    const mirrored = images.map((uri) => uri.replace('public.ecr.aws', `${registry.host}/mirror`));
    for (let i = 0; i < mirrored.length; i += 16) await Promise.all(mirrored.slice(i, i + 16).map((m) => registry.push(m)));
    removed = mirrored.filter((m) => m.includes(`/mirror/${REMOVED_REPO}:`));
    expect(removed.length).toBeGreaterThan(0);
    withMirror(sim.specFile(), {
      endpoint: '127.0.0.1',
      port: String(registry.port),
      authenticate: true,
      caCertContent: registry.ca,
      ociNamespaces: [{ registry: 'public.ecr.aws', namespace: 'mirror' }],
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([sim?.close(), registry?.close()]);
  });

  const env = (password = registry.password) => ({ ...sim.env, REGISTRY_USERNAME: registry.username, REGISTRY_PASSWORD: password });

  it('passes a complete mirror (dry run)', async () => {
    const r = await runBin(['cluster', '-f', sim.specFile(), ...ARGS, '--dry-run'], { env: env(), cwd: sim.workdir, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Check the registry mirror holds every image: (\d+) of \1 in 127\.0\.0\.1:\d+/);
  }, 120_000);

  it('exits 3 on wrong credentials and shows no secret', async () => {
    const wrong = 'wrong-Pa55-visible?';
    const r = await runBin(['cluster', '-f', sim.specFile(), ...ARGS, '--dry-run'], { env: env(wrong), cwd: sim.workdir, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain(`the registry mirror ${registry.host} refused the credentials (HTTP 401)`);
    expect(`${r.stdout}${r.stderr}`).not.toContain(wrong);
    expect(`${r.stdout}${r.stderr}`).not.toContain(registry.password);
  }, 120_000);

  it('exits 3 when the mirror wants credentials and none are set', async () => {
    const { REGISTRY_USERNAME: _u, REGISTRY_PASSWORD: _p, ...rest } = env();
    const r = await runBin(['cluster', '-f', sim.specFile(), ...ARGS, '--dry-run'], { env: { ...rest, DOCKER_CONFIG: path.join(sim.workdir, 'no-docker-config') }, cwd: sim.workdir, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('requires credentials (HTTP 401) and none were found');
  }, 120_000);

  it('stops with images-missing naming the removed image, before any write, in the dry run and the real run', async () => {
    for (const image of removed) await registry.remove(image);
    const dry = await runBin(['cluster', '-f', sim.specFile(), ...ARGS, '--dry-run'], { env: env(), cwd: sim.workdir, timeoutMs: 120_000 });
    expect(dry.exitCode, dry.stderr).toBe(4);
    const before = sim.journal().length;
    const real = await runBin(['cluster', '-f', sim.specFile(), ...ARGS], { env: env(), cwd: sim.workdir, timeoutMs: 120_000 });
    expect(real.exitCode, real.stderr).toBe(4);
    const error = real.stderr.split('\n').find((l) => l.startsWith('Error:')) ?? '';
    expect(error).toContain('images-missing');
    expect(error).toMatch(new RegExp(`127\\.0\\.0\\.1:\\d+/mirror/${REMOVED_REPO}:v[^ ]+-eks-a-\\d+ \\(1\\.\\d+ certManager\\.controller\\)`));
    const writes = sim.journal().slice(before).filter((e) => e.source === 'apiserver' || e.source === 'clusterctl' || e.source === 'docker' || (e.source === 'eksctl' && e.argv?.includes('upgrade') && !e.argv?.includes('plan')));
    expect(writes).toEqual([]);
    // preflight runs the same check.
    const pre = await runBin(['preflight', '-f', sim.specFile()], { env: env(), cwd: sim.workdir, timeoutMs: 120_000 });
    expect(pre.exitCode, pre.stderr).toBe(4);
    expect(pre.stderr).toMatch(new RegExp(`Error: images-missing: .*/mirror/${REMOVED_REPO}:`));
  }, 240_000);

  it('goes on with --skip-image-check and a reason, and refuses it without one', async () => {
    const bare = await runBin(['cluster', '-f', sim.specFile(), '--cli-tools-image', IMAGE, '--skip-image-check', '--dry-run'], { env: env(), cwd: sim.workdir, timeoutMs: 120_000 });
    expect(bare.exitCode, bare.stderr).toBe(2);
    expect(bare.stderr).toContain('--skip-image-check needs --reason');
    const report = path.join(sim.workdir, 'skip-report.json');
    const r = await runBin(['cluster', '-f', sim.specFile(), ...ARGS, '--skip-image-check', '--dry-run', '--report', report], { env: env(), cwd: sim.workdir, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('skipped (--skip-image-check): mirror tests: etcd has its own');
    expect(JSON.parse(readFileSync(report, 'utf8')).inputs.imageCheckSkipped).toEqual({ reason: 'mirror tests: etcd has its own' });
  }, 120_000);

  it('refuses a malformed --bundles-override with exit 2 naming what is missing', async () => {
    const file = path.join(sim.workdir, 'override.yaml');
    writeFileSync(file, stringify({ apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'Bundles', metadata: { name: 'x' }, spec: { number: 1, versionsBundles: [{ kubeVersion: '1.31', eksa: { cliTools: { uri: IMAGE } } }] } }));
    const r = await runBin(['cluster', '-f', sim.specFile(), ...ARGS, '--dry-run', '--bundles-override', file], { env: env(), cwd: sim.workdir, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(`Error: --bundles-override ${file} is not usable: no versions bundle for Kubernetes 1.32 (spec.versionsBundles[].kubeVersion)`);
    // Checked before the tree is read: no kubectl call was made.
    expect(r.stderr).not.toContain('Read the management tree');
  }, 120_000);
});
