import { describe, expect, it } from 'vitest';
import { EnvironmentError, UsageError } from '../../src/errors.js';
import {
  type DocumentOrigin,
  cliToolsUri,
  closestVersions,
  isImageReference,
  normalizeEksaVersion,
  parseYamlDocument,
  releaseEntries,
} from '../../src/capi/release-manifest.js';

const remote: DocumentOrigin = { what: 'release manifest', location: 'https://example.test/manifest.yaml', local: false };
const local: DocumentOrigin = { what: 'release manifest', location: 'manifest.yaml', local: true };

describe('normalizeEksaVersion', () => {
  it.each([
    ['v0.22.0', 'v0.22.0'],
    ['0.22.0', 'v0.22.0'],
    [' v0.21.3 ', 'v0.21.3'],
    ['v0.23.0-rc.1', 'v0.23.0-rc.1'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeEksaVersion(input)).toBe(expected);
  });

  it.each(['latest', 'v0.22', '0.22.0; rm -rf /', ''])('refuses %j', (input) => {
    expect(() => normalizeEksaVersion(input)).toThrow(UsageError);
  });
});

describe('closestVersions', () => {
  const available = ['v0.19.0', 'v0.20.5', 'v0.21.8', 'v0.21.9', 'v0.22.0', 'v0.22.1', 'v1.0.0'];
  it.each([
    ['v0.22.3', ['v0.22.1', 'v0.22.0', 'v0.21.9']],
    ['v0.21.0', ['v0.21.8', 'v0.21.9', 'v0.20.5']],
    ['v0.18.0', ['v0.19.0', 'v0.20.5', 'v0.21.8']],
    ['v2.0.0', ['v1.0.0', 'v0.22.1', 'v0.22.0']],
  ])('near %s', (target, expected) => {
    expect(closestVersions(target, available)).toEqual(expected);
  });

  it('an empty manifest has no neighbours', () => {
    expect(closestVersions('v0.22.0', [])).toEqual([]);
  });
});

describe('parseYamlDocument', () => {
  it('names line and column of a syntax error in one line', () => {
    const error = (() => {
      try {
        parseYamlDocument('spec:\n  releases:\n  - version: v0.22.0\n   bad: [\n', remote);
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a parse error');
    })();
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toMatch(/^the release manifest https:\/\/example\.test\/manifest\.yaml is not valid YAML: line \d+, column \d+: /);
    expect(error.message).not.toContain('\n');
  });

  it('blames the operator for a bad local file', () => {
    expect(() => parseYamlDocument('a: [', local)).toThrow(UsageError);
  });
});

describe('releaseEntries', () => {
  it('keeps entries with a version and a bundle URL', () => {
    const manifest = {
      spec: {
        releases: [
          { version: 'v0.22.0', bundleManifestUrl: 'https://x/b.yaml', number: 95 },
          { version: 'v0.21.0' },
          'junk',
        ],
      },
    };
    expect(releaseEntries(manifest, remote)).toEqual([{ version: 'v0.22.0', bundleManifestUrl: 'https://x/b.yaml' }]);
  });

  it('refuses a document that is not a Release manifest', () => {
    expect(() => releaseEntries({ kind: 'Bundles', spec: {} }, remote)).toThrow(/has no \.spec\.releases list/);
  });
});

describe('cliToolsUri', () => {
  const bundleOrigin: DocumentOrigin = { what: 'bundle manifest', location: 'https://x/b.yaml', local: false };
  const bundle = (cliTools: unknown) => ({ spec: { versionsBundles: [{ kubeVersion: '1.31', eksa: { cliTools } }, { kubeVersion: '1.30' }] } });

  it('reads versionsBundles[0].eksa.cliTools.uri', () => {
    expect(cliToolsUri(bundle({ uri: 'public.ecr.aws/eks-anywhere/cli-tools:v0.22.0-eks-a-95' }), bundleOrigin)).toBe(
      'public.ecr.aws/eks-anywhere/cli-tools:v0.22.0-eks-a-95',
    );
  });

  it.each([[{}], [undefined], [{ uri: '' }]])('a bundle without cliTools.uri (%j) is an error', (cliTools) => {
    expect(() => cliToolsUri(bundle(cliTools), bundleOrigin)).toThrow(/has no \.spec\.versionsBundles\[0\]\.eksa\.cliTools\.uri/);
  });

  it('refuses an image that is not an image reference', () => {
    expect(() => cliToolsUri(bundle({ uri: 'img --privileged' }), bundleOrigin)).toThrow(/not an image reference/);
  });
});

describe('isImageReference', () => {
  it.each([
    'public.ecr.aws/eks-anywhere/cli-tools:v0.22.0-eks-a-95',
    'registry.local:5000/mirror/eks-anywhere/cli-tools:v0.22.0-eks-a-95',
    `cli-tools@sha256:${'a'.repeat(64)}`,
    'busybox',
  ])('accepts %s', (image) => {
    expect(isImageReference(image)).toBe(true);
  });

  it.each(['-it', 'img --privileged', 'IMG:Upper/Path', 'a b', 'img:tag;id', ''])('refuses %j', (image) => {
    expect(isImageReference(image)).toBe(false);
  });
});
