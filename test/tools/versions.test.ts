import { describe, expect, it } from 'vitest';
import { parseEksctlAnywhereVersion, parseKubectlVersion } from '../../src/tools/versions.js';

describe('tool versions', () => {
  it('reads the kubectl dispatcher version', () => {
    expect(parseKubectlVersion('{"clientVersion":{"gitVersion":"v1.32.4-dispatcher"}}')).toBe('1.32.4');
  });
  it('rejects kubectl output without a version', () => {
    expect(() => parseKubectlVersion('not json')).toThrow(/kubectl did not report its version/);
  });
  it.each([
    ['Version: v0.23.0\nRelease Manifest URL: https://x/manifest.yaml\n', 'v0.23.0'],
    ['Version: 0.22.1\n', 'v0.22.1'],
  ])('reads eksctl anywhere version %#', (out, version) => {
    expect(parseEksctlAnywhereVersion(out)).toBe(version);
  });
  it('rejects eksctl output without a version', () => {
    expect(() => parseEksctlAnywhereVersion('Version: dev\n')).toThrow(/did not print a semantic version/);
  });
});
