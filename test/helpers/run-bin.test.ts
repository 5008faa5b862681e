import { describe, expect, it } from 'vitest';
import { assertNoSimSecret, findSimSecret } from './run-bin.js';

// The check every e2e run of the CLI passes through must catch both forms a simulated secret takes.
describe('findSimSecret', () => {
  const value = 'sim-secret-mgmt-kubeconfig-1f2e3d';
  it.each([
    ['the plain value', `token: ${value}`, 'stdout'],
    ['its base64, as a Secret stores it', `data: ${Buffer.from(value).toString('base64')}`, 'stdout'],
    ['in stderr', `Error: bad ${value}`, 'stderr'],
  ])('finds %s', (_label, text, where) => {
    const outputs = { stdout: '', stderr: '', [where]: text };
    expect(findSimSecret(outputs)).toMatch(new RegExp(`^${where}: `));
    expect(() => assertNoSimSecret(outputs, ['preflight'])).toThrow(/printed a simulated secret/);
  });

  it('passes outputs that name Secrets without their values', () => {
    expect(findSimSecret({ stdout: 'capi/Secret_eksa-system_mgmt-kubeconfig.yaml sha256 9f…', stderr: '' })).toBeUndefined();
  });
});
