import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { UPGRADE_CLUSTER_FLAGS, UPGRADE_MANAGEMENT_COMPONENTS_FLAGS } from '../../src/handoff/eksctl-flags.js';
import { checkExtraArgs, toEksctlArgv } from '../../src/handoff/pass-through-argv.js';

describe('toEksctlArgv', () => {
  it.each([
    { name: 'kebab keys', values: { 'no-timeouts': true, 'per-machine-wait-timeout': '20m' }, argv: ['--per-machine-wait-timeout=20m', '--no-timeouts'] },
    { name: 'camelCase keys', values: { noTimeouts: true, skipValidations: ['pod-disruption'] }, argv: ['--no-timeouts', '--skip-validations=pod-disruption'] },
    { name: 'false booleans are left out', values: { 'no-timeouts': false, 'tinkerbell-bmc-prefix-sig-disabled': false }, argv: [] },
    { name: 'the last of repeated booleans wins, as in eksctl', values: { 'no-timeouts': [true, false] }, argv: [] },
    { name: 'undefined and null are unset', values: { 'hardware-csv': undefined, 'w-config': null }, argv: [] },
    { name: 'int 0 is handed on as given', values: { verbosity: 0 }, argv: ['--verbosity=0'] },
    { name: 'Go durations', values: { 'control-plane-wait-timeout': '1h30m0s', 'external-etcd-wait-timeout': '1.5h' }, argv: ['--control-plane-wait-timeout=1h30m0s', '--external-etcd-wait-timeout=1.5h'] },
    { name: 'our own keys are ignored', values: { dryRun: true, output: 'json', filename: 's.yaml', kubeconfig: 'k', _: [], $0: 'x' }, argv: [] },
    { name: 'a value with spaces and = stays one word', values: { 'tinkerbell-bmc-static-headers': 'X-A=1;2,X-B=a b' }, argv: ['--tinkerbell-bmc-static-headers=X-A=1;2,X-B=a b'] },
    { name: 'force-cleanup=false is harmless', values: { 'force-cleanup': false }, argv: [] },
  ])('$name', ({ values, argv }) => {
    expect(toEksctlArgv(UPGRADE_CLUSTER_FLAGS, values)).toEqual(argv);
  });

  it.each([
    {
      name: 'a comma list for --skip-validations, with the repeat-the-flag hint',
      values: { 'skip-validations': 'pod-disruption,eksa-version-skew' },
      message: /not one of/,
      hint: 'repeat the flag instead of a comma list: --skip-validations=pod-disruption --skip-validations=eksa-version-skew',
    },
    { name: 'an unknown validation', values: { 'skip-validations': ['pod-disruption', 'nope'] }, message: /"nope" is not one of/, hint: /use one of/ },
    { name: 'a duration eksctl would reject', values: { 'per-machine-wait-timeout': '10 minutes' }, message: /not a duration/, hint: /Go duration/ },
    { name: 'a duration without unit', values: { 'control-plane-wait-timeout': '90' }, message: /not a duration/, hint: /Go duration/ },
    { name: 'a string flag without value', values: { 'hardware-csv': '' }, message: /--hardware-csv needs a value/, hint: /--hardware-csv=VALUE/ },
    { name: 'a fractional verbosity', values: { verbosity: 1.5 }, message: /not a whole number/, hint: undefined },
    { name: 'the removed --force-cleanup', values: { 'force-cleanup': true }, message: /no longer accepts --force-cleanup/, hint: 'remove --force-cleanup' },
  ])('refuses $name before anything runs', ({ values, message, hint }) => {
    let error: unknown;
    try {
      toEksctlArgv(UPGRADE_CLUSTER_FLAGS, values);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(message);
    if (typeof hint === 'string') expect((error as UsageError).hint).toBe(hint);
    else if (hint) expect((error as UsageError).hint).toMatch(hint);
  });

  it('management-components refuses the validations it would silently ignore', () => {
    expect(toEksctlArgv(UPGRADE_MANAGEMENT_COMPONENTS_FLAGS, { 'skip-validations': 'eksa-version-skew' })).toEqual(['--skip-validations=eksa-version-skew']);
    expect(() => toEksctlArgv(UPGRADE_MANAGEMENT_COMPONENTS_FLAGS, { 'skip-validations': 'pod-disruption' })).toThrow(UsageError);
  });

  it('management-components does not hand on upgrade-cluster flags', () => {
    expect(toEksctlArgv(UPGRADE_MANAGEMENT_COMPONENTS_FLAGS, { 'no-timeouts': true, 'bundles-override': 'b.yaml', verbosity: 2 })).toEqual([
      '--bundles-override=b.yaml',
      '--verbosity=2',
    ]);
  });
});

describe('checkExtraArgs', () => {
  it.each([
    [['--future-flag', 'x'], ['--future-flag', 'x']],
    [['-w', 'w.kubeconfig', 'name'], ['-w', 'w.kubeconfig', 'name']],
    [['--filename-suffix=x'], ['--filename-suffix=x']],
    [[], []],
  ])('hands on %j unchanged', (args, expected) => {
    expect(checkExtraArgs(args)).toEqual(expected);
  });

  it.each([['-f', 'other.yaml'], ['-fother.yaml'], ['--filename=other.yaml'], ['--filename', 'x'], ['--kubeconfig', 'other'], ['x', '--kubeconfig=other']])(
    'refuses %j: eksctl would upgrade another spec or cluster than the one checked',
    (...args) => {
      expect(() => checkExtraArgs(args)).toThrow(UsageError);
    },
  );
});
