import { z } from 'zod';
import { SafeUpgradeError } from '../errors.js';
import { read, type Command } from '../command.js';

/**
 * `eksctl anywhere upgrade plan cluster -f SPEC -o json [--kubeconfig K] [--bundles-override B]`: what the
 * upgrade would change. A read: it runs in dry-run too. For a workload cluster K is the management kubeconfig.
 */
export function buildUpgradePlanCommand(specFile: string, kubeconfig?: string, bundlesOverride?: string): Command {
  return read(
    [
      'eksctl', 'anywhere', 'upgrade', 'plan', 'cluster',
      '-f', specFile,
      '-o', 'json',
      ...(kubeconfig === undefined ? [] : ['--kubeconfig', kubeconfig]),
      ...(bundlesOverride === undefined ? [] : ['--bundles-override', bundlesOverride]),
    ],
    'list the components the upgrade changes',
  );
}

export interface ComponentChange {
  readonly name: string;
  readonly oldVersion: string;
  readonly newVersion: string;
}

export interface UpgradePlanResult {
  readonly components: ComponentChange[];
}

/** eksctl printed something that is not its upgrade plan JSON. */
export class UpgradePlanParseError extends SafeUpgradeError {
  /** The line that was read as the plan. */
  readonly line: string;
  constructor(message: string, line: string) {
    super('Environment', message, {
      hint: 'run eksctl anywhere upgrade plan cluster -f SPEC -o json by hand and check the eksctl version',
    });
    this.line = line;
  }
}

// pkg/types/upgrades.go. A nil slice marshals to null when nothing would change.
const planSchema = z.object({
  components: z.array(z.object({ name: z.string(), oldVersion: z.string(), newVersion: z.string() })).nullable(),
});

/**
 * The plan from eksctl's stdout. eksctl logs to stdout: "Checking new release availability..." comes first
 * and the JSON is the last line. At -v4 and above its logger prefixes each line with a time and level, so
 * the JSON is read from the line's first "{". `{"components":null}` means nothing changes.
 */
export function parseUpgradePlan(stdout: string): UpgradePlanResult {
  const lines = stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const last = lines.at(-1);
  if (last === undefined) throw new UpgradePlanParseError('eksctl anywhere upgrade plan printed nothing', '');
  const start = last.indexOf('{');
  let json: unknown;
  try {
    json = start < 0 ? undefined : JSON.parse(last.slice(start));
  } catch {
    json = undefined;
  }
  if (json === undefined) {
    throw new UpgradePlanParseError(`eksctl anywhere upgrade plan did not end with JSON: ${JSON.stringify(last.slice(0, 200))}`, last);
  }
  const parsed = planSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(top)'}: ${issue.message}` : 'unexpected shape';
    throw new UpgradePlanParseError(`eksctl anywhere upgrade plan JSON has an unexpected shape (${where})`, last);
  }
  return { components: (parsed.data.components ?? []).map((c) => ({ name: c.name, oldVersion: c.oldVersion, newVersion: c.newVersion })) };
}
