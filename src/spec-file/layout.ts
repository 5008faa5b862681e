import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { EnvironmentError, UsageError } from '../errors.js';
import type { ClusterSpec } from '../spec/types.js';

/** Where the management cluster's files live, as eksctl lays them out: `<mgmt>/<mgmt>-eks-a-cluster.kubeconfig`. */
export interface ClusterLayout {
  /** The management cluster's folder; backups go here, as EKS-A puts them. */
  readonly managementFolder: string;
  /** The management cluster's kubeconfig. */
  readonly kubeconfig: string;
}

export function kubeconfigFileName(cluster: string): string {
  return `${cluster}-eks-a-cluster.kubeconfig`;
}

/**
 * eksctl's rule, made explicit: `--kubeconfig`; else `<mgmt>/<mgmt>-eks-a-cluster.kubeconfig` beside the
 * spec's folder or under the working directory; for a workload cluster also the first `$KUBECONFIG` entry.
 */
export function resolveLayout(input: {
  spec: Pick<ClusterSpec, 'file' | 'managementClusterName' | 'isManagement'>;
  kubeconfigFlag: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): ClusterLayout {
  const mgmt = input.spec.managementClusterName;
  const besideSpec = path.join(path.dirname(path.dirname(input.spec.file)), mgmt);
  const underCwd = path.join(input.cwd, mgmt);
  const folders = [besideSpec, underCwd];
  const managementFolder = folders.find((f) => existsSync(f)) ?? besideSpec;

  const candidates: string[] = [];
  if (input.kubeconfigFlag) {
    candidates.push(path.resolve(input.cwd, input.kubeconfigFlag));
  } else {
    candidates.push(...folders.map((f) => path.join(f, kubeconfigFileName(mgmt))));
    const fromEnv = input.env.KUBECONFIG?.split(path.delimiter).find((p) => p.length > 0);
    if (!input.spec.isManagement && fromEnv) candidates.push(path.resolve(input.cwd, fromEnv));
  }
  const kubeconfig = candidates.find((c) => existsSync(c));
  if (!kubeconfig) {
    const tried = [...new Set(candidates)].join(', ');
    throw new EnvironmentError(`kubeconfig of management cluster ${mgmt} not found (tried ${tried})`, {
      hint: `pass --kubeconfig with the management cluster's kubeconfig`,
    });
  }
  assertKubeconfig(kubeconfig);
  return { managementFolder, kubeconfig };
}

/** A kubeconfig must at least be a file with clusters and contexts; kubectl's own error is less clear. */
function assertKubeconfig(file: string): void {
  const hint = 'pass --kubeconfig with a valid kubeconfig file';
  if (!statSync(file).isFile()) throw new UsageError(`kubeconfig ${file} is not a file`, { hint });
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`kubeconfig ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, { hint });
  }
  const clusters = (doc as { clusters?: unknown } | null)?.clusters;
  if (!Array.isArray(clusters) || clusters.length === 0) {
    throw new UsageError(`kubeconfig ${file} names no cluster`, { hint });
  }
}
