import { describe, expect, it } from 'vitest';
import { formatCommand, quoteForDisplay, redactArgv, redactUrls } from '../src/command.js';

describe('quoteForDisplay', () => {
  it.each([
    ['plain', 'plain'],
    ['a/b.yaml', 'a/b.yaml'],
    ['--x=1', '--x=1'],
    ['', "''"],
    ['two words', "'two words'"],
    ["it's", `'it'\\''s'`],
    ['$(rm -rf /)', "'$(rm -rf /)'"],
    ['a;b', "'a;b'"],
  ])('%j → %s', (input, expected) => {
    expect(quoteForDisplay(input)).toBe(expected);
  });
});

describe('redactArgv', () => {
  it.each([
    [['x', '--token', 't'], ['x', '--token', '***']],
    [['x', '--token=t'], ['x', '--token=***']],
    [['x', '--bearer-token', 'b'], ['x', '--bearer-token', '***']],
    [['x', '--tokens-file', 'keep'], ['x', '--tokens-file', 'keep']],
    [['x', '--tinkerbell-bmc-hmac-secrets=s'], ['x', '--tinkerbell-bmc-hmac-secrets=***']],
    [['x', '--license-token', 'l'], ['x', '--license-token', '***']],
    [['x', '--kubeconfig', 'k'], ['x', '--kubeconfig', 'k']],
  ])('%j', (input, expected) => {
    expect(redactArgv(input)).toEqual(expected);
  });

  it('formats a pasteable line', () => {
    expect(formatCommand(['kubectl', 'get', 'a b'])).toBe("kubectl get 'a b'");
  });
});

describe('URL credentials (issue 15, finding 3)', () => {
  const presigned =
    'https://bucket.s3.amazonaws.com/bundle.yaml?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLETOKEN&X-Amz-SignedHeaders=host&X-Amz-Signature=deadbeefcafe';
  const secrets = ['user:pass', 'pass@', 'AKIAEXAMPLE', 'FQoGZXIvYXdzEXAMPLETOKEN', 'deadbeefcafe', 'sastoken', 'sigvalue'];

  it.each([
    ['userinfo in --release-manifest URL', ['eksa-safe-upgrade', 'backup', '--release-manifest', 'https://user:pass@host.example/releases.yaml']],
    ['userinfo in --flag=URL', ['x', '--release-manifest=https://user:pass@host.example/releases.yaml']],
    ['a presigned S3 URL in --bundles-override', ['eksctl', 'anywhere', 'upgrade', 'cluster', '--bundles-override', presigned]],
    ['Azure SAS and sig', ['x', 'https://a.blob.core.windows.net/c/b?sv=2020&sig=sigvalue&token=sastoken']],
  ])('%s: printed, journaled and reported without the secret', (_label, argv) => {
    for (const shown of [redactArgv(argv).join(' '), formatCommand(argv)]) {
      for (const secret of secrets) expect(shown).not.toContain(secret);
      expect(shown).toContain('***');
    }
  });

  it('keeps what is not a credential: host, path, unsigned parameters', () => {
    expect(redactUrls('get https://user:pass@host.example:8443/a/b.yaml?X-Amz-Expires=3600&X-Amz-Signature=abc#frag failed')).toBe(
      'get https://***@host.example:8443/a/b.yaml?X-Amz-Expires=3600&X-Amz-Signature=***#frag failed',
    );
    expect(redactUrls('oci://public.ecr.aws/eks-anywhere/cli-tools:v0.22.3')).toBe('oci://public.ecr.aws/eks-anywhere/cli-tools:v0.22.3');
  });
});
