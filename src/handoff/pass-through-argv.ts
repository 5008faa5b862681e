import { UsageError } from '../errors.js';
import type { EksctlFlag } from './eksctl-flags.js';

/** Parsed option values as yargs returns them: kebab-case and camelCase keys, a repeated flag as an array. */
export type PassThroughValues = Readonly<Record<string, unknown>>;

// Go's time.ParseDuration grammar: "0", or signed sequences of decimal numbers with a unit ("1h30m", "1.5h").
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;

const camelCase = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function occurrences(values: PassThroughValues, f: EksctlFlag): unknown[] {
  const value = values[f.name] ?? values[camelCase(f.name)];
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function textValue(f: EksctlFlag, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`--${f.name} needs a value`, { hint: `give it as --${f.name}=VALUE or leave it out` });
  }
  if (f.type === 'duration' && !GO_DURATION.test(value)) {
    throw new UsageError(`--${f.name} ${JSON.stringify(value)} is not a duration eksctl accepts`, {
      hint: `use a Go duration such as 90m or 1h30m0s for --${f.name}`,
    });
  }
  if (f.choices && !f.choices.includes(value)) {
    const split = value.split(',').map((v) => v.trim());
    throw new UsageError(`--${f.name} ${JSON.stringify(value)} is not one of: ${f.choices.join(', ')}`, {
      // eksctl reads a StringArray: one value per flag, commas are part of the value.
      hint: value.includes(',')
        ? `repeat the flag instead of a comma list: ${split.map((v) => `--${f.name}=${v}`).join(' ')}`
        : `use one of ${f.choices.join(', ')}`,
    });
  }
  return value;
}

function argvOf(f: EksctlFlag, given: unknown[]): string[] {
  switch (f.type) {
    case 'bool': {
      if (!given.every((v) => typeof v === 'boolean')) throw new UsageError(`--${f.name} takes no value`);
      // Only a set boolean is handed on; --x=false is eksctl's default anyway.
      return given.at(-1) === true ? [`--${f.name}`] : [];
    }
    case 'int':
      return given.map((v) => {
        if (typeof v !== 'number' || !Number.isInteger(v)) {
          throw new UsageError(`--${f.name} ${JSON.stringify(v)} is not a whole number`);
        }
        return `--${f.name}=${v}`;
      });
    default:
      // "--name=value": one word per value, so a value that starts with "-" is never read as a flag.
      return given.map((v) => `--${f.name}=${textValue(f, v)}`);
  }
}

/**
 * eksctl argv for the `pass-through` and `shared` flags of `table` found in `values`, in table order, each
 * occurrence as given: a repeated flag stays repeated (never comma-joined or split), a boolean appears only
 * when set, and unset flags are left out so eksctl keeps its own defaults. `builder` flags are skipped:
 * the builder sets them. Throws UsageError for a value eksctl would reject, before anything runs.
 */
export function toEksctlArgv(table: readonly EksctlFlag[], values: PassThroughValues): string[] {
  const argv: string[] = [];
  for (const f of table) {
    if (f.role === 'builder') continue;
    const given = occurrences(values, f);
    if (given.length === 0) continue;
    if (f.removed !== undefined) {
      if (given.some((v) => v !== false)) throw new UsageError(`--${f.name}: ${f.removed}`, { hint: `remove --${f.name}` });
      continue;
    }
    argv.push(...argvOf(f, given));
  }
  return argv;
}

// A later -f or --kubeconfig would win in eksctl (pflag: last one wins) and upgrade another spec or cluster
// than the one gated and backed up.
const RETARGETING = /^(-f|--filename(=|$)|--kubeconfig(=|$))/;

/**
 * The words after `--`, handed to eksctl unchanged after the known flags (for eksctl flags newer than our
 * table). Refuses the ones that would point eksctl at another spec or kubeconfig than the one we checked.
 */
export function checkExtraArgs(extraArgs: readonly string[]): string[] {
  const retarget = extraArgs.find((arg) => RETARGETING.test(arg));
  if (retarget !== undefined) {
    throw new UsageError(`${retarget} after -- would make eksctl upgrade another spec or cluster than the one checked and backed up`, {
      hint: 'give -f and --kubeconfig as options of eksa-safe-upgrade, before --',
    });
  }
  return [...extraArgs];
}
