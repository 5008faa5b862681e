// The flags of the `eksctl anywhere upgrade …` commands the fake runs, as pflag parses them (source:
// cmd/eksctl-anywhere/cmd/{upgradecluster.go, upgradeplancluster.go, upgradeplanmanagementcomponents.go,
// upgrademanagementcomponents.go, flags.go, options.go, root.go, aflag/}). Cobra's errors keep their text.
import { parseFlags, FlagError } from '../fakes/flags.js';
import { EksctlError } from './context.js';

const verbosity = { verbosity: { type: 'int', short: 'v' } };
const file = { filename: { type: 'string', short: 'f' }, 'bundles-override': { type: 'string' } };

const TINKERBELL_BMC = Object.fromEntries([
  'consumer-url', 'http-content-type', 'http-method', 'timestamp-header', 'static-headers', 'sig-header-name',
  'custom-payload', 'custom-payload-dot-location',
].map((n) => [`tinkerbell-bmc-${n}`, { type: 'string' }]).concat([
  ['tinkerbell-bmc-append-algo-to-header-disabled', { type: 'bool' }],
  ['tinkerbell-bmc-prefix-sig-disabled', { type: 'bool' }],
  ['tinkerbell-bmc-sig-included-payload-headers', { type: 'list' }],
  ['tinkerbell-bmc-hmac-secrets', { type: 'list' }],
]));

export const UPGRADE_CLUSTER_FLAGS = {
  ...verbosity,
  ...file,
  kubeconfig: { type: 'string' },
  'control-plane-wait-timeout': { type: 'string' },
  'external-etcd-wait-timeout': { type: 'string' },
  'per-machine-wait-timeout': { type: 'string' },
  'no-timeouts': { type: 'bool' },
  'hardware-csv': { type: 'string', short: 'z' },
  'w-config': { type: 'string', short: 'w' },
  'force-cleanup': { type: 'bool' },
  'skip-validations': { type: 'list' },
  ...TINKERBELL_BMC,
};

export const UPGRADE_PLAN_FLAGS = { ...verbosity, ...file, output: { type: 'string', short: 'o' }, kubeconfig: { type: 'string' } };

export const UPGRADE_MANAGEMENT_COMPONENTS_FLAGS = { ...verbosity, ...file, 'skip-validations': { type: 'list' } };

/** The validations `--skip-validations` accepts (pkg/validations/skipvalidations.go). */
export const SKIPPABLE_VALIDATIONS = ['pod-disruption', 'vsphere-user-privilege', 'eksa-version-skew'];

/**
 * @param {string[]} args the words after the command path
 * @param {Record<string, any>} spec
 * @param {{ maxArgs?: number, required?: string[] }} [rules]
 */
export function parseCommand(args, spec, { maxArgs = 0, required = [] } = {}) {
  let parsed;
  try {
    parsed = parseFlags(args, spec);
  } catch (e) {
    if (e instanceof FlagError) throw new EksctlError(e.message);
    throw e;
  }
  const missing = required.filter((name) => !parsed.set.includes(name));
  if (missing.length) throw new EksctlError(`required flag(s) ${missing.map((m) => JSON.stringify(m)).join(', ')} not set`);
  if (parsed.positional.length > maxArgs) {
    throw new EksctlError(maxArgs === 0
      ? `unknown command ${JSON.stringify(parsed.positional[0])} for "eksctl anywhere"`
      : `accepts at most ${maxArgs} arg(s), received ${parsed.positional.length}`);
  }
  return parsed;
}

/** Go's time.ParseDuration, as far as a timeout flag needs it. */
export function checkDuration(flag, value) {
  if (/^([0-9]*(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(value) || value === '0') return;
  throw new EksctlError(`failed to build cluster manager opts: failed to parse timeout ${flag}: time: invalid duration ${JSON.stringify(value)}`);
}

/** ValidateSkippableValidation: unknown names are refused before anything is done. */
export function checkSkippedValidations(names) {
  const unknown = names.find((n) => !SKIPPABLE_VALIDATIONS.includes(n));
  if (unknown !== undefined) {
    throw new EksctlError(`invalid validation name to be skipped. The supported validations that can be skipped using --skip-validations are ${SKIPPABLE_VALIDATIONS.join(',')}`);
  }
  return new Set(names);
}
