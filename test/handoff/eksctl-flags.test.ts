import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import {
  UPGRADE_CLUSTER_FLAGS,
  UPGRADE_MANAGEMENT_COMPONENTS_FLAGS,
  YARGS_PARSER_CONFIGURATION,
  toYargsOptions,
  type EksctlFlag,
} from '../../src/handoff/eksctl-flags.js';
import { toEksctlArgv } from '../../src/handoff/pass-through-argv.js';

const byName = (table: readonly EksctlFlag[], name: string) => table.find((f) => f.name === name);

describe('eksctl flag tables', () => {
  it('name every flag of upgrade cluster once, with eksctl aliases and types', () => {
    const names = UPGRADE_CLUSTER_FLAGS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(0, 11)).toEqual([
      'filename', 'bundles-override', 'kubeconfig', 'control-plane-wait-timeout', 'external-etcd-wait-timeout',
      'per-machine-wait-timeout', 'no-timeouts', 'hardware-csv', 'w-config', 'force-cleanup', 'skip-validations',
    ]);
    expect(names.at(-1)).toBe('verbosity');
    const aliases = Object.fromEntries(UPGRADE_CLUSTER_FLAGS.filter((f) => f.alias).map((f) => [f.alias, f.name]));
    expect(aliases).toEqual({ f: 'filename', z: 'hardware-csv', w: 'w-config', v: 'verbosity' });
    expect(byName(UPGRADE_CLUSTER_FLAGS, 'skip-validations')?.type).toBe('stringArray');
    expect(byName(UPGRADE_CLUSTER_FLAGS, 'no-timeouts')?.type).toBe('bool');
    expect(byName(UPGRADE_CLUSTER_FLAGS, 'verbosity')?.type).toBe('int');
  });

  it('hold the 12 hidden Tinkerbell BMC flags of aflag/tinkerbell.go, the HMAC secrets marked secret', () => {
    const bmc = UPGRADE_CLUSTER_FLAGS.filter((f) => f.name.startsWith('tinkerbell-bmc-'));
    expect(bmc).toHaveLength(12);
    expect(bmc.every((f) => f.hidden === true && f.role === 'pass-through')).toBe(true);
    expect(bmc.filter((f) => f.secret).map((f) => f.name)).toEqual(['tinkerbell-bmc-hmac-secrets']);
    expect(bmc.filter((f) => f.type === 'bool').map((f) => f.name)).toEqual([
      'tinkerbell-bmc-append-algo-to-header-disabled',
      'tinkerbell-bmc-prefix-sig-disabled',
    ]);
  });

  it('give management-components no --kubeconfig and only eksa-version-skew to skip', () => {
    expect(UPGRADE_MANAGEMENT_COMPONENTS_FLAGS.map((f) => f.name)).toEqual(['filename', 'bundles-override', 'skip-validations', 'verbosity']);
    expect(byName(UPGRADE_MANAGEMENT_COMPONENTS_FLAGS, 'skip-validations')?.choices).toEqual(['eksa-version-skew']);
  });
});

describe('toYargsOptions', () => {
  it('declares only pass-through flags (our CLI owns -f, --kubeconfig and -v), with yargs types', () => {
    const options = toYargsOptions(UPGRADE_CLUSTER_FLAGS);
    expect(Object.keys(options)).not.toContain('filename');
    expect(Object.keys(options)).not.toContain('kubeconfig');
    expect(Object.keys(options)).not.toContain('verbosity');
    expect(options['no-timeouts']).toEqual({ type: 'boolean', describe: expect.any(String) });
    expect(options['hardware-csv']).toMatchObject({ alias: 'z', type: 'string' });
    expect(options['skip-validations']).toMatchObject({ type: 'string' });
    expect(options['skip-validations']?.describe).toContain('pod-disruption, vsphere-user-privilege, eksa-version-skew');
    expect(options['tinkerbell-bmc-hmac-secrets']).toMatchObject({ type: 'string', hidden: true });
    expect(Object.keys(toYargsOptions(UPGRADE_MANAGEMENT_COMPONENTS_FLAGS))).toEqual(['bundles-override', 'skip-validations']);
  });
});

/** Parse an operator's command line the way the CLI will, then turn it back into eksctl argv. */
function roundTrip(args: string[]): { eksctl: string[]; extra: unknown } {
  const parsed = yargs(args)
    .parserConfiguration(YARGS_PARSER_CONFIGURATION)
    .options(toYargsOptions(UPGRADE_CLUSTER_FLAGS))
    .option('verbosity', { alias: 'v', type: 'number' })
    .option('filename', { alias: 'f', type: 'string' })
    .option('kubeconfig', { type: 'string' })
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .parseSync();
  return { eksctl: toEksctlArgv(UPGRADE_CLUSTER_FLAGS, parsed), extra: parsed['--'] };
}

describe('operator argv → yargs → eksctl argv', () => {
  it.each([
    {
      name: 'repeatable --skip-validations stays repeated, in order',
      args: ['-f', 's.yaml', '--skip-validations=pod-disruption', '--skip-validations', 'eksa-version-skew'],
      eksctl: ['--skip-validations=pod-disruption', '--skip-validations=eksa-version-skew'],
    },
    { name: 'a single --skip-validations', args: ['--skip-validations', 'vsphere-user-privilege'], eksctl: ['--skip-validations=vsphere-user-privilege'] },
    { name: '--no-timeouts is a flag of its own, not a negated "timeouts"', args: ['--no-timeouts'], eksctl: ['--no-timeouts'] },
    { name: '-v 4 is handed on', args: ['-v', '4'], eksctl: ['--verbosity=4'] },
    { name: '--hardware-csv and -z', args: ['-z', 'hw.csv'], eksctl: ['--hardware-csv=hw.csv'] },
    { name: 'a value that starts with a dash stays one word', args: ['--hardware-csv=-odd.csv'], eksctl: ['--hardware-csv=-odd.csv'] },
    {
      name: 'table order, whatever the operator order',
      args: ['--no-timeouts', '-w', 'w01.kubeconfig', '--control-plane-wait-timeout', '2h', '--bundles-override', 'b.yaml'],
      eksctl: ['--bundles-override=b.yaml', '--control-plane-wait-timeout=2h', '--no-timeouts', '--w-config=w01.kubeconfig'],
    },
    {
      name: 'hidden Tinkerbell BMC flags, booleans only when set',
      args: ['--tinkerbell-bmc-prefix-sig-disabled', '--tinkerbell-bmc-hmac-secrets=a,b', '--tinkerbell-bmc-hmac-secrets=c', '--tinkerbell-bmc-http-method', 'POST'],
      eksctl: ['--tinkerbell-bmc-http-method=POST', '--tinkerbell-bmc-prefix-sig-disabled', '--tinkerbell-bmc-hmac-secrets=a,b', '--tinkerbell-bmc-hmac-secrets=c'],
    },
    { name: '-f and --kubeconfig are not pass-through', args: ['-f', 's.yaml', '--kubeconfig', 'k'], eksctl: [] },
    { name: 'nothing given, nothing handed on', args: [], eksctl: [] },
  ])('$name', ({ args, eksctl }) => {
    expect(roundTrip(args).eksctl).toEqual(eksctl);
  });

  it('keeps the words after -- apart, unchanged', () => {
    const { eksctl, extra } = roundTrip(['--no-timeouts', '--', '--future-flag', 'x y', '-v', '9', '1e3']);
    expect(eksctl).toEqual(['--no-timeouts']);
    expect(extra).toEqual(['--future-flag', 'x y', '-v', '9', '1e3']);
  });

  it('without the parser configuration yargs would refuse --no-timeouts (why the table exports it)', () => {
    const parse = () =>
      yargs(['--no-timeouts'])
        .options(toYargsOptions(UPGRADE_CLUSTER_FLAGS))
        .strict()
        .exitProcess(false)
        .fail((message, error) => {
          throw error ?? new Error(message);
        })
        .parseSync();
    expect(parse).toThrow(/Unknown argument: timeouts/);
  });
});
