import { describe, expect, it } from 'vitest';
import { parseOnly } from '../../src/cli.js';
import type { CommandIo } from '../../src/commands/io.js';

const io = (env: NodeJS.ProcessEnv = {}): CommandIo => ({ env, cwd: '/work', isTTY: false, stdout: () => undefined, stderr: () => undefined });

describe('the command line, parsed without running anything', () => {
  it('turns preflight flags into typed options', async () => {
    const parsed = await parseOnly(['preflight', '-f', 'mgmt/mgmt-eks-a-cluster.yaml', '-o', 'json', '--on-unready', 'fail'], io());
    expect(parsed?.options).toMatchObject({ filename: 'mgmt/mgmt-eks-a-cluster.yaml', output: 'json', onUnready: 'fail', requestTimeout: '30s', dryRun: false });
  });

  it('hands eksctl flags of cluster on as given, repeatable ones included', async () => {
    const parsed = await parseOnly(
      ['cluster', '-f', 'm.yaml', '--skip-validations=pod-disruption', '--skip-validations', 'eksa-version-skew', '--no-timeouts', '-v', '4', '--dry-run', '--', '--something', '1e3'],
      io(),
    );
    expect(parsed?.options).toMatchObject({
      command: 'cluster',
      dryRun: true,
      verbosity: 4,
      confirmTimeoutMs: undefined,
      extraArgs: ['--something', '1e3'],
      passThrough: { 'skip-validations': ['pod-disruption', 'eksa-version-skew'], 'no-timeouts': true },
    });
  });

  it('reads EKSA_SAFE_UPGRADE_* for the flags of the chosen command only', async () => {
    const parsed = await parseOnly(['backup'], io({ EKSA_SAFE_UPGRADE_FILENAME: 'env.yaml', EKSA_SAFE_UPGRADE_DRY_RUN: 'true', EKSA_SAFE_UPGRADE_LOCK_TTL: '9m' }));
    expect(parsed?.options).toMatchObject({ filename: 'env.yaml', dryRun: true });
  });

  it.each([
    [['cluster', '-f', 'm.yaml', '--confirm-timeout', 'soon'], /--confirm-timeout "soon" is not a duration/],
    [['preflight', '-f', 'm.yaml', '--request-timeout', 'x'], /--request-timeout "x" is not a duration/],
    [['cluster', '-f', 'm.yaml', '--bogus'], /Unknown argument: bogus/],
  ])('rejects %j', async (args, message) => {
    await expect(parseOnly(args, io())).rejects.toThrow(message);
  });
});
