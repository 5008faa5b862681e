import { EnvironmentError, ToolError, firstMeaningfulLine } from '../errors.js';
import { read, type Command } from '../command.js';
import type { Runner } from '../runner/runner.js';
import { kubectlArgv, type KubectlTarget } from '../kube/argv.js';
import type { KubeObject } from '../kube/types.js';

export type KubectlOptions = KubectlTarget;

/** kubectl argv builders and the reads the tool makes, through the one runner. */
export class Kubectl {
  constructor(
    private readonly runner: Runner,
    readonly options: KubectlOptions,
  ) {}

  argv(args: readonly string[]): string[] {
    return kubectlArgv(this.options, args);
  }

  /** `kubectl get KIND,KIND… -A -o json` in one call; the items of every kind, in kind order. */
  async listAll(kinds: readonly string[], why: string): Promise<KubeObject[]> {
    const command = read(this.argv(['get', kinds.join(','), '--all-namespaces', '-o', 'json']), why);
    const stdout = await this.runRead(command);
    return parseList(stdout, command);
  }

  async runRead(command: Command): Promise<string> {
    try {
      return (await this.runner.run(command)).stdout;
    } catch (error) {
      throw explainKubectlFailure(error, this.options.kubeconfig);
    }
  }
}

export function parseList(stdout: string, command: Command): KubeObject[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new EnvironmentError(`kubectl printed output that is not JSON for: ${command.why}`, {
      hint: 'check that kubectl and the API server are healthy; rerun with -v to see the command',
    });
  }
  const items = (parsed as { items?: unknown }).items;
  if (!Array.isArray(items)) {
    throw new EnvironmentError(`kubectl printed JSON without items for: ${command.why}`, { hint: 'rerun with -v' });
  }
  return items.filter((i): i is KubeObject => typeof i === 'object' && i !== null && typeof (i as KubeObject).kind === 'string');
}

/** Turn kubectl's stderr into one line that names the cause and the fix. */
export function explainKubectlFailure(error: unknown, kubeconfig: string): unknown {
  if (!(error instanceof ToolError)) return error;
  const line = firstMeaningfulLine(error.stderr) || error.message;
  const reach = `check that the management cluster's API server is up and that --kubeconfig (${kubeconfig}) points at it`;
  if (/Unable to connect|connection refused|Client\.Timeout|context deadline exceeded|i\/o timeout|no such host/i.test(line)) {
    return new EnvironmentError(`the Kubernetes API did not answer: ${line}`, { hint: reach, cause: error });
  }
  if (/doesn't have a resource type/i.test(line)) {
    return new EnvironmentError(`the cluster lacks an EKS Anywhere / Cluster API kind: ${line}`, {
      hint: 'point --kubeconfig at an EKS Anywhere management cluster',
      cause: error,
    });
  }
  if (/Error from server/i.test(line)) {
    return new EnvironmentError(`the Kubernetes API failed the request: ${line}`, { hint: reach, cause: error });
  }
  return new EnvironmentError(`${error.message}`, { hint: reach, cause: error });
}
