import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachePathFor, resolveCliToolsImage } from '../../src/capi/cli-tools-image.js';
import { EnvironmentError, UsageError } from '../../src/errors.js';

// Shapes follow EKS-A's Release and Bundles types (release/api/v1alpha1): only the fields the lookup
// reads matter, the others are there so the documents look like the real ones.
function releaseManifest(base: string, versions: string[]): string {
  const releases = versions
    .map(
      (v, i) => `  - date: "2025-0${(i % 9) + 1}-01T00:00:00Z"
    version: ${v}
    number: ${90 + i}
    gitCommit: 0123abcd${i}
    gitTag: ${v}
    bundleManifestUrl: ${base}/releases/bundles/${90 + i}/manifest.yaml
    eksABinary:
      linux:
        name: eksctl-anywhere
        os: linux
        arch: [amd64]
        uri: ${base}/releases/eks-a/${90 + i}/artifacts/eks-a/${v}/linux-amd64/eksctl-anywhere
        sha256: "${'0'.repeat(64)}"
    eksACLI:
      linux:
        amd64:
          name: eksctl-anywhere
          uri: ${base}/eksctl-anywhere-${v}-linux-amd64.tar.gz
`,
    )
    .join('');
  return `apiVersion: anywhere.eks.amazonaws.com/v1alpha1
kind: Release
metadata:
  name: eks-anywhere
spec:
  latestVersion: ${versions[versions.length - 1]}
  releases:
${releases}`;
}

function bundleManifest(version: string, number: number, cliTools = true): string {
  const bundle = (kube: string) => `  - kubeVersion: "${kube}"
    endOfStandardSupport: "2026-01-01"
    eksD:
      name: kubernetes-${kube.replace('.', '-')}-eks-20
      channel: ${kube.replace('.', '-')}
      kubeVersion: v${kube}.5
    eksa:
      version: ${version}+build.${number}
${
  cliTools
    ? `      cliTools:
        name: eks-anywhere-cli-tools
        description: Container image for eks-anywhere-cli-tools image
        os: linux
        arch: [amd64, arm64]
        uri: public.ecr.aws/eks-anywhere/cli-tools:${version}-eks-a-${number}
        imageDigest: sha256:${'b'.repeat(64)}
`
    : ''
}      clusterController:
        name: eks-anywhere-cluster-controller
        uri: public.ecr.aws/eks-anywhere/eks-anywhere-cluster-controller:${version}-eks-a-${number}
`;
  return `apiVersion: anywhere.eks.amazonaws.com/v1alpha1
kind: Bundles
metadata:
  name: bundles-${number}
spec:
  number: ${number}
  cliMinVersion: ${version}
  cliMaxVersion: ${version}
  versionsBundles:
${bundle('1.31')}${bundle('1.30')}`;
}

interface Served {
  url: string;
  requests: string[];
  routes: Map<string, { status?: number; body?: string; hang?: boolean }>;
  close(): Promise<void>;
}

async function serve(): Promise<Served> {
  const routes = new Map<string, { status?: number; body?: string; hang?: boolean }>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const route = routes.get(req.url ?? '');
    if (route?.hang) return;
    res.writeHead(route ? (route.status ?? 200) : 404, { 'Content-Type': 'application/x-yaml' });
    res.end(route?.body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let served: Served;
let cacheDir: string;
let workdir: string;
const versions = ['v0.21.8', 'v0.21.9', 'v0.22.0', 'v0.22.1'];

beforeEach(async () => {
  served = await serve();
  workdir = await mkdtemp(path.join(os.tmpdir(), 'cli-tools-image-'));
  cacheDir = path.join(workdir, 'cache', 'manifests');
  served.routes.set('/releases/eks-a/manifest.yaml', { body: releaseManifest(served.url, versions) });
  versions.forEach((v, i) => served.routes.set(`/releases/bundles/${90 + i}/manifest.yaml`, { body: bundleManifest(v, 90 + i) }));
});

afterEach(async () => {
  await served.close();
  await rm(workdir, { recursive: true, force: true });
});

const manifestUrl = () => `${served.url}/releases/eks-a/manifest.yaml`;

async function failure(promise: Promise<unknown>): Promise<Error & { hint?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { hint?: string };
  }
  throw new Error('expected the lookup to fail');
}

describe('resolveCliToolsImage', () => {
  it('follows release manifest → bundle → versionsBundles[0].eksa.cliTools.uri and caches both', async () => {
    const result = await resolveCliToolsImage({ eksaVersion: '0.22.0', releaseManifest: manifestUrl(), cacheDir });
    expect(result).toEqual({
      image: 'public.ecr.aws/eks-anywhere/cli-tools:v0.22.0-eks-a-92',
      source: 'bundle',
      bundleManifestUrl: `${served.url}/releases/bundles/92/manifest.yaml`,
      releaseManifest: manifestUrl(),
      fromCache: false,
    });
    expect(existsSync(cachePathFor(cacheDir, manifestUrl()))).toBe(true);
    expect(await readFile(cachePathFor(cacheDir, result.bundleManifestUrl ?? ''), 'utf8')).toContain('cli-tools:v0.22.0-eks-a-92');
  });

  it('works offline from the cache once both documents were fetched', async () => {
    await resolveCliToolsImage({ eksaVersion: 'v0.22.1', releaseManifest: manifestUrl(), cacheDir });
    const url = manifestUrl();
    await served.close();
    const result = await resolveCliToolsImage({ eksaVersion: 'v0.22.1', releaseManifest: url, cacheDir, fetchTimeoutMs: 500 });
    expect(result.image).toBe('public.ecr.aws/eks-anywhere/cli-tools:v0.22.1-eks-a-93');
    expect(result.fromCache).toBe(true);
  });

  it('refreshes a cached release manifest that predates the wanted version', async () => {
    await resolveCliToolsImage({ eksaVersion: 'v0.22.1', releaseManifest: manifestUrl(), cacheDir });
    const newer = [...versions, 'v0.23.0'];
    served.routes.set('/releases/eks-a/manifest.yaml', { body: releaseManifest(served.url, newer) });
    served.routes.set('/releases/bundles/94/manifest.yaml', { body: bundleManifest('v0.23.0', 94) });
    const result = await resolveCliToolsImage({ eksaVersion: 'v0.23.0', releaseManifest: manifestUrl(), cacheDir });
    expect(result.image).toBe('public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-94');
    expect(result.fromCache).toBe(false);
    expect(await readFile(cachePathFor(cacheDir, manifestUrl()), 'utf8')).toContain('v0.23.0');
  });

  it('names the closest versions when the version is absent', async () => {
    const error = await failure(resolveCliToolsImage({ eksaVersion: 'v0.22.4', releaseManifest: manifestUrl(), cacheDir }));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toBe(
      `EKS-A version v0.22.4 is not in the release manifest ${manifestUrl()} (closest: v0.22.1, v0.22.0, v0.21.9)`,
    );
    expect(error.hint).toMatch(/--cli-tools-image.*--release-manifest.*--clusterctl/);
  });

  it('says the manifest is unreachable, with the override flags, when nothing is cached', async () => {
    const url = manifestUrl();
    await served.close();
    const error = await failure(resolveCliToolsImage({ eksaVersion: 'v0.22.0', releaseManifest: url, cacheDir, fetchTimeoutMs: 2000 }));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toMatch(new RegExp(`^cannot fetch the release manifest ${url}: .*ECONNREFUSED.* \\(no cached copy\\)$`));
    expect(error.hint).toMatch(/--cli-tools-image.*--release-manifest.*--clusterctl/);
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    served.routes.set('/releases/eks-a/manifest.yaml', { hang: true });
    const started = Date.now();
    const error = await failure(resolveCliToolsImage({ eksaVersion: 'v0.22.0', releaseManifest: manifestUrl(), cacheDir, fetchTimeoutMs: 300 }));
    expect(error.message).toContain('no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports an HTTP error status', async () => {
    served.routes.set('/releases/eks-a/manifest.yaml', { status: 403, body: '<Error>AccessDenied</Error>' });
    const error = await failure(resolveCliToolsImage({ eksaVersion: 'v0.22.0', releaseManifest: manifestUrl(), cacheDir }));
    expect(error.message).toMatch(/: HTTP 403 Forbidden \(no cached copy\)$/);
  });

  it('reports malformed YAML with line and column, and does not cache it', async () => {
    served.routes.set('/releases/eks-a/manifest.yaml', { body: 'spec:\n  releases:\n  - version: v0.22.0\n    bundleManifestUrl: [unclosed\n' });
    const error = await failure(resolveCliToolsImage({ eksaVersion: 'v0.22.0', releaseManifest: manifestUrl(), cacheDir }));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toMatch(/is not valid YAML: line \d+, column \d+: /);
    expect(existsSync(cachePathFor(cacheDir, manifestUrl()))).toBe(false);
  });

  it('reports a bundle without cliTools', async () => {
    served.routes.set('/releases/bundles/92/manifest.yaml', { body: bundleManifest('v0.22.0', 92, false) });
    const error = await failure(resolveCliToolsImage({ eksaVersion: 'v0.22.0', releaseManifest: manifestUrl(), cacheDir }));
    expect(error.message).toBe(
      `the bundle manifest ${served.url}/releases/bundles/92/manifest.yaml has no .spec.versionsBundles[0].eksa.cliTools.uri`,
    );
  });

  it('reads a local release manifest whose bundle path is relative to it, without the network', async () => {
    const dir = path.join(workdir, 'mirror');
    await mkdir(path.join(dir, 'bundles'), { recursive: true });
    await writeFile(
      path.join(dir, 'manifest.yaml'),
      releaseManifest(served.url, ['v0.22.0']).replace(/bundleManifestUrl: .*/, 'bundleManifestUrl: bundles/92.yaml'),
    );
    await writeFile(path.join(dir, 'bundles', '92.yaml'), bundleManifest('v0.22.0', 92));
    await served.close();
    const result = await resolveCliToolsImage({ eksaVersion: 'v0.22.0', releaseManifest: path.join(dir, 'manifest.yaml'), cacheDir });
    expect(result.image).toBe('public.ecr.aws/eks-anywhere/cli-tools:v0.22.0-eks-a-92');
    expect(result.bundleManifestUrl).toBe(path.join(dir, 'bundles', '92.yaml'));
    expect(result.fromCache).toBe(false);
  });

  it('blames a missing or malformed local file on the operator', async () => {
    const missing = await failure(resolveCliToolsImage({ eksaVersion: 'v0.22.0', releaseManifest: path.join(workdir, 'nope.yaml'), cacheDir }));
    expect(missing).toBeInstanceOf(UsageError);
    expect(missing.message).toMatch(/^cannot read the release manifest .*nope\.yaml: ENOENT/);
    const bad = path.join(workdir, 'bad.yaml');
    await writeFile(bad, 'spec: {releases: [\n');
    const malformed = await failure(resolveCliToolsImage({ eksaVersion: 'v0.22.0', releaseManifest: bad, cacheDir }));
    expect(malformed).toBeInstanceOf(UsageError);
    expect(malformed.message).toMatch(/^the release manifest .*bad\.yaml is not valid YAML: line \d+, column \d+/);
  });

  it('--cli-tools-image skips the lookup entirely, and is checked', async () => {
    const result = await resolveCliToolsImage({
      eksaVersion: 'v9.9.9',
      cliToolsImage: 'registry.local:5000/eks-anywhere/cli-tools:v0.22.0-eks-a-92',
      cacheDir,
    });
    expect(result).toEqual({ image: 'registry.local:5000/eks-anywhere/cli-tools:v0.22.0-eks-a-92', source: 'flag', fromCache: false });
    expect(served.requests).toEqual([]);
    await expect(resolveCliToolsImage({ eksaVersion: 'v0.22.0', cliToolsImage: '--privileged', cacheDir })).rejects.toThrow(UsageError);
  });
});
