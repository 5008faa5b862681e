// The offline EKS-A release manifest the simulator writes: shaped like the real Release and Bundles
// manifests, readable by the product's own cli-tools image lookup, naming an image the fake docker runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { resolveCliToolsImage } from '../../src/capi/cli-tools-image.js';
import { bundleNumberFor, cliToolsImage, loadScenario, releaseVersions } from '../../sim/index.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import { startSim, type Sim } from '../helpers/sim.js';

let sim: Sim;
let cacheDir: string;
beforeAll(async () => {
  sim = await startSim({ scenario: 'healthy', seed: 'release-manifest' });
  cacheDir = mkdtempSync(path.join(os.tmpdir(), 'manifest-cache-'));
});
afterAll(async () => {
  await sim.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

const readYaml = (file: string) => YAML.parse(readFileSync(file, 'utf8'));

describe('the release manifest of a simulated world', () => {
  it('is exported to the product and lists the older, current and target releases', () => {
    const file = sim.env.EKSA_SAFE_UPGRADE_RELEASE_MANIFEST;
    expect(file).toBe(path.join(sim.workdir, '.sim', 'release-manifest.yaml'));
    const release = readYaml(file);
    expect(release).toMatchObject({ apiVersion: 'anywhere.eks.amazonaws.com/v1alpha1', kind: 'Release', spec: { latestVersion: 'v0.23.0' } });
    expect(release.spec.releases.map((r: any) => [r.version, r.number, r.gitTag, r.bundleManifestUrl])).toEqual([
      ['v0.21.0', 210, 'v0.21.0', 'bundles-210.yaml'],
      ['v0.22.0', 220, 'v0.22.0', 'bundles-220.yaml'],
      ['v0.23.0', 230, 'v0.23.0', 'bundles-230.yaml'],
    ]);
    for (const r of release.spec.releases) {
      expect(r.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.gitCommit).toMatch(/^[0-9a-f]{40}$/);
      expect(r.eksACLI.linux.amd64.uri).toContain(`/eksctl-anywhere-${r.version}-linux-amd64.tar.gz`);
    }
  });

  it('has a Bundles file beside it per release, with a versions bundle per Kubernetes minor', () => {
    const bundles = readYaml(path.join(sim.workdir, '.sim', 'bundles-220.yaml'));
    expect(bundles).toMatchObject({ kind: 'Bundles', metadata: { name: 'bundles-220' }, spec: { number: 220, cliMinVersion: 'v0.22.0', cliMaxVersion: 'v0.22.0' } });
    const minors = bundles.spec.versionsBundles.map((b: any) => b.kubeVersion);
    expect(minors).toEqual(expect.arrayContaining(['1.28', '1.31', '1.32', '1.33']));
    expect([...minors].sort((a: string, b: string) => Number(a.split('.')[1]) - Number(b.split('.')[1]))).toEqual(minors);
    for (const b of bundles.spec.versionsBundles) {
      expect(b.eksa.cliTools).toMatchObject({ name: 'eks-anywhere-cli-tools', uri: 'public.ecr.aws/eks-anywhere/cli-tools:v0.22.0-eks-a-220' });
      expect(b.eksa.cliTools.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(b.eksD.name).toBe(`kubernetes-${b.kubeVersion.replace('.', '-')}-eks-20`);
      expect(b.eksa.version).toBe('v0.22.0');
    }
    const b131 = bundles.spec.versionsBundles.find((b: any) => b.kubeVersion === '1.31');
    expect(b131.eksD).toMatchObject({ channel: '1-31', kubeVersion: 'v1.31.5' });
    expect(Object.keys(b131)).toEqual(expect.arrayContaining(['clusterAPI', 'controlPlane', 'bootstrap', 'cilium', 'vSphere', 'etcdadmController']));
  });

  it('resolves through the product lookup, from a path and from a file: URL, without the network', async () => {
    const manifest = sim.env.EKSA_SAFE_UPGRADE_RELEASE_MANIFEST;
    for (const [version, location] of [['v0.23.0', manifest], ['0.22.0', pathToFileURL(manifest).href], ['v0.21.0', manifest]] as const) {
      const found = await resolveCliToolsImage({ eksaVersion: version, releaseManifest: location, cacheDir });
      expect(found.image).toBe(cliToolsImage(version.startsWith('v') ? version : `v${version}`));
      expect(found).toMatchObject({ source: 'bundle', fromCache: false });
      expect(found.bundleManifestUrl).toBe(path.join(sim.workdir, '.sim', `bundles-${bundleNumberFor(version)}.yaml`));
    }
    await expect(resolveCliToolsImage({ eksaVersion: 'v0.25.0', releaseManifest: manifest, cacheDir })).rejects.toThrow(/not in the release manifest .*closest: v0\.23\.0/);
  });

  it('names a cli-tools image the fake docker runs clusterctl from', async () => {
    const r = await execa('docker', ['run', '--rm', '--entrypoint', 'clusterctl', cliToolsImage('v0.23.0'), 'version', '-o', 'short'], {
      env: sim.env, cwd: sim.workdir, reject: false, timeout: 30_000,
    });
    expect([r.exitCode, r.stdout.trim()]).toEqual([0, 'v1.13.2']);
  });
});

describe('releaseVersions', () => {
  it('follows the scenario: every version in use, the target, and the minor before the oldest', () => {
    const scenario = loadScenario(scenarioExtending('healthy', {
      upgradeTo: { eksaVersion: 'v0.24.1' },
      clusters: [{ name: 'mgmt', eksaVersion: 'v0.23.2' }, { name: 'w01', eksaVersion: 'v0.22.0' }],
    }), { seed: 's' });
    expect(releaseVersions(scenario)).toEqual(['v0.21.0', 'v0.22.0', 'v0.23.2', 'v0.24.1']);
  });
});
