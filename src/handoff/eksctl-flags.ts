// The flags of `eksctl anywhere upgrade cluster` and `upgrade management-components`, as data: the yargs
// layer declares them from this table and the hand-off turns the parsed values back into eksctl argv.
// Source: aws/eks-anywhere cmd/eksctl-anywhere/cmd/{upgradecluster.go, flags.go, options.go, root.go,
// upgrademanagementcomponents.go, createcluster.go tinkerbellFlags(), aflag/tinkerbell.go}.

/** How eksctl (pflag) reads a flag. `stringArray` is repeatable; pflag never splits it on commas. */
export type EksctlFlagType = 'bool' | 'string' | 'int' | 'duration' | 'stringArray';

/**
 * Who sets a flag on the eksctl command line:
 * - `pass-through`: declared by our CLI only to be handed to eksctl as given;
 * - `builder`: the hand-off builder sets it from values it resolved (the spec file, the kubeconfig), so our
 *   CLI's own option of that name feeds it and the pass-through values never do;
 * - `shared`: our CLI's own option of that name (`-v`) is also handed to eksctl.
 */
export type EksctlFlagRole = 'pass-through' | 'builder' | 'shared';

export interface EksctlFlag {
  /** Long name without dashes, as eksctl spells it. */
  readonly name: string;
  /** One-letter shorthand, if eksctl has one. */
  readonly alias?: string;
  readonly type: EksctlFlagType;
  readonly role: EksctlFlagRole;
  readonly describe: string;
  /** Hidden in eksctl's --help; hidden in ours too. */
  readonly hidden?: boolean;
  /** The only values eksctl accepts (checked before any backup is taken, not after). */
  readonly choices?: readonly string[];
  /** The value is a credential: never print it. */
  readonly secret?: boolean;
  /** eksctl rejects the flag: why, for the error we raise instead. */
  readonly removed?: string;
}

const flag = (name: string, type: EksctlFlagType, describe: string, extra: Partial<EksctlFlag> = {}): EksctlFlag => ({
  name,
  type,
  role: 'pass-through',
  describe,
  ...extra,
});

/** Hidden Rufio RPC options for Tinkerbell BMC interactions (aflag/tinkerbell.go), in registration order. */
const tinkerbellBmcFlags: readonly EksctlFlag[] = [
  flag('tinkerbell-bmc-consumer-url', 'string', 'URL of the BMC RPC consumer (Tinkerbell)', { hidden: true }),
  flag('tinkerbell-bmc-http-content-type', 'string', 'HTTP content type of BMC RPC requests (Tinkerbell)', { hidden: true }),
  flag('tinkerbell-bmc-http-method', 'string', 'HTTP method of BMC RPC requests (Tinkerbell)', { hidden: true }),
  flag('tinkerbell-bmc-timestamp-header', 'string', 'timestamp header of BMC RPC requests (Tinkerbell)', { hidden: true }),
  // A pflag Value whose Set replaces the whole map: repeated, the last one wins, as in eksctl.
  flag('tinkerbell-bmc-static-headers', 'string', 'static headers of BMC RPC requests, "a=1;2,b=3" (Tinkerbell)', { hidden: true }),
  flag('tinkerbell-bmc-sig-header-name', 'string', 'header carrying the HMAC signature of BMC RPC requests (Tinkerbell)', { hidden: true }),
  flag('tinkerbell-bmc-append-algo-to-header-disabled', 'bool', 'do not append the algorithm to the signature header (Tinkerbell)', { hidden: true }),
  // StringSlice in eksctl: repeatable, and eksctl itself splits commas. We pass each value on unchanged.
  flag('tinkerbell-bmc-sig-included-payload-headers', 'stringArray', 'headers included in the HMAC signature payload (Tinkerbell)', { hidden: true }),
  flag('tinkerbell-bmc-prefix-sig-disabled', 'bool', 'do not prefix the signature with the algorithm (Tinkerbell)', { hidden: true }),
  flag('tinkerbell-bmc-hmac-secrets', 'stringArray', 'secrets that HMAC-sign BMC RPC payloads (Tinkerbell)', { hidden: true, secret: true }),
  flag('tinkerbell-bmc-custom-payload', 'string', 'custom JSON payload of BMC RPC requests (Tinkerbell)', { hidden: true }),
  flag('tinkerbell-bmc-custom-payload-dot-location', 'string', 'dot path where the request payload is embedded in the custom payload (Tinkerbell)', { hidden: true }),
];

const filename = flag('filename', 'string', 'EKS Anywhere cluster spec', { alias: 'f', role: 'builder' });
const bundlesOverride = flag('bundles-override', 'string', 'eksctl: path or URL of a custom Bundles manifest');
const verbosity = flag('verbosity', 'int', 'log level; also handed to eksctl', { alias: 'v', role: 'shared' });

/** `eksctl anywhere upgrade cluster`, in eksctl's registration order (the order argv is emitted in). */
export const UPGRADE_CLUSTER_FLAGS: readonly EksctlFlag[] = [
  filename,
  bundlesOverride,
  flag('kubeconfig', 'string', 'management cluster kubeconfig', { role: 'builder' }),
  flag('control-plane-wait-timeout', 'duration', 'eksctl: control plane wait timeout (default 1h0m0s)'),
  flag('external-etcd-wait-timeout', 'duration', 'eksctl: external etcd wait timeout (default 1h0m0s)'),
  flag('per-machine-wait-timeout', 'duration', 'eksctl: wait timeout per machine (default 10m0s)'),
  flag('no-timeouts', 'bool', 'eksctl: disable the timeout of every wait'),
  flag('hardware-csv', 'string', 'eksctl: CSV file of hardware data (Tinkerbell)', { alias: 'z' }),
  flag('w-config', 'string', 'eksctl: kubeconfig of the workload cluster being upgraded', { alias: 'w' }),
  flag('force-cleanup', 'bool', 'removed from eksctl', {
    hidden: true,
    removed: 'eksctl anywhere upgrade cluster no longer accepts --force-cleanup and fails when it is set',
  }),
  flag('skip-validations', 'stringArray', 'eksctl: skip an upgrade validation by name; repeat the flag for several', {
    choices: ['pod-disruption', 'vsphere-user-privilege', 'eksa-version-skew'],
  }),
  ...tinkerbellBmcFlags,
  verbosity,
];

/** `eksctl anywhere upgrade management-components`: no --kubeconfig, and only eksa-version-skew can be skipped. */
export const UPGRADE_MANAGEMENT_COMPONENTS_FLAGS: readonly EksctlFlag[] = [
  filename,
  bundlesOverride,
  // eksctl accepts any value here but honours only this one; refusing the rest avoids a silent no-op.
  flag('skip-validations', 'stringArray', 'eksctl: skip the EKS-A version skew validation', { choices: ['eksa-version-skew'] }),
  verbosity,
];

/** The flag table of the eksctl command a run hands off to. */
export function eksctlFlagsFor(command: 'cluster' | 'management-components'): readonly EksctlFlag[] {
  return command === 'cluster' ? UPGRADE_CLUSTER_FLAGS : UPGRADE_MANAGEMENT_COMPONENTS_FLAGS;
}

/** An option as yargs' `.options()` takes it. */
export interface YargsOption {
  readonly alias?: string;
  readonly type: 'boolean' | 'string' | 'number';
  readonly describe: string;
  readonly hidden?: boolean;
}

/**
 * The pass-through flags of a table as yargs options (the `builder` and `shared` flags are our CLI's own
 * options already). A stringArray is declared as a plain string: yargs collects a repeated flag into an
 * array, while `array: true` would swallow the words that follow it. The command must also set
 * `YARGS_PARSER_CONFIGURATION`.
 */
export function toYargsOptions(table: readonly EksctlFlag[]): Record<string, YargsOption> {
  const options: Record<string, YargsOption> = {};
  for (const f of table) {
    if (f.role !== 'pass-through') continue;
    const type = f.type === 'bool' ? 'boolean' : f.type === 'int' ? 'number' : 'string';
    const describe = f.choices ? `${f.describe} (${f.choices.join(', ')})` : f.describe;
    options[f.name] = { ...(f.alias ? { alias: f.alias } : {}), type, describe, ...(f.hidden ? { hidden: true } : {}) };
  }
  return options;
}

/**
 * yargs parser settings the pass-through needs: without `boolean-negation: false` yargs reads
 * `--no-timeouts` as "timeouts = false"; `populate--` keeps the words after `--` apart (in argv['--']) for
 * eksctl, and `parse-positional-numbers: false` keeps them strings ("1e3" would become 1000).
 */
export const YARGS_PARSER_CONFIGURATION = {
  'boolean-negation': false,
  'populate--': true,
  'parse-positional-numbers': false,
} as const;
