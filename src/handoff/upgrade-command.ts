import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Command } from '../command.js';
import { UPGRADE_CLUSTER_FLAGS, UPGRADE_MANAGEMENT_COMPONENTS_FLAGS } from './eksctl-flags.js';
import { checkExtraArgs, toEksctlArgv, type PassThroughValues } from './pass-through-argv.js';

export interface UpgradeClusterInput {
  /** The spec file the operator gave with -f; eksctl reads the same file. */
  readonly specFile: string;
  /** --kubeconfig as the operator gave it, if they did. */
  readonly kubeconfig?: string | undefined;
  /** Parsed option values (yargs argv); only the eksctl flags of the table are read. */
  readonly passThrough: PassThroughValues;
  /** Words after `--`, handed on unchanged. */
  readonly extraArgs: readonly string[];
  /** The spec names another cluster in spec.managementCluster.name. */
  readonly isWorkload: boolean;
  /** The management kubeconfig this run resolved and checked the tree with. */
  readonly managementKubeconfig: string;
}

/**
 * `eksctl anywhere upgrade cluster -f SPEC [--kubeconfig K] <pass-through flags> <extra args>`.
 * For a workload cluster eksctl wants the *management* kubeconfig in --kubeconfig and would otherwise fall
 * back to $KUBECONFIG or <mgmt>/<mgmt>-eks-a-cluster.kubeconfig: we pin it to the one the gate used. For a
 * self-managed cluster eksctl would take --kubeconfig as the cluster's own kubeconfig, so only the operator's
 * value is handed on and eksctl keeps its default otherwise.
 */
export function buildUpgradeClusterCommand(input: UpgradeClusterInput): Command {
  const kubeconfig = input.kubeconfig ?? (input.isWorkload ? input.managementKubeconfig : undefined);
  return {
    argv: [
      'eksctl', 'anywhere', 'upgrade', 'cluster',
      '-f', input.specFile,
      ...(kubeconfig === undefined ? [] : ['--kubeconfig', kubeconfig]),
      ...toEksctlArgv(UPGRADE_CLUSTER_FLAGS, input.passThrough),
      ...checkExtraArgs(input.extraArgs),
    ],
    kind: 'handoff',
    why: 'upgrade the cluster with eksctl anywhere',
  };
}

export interface UpgradeManagementComponentsInput {
  readonly specFile: string;
  /** metadata.name of the cluster in the spec. */
  readonly clusterName: string;
  readonly isWorkload: boolean;
  /** --kubeconfig as the operator gave it, if they did. */
  readonly kubeconfig?: string | undefined;
  /** The directory eksctl runs in: its kubeconfig path is relative to it. */
  readonly cwd: string;
  readonly passThrough: PassThroughValues;
  readonly extraArgs: readonly string[];
}

/**
 * `eksctl anywhere upgrade management-components -f SPEC <flags>`. The command has no --kubeconfig: it always
 * uses <name>/<name>-eks-a-cluster.kubeconfig, so a run gated through another kubeconfig is refused rather
 * than upgrading a cluster it did not check. It only works on a management (self-managed) cluster.
 */
export function buildUpgradeManagementComponentsCommand(input: UpgradeManagementComponentsInput): Command {
  if (input.isWorkload) {
    throw new UsageError(`${input.clusterName} is a workload cluster; management components live in its management cluster`, {
      hint: 'pass -f with the management cluster spec',
    });
  }
  const eksctlKubeconfig = path.join(input.clusterName, `${input.clusterName}-eks-a-cluster.kubeconfig`);
  if (input.kubeconfig !== undefined && path.resolve(input.cwd, input.kubeconfig) !== path.resolve(input.cwd, eksctlKubeconfig)) {
    throw new UsageError(
      `eksctl anywhere upgrade management-components always uses ${eksctlKubeconfig}, not --kubeconfig ${input.kubeconfig}`,
      { hint: `run from the directory that holds ${eksctlKubeconfig}, without --kubeconfig` },
    );
  }
  return {
    argv: [
      'eksctl', 'anywhere', 'upgrade', 'management-components',
      '-f', input.specFile,
      ...toEksctlArgv(UPGRADE_MANAGEMENT_COMPONENTS_FLAGS, input.passThrough),
      ...checkExtraArgs(input.extraArgs),
    ],
    kind: 'handoff',
    why: 'upgrade the EKS Anywhere management components with eksctl anywhere',
  };
}
