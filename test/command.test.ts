import { describe, expect, it } from 'vitest';
import { formatCommand, quoteForDisplay, redactArgv } from '../src/command.js';

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
