import type { Provider } from '../kube/kinds.js';
import type { KubeObject } from '../kube/types.js';

export type { Provider };
export type OsFamily = 'ubuntu' | 'redhat' | 'bottlerocket';

export interface WorkerGroupSpec {
  readonly name: string;
  readonly count: number | undefined;
  readonly kubernetesVersion: string | undefined;
  readonly machineConfigName: string | undefined;
}

/** The EKS-A cluster spec (-f) as the tool understands it, validated. */
export interface ClusterSpec {
  /** Absolute path of the spec file. */
  readonly file: string;
  /** Every document of the file, parsed. */
  readonly documents: readonly KubeObject[];
  readonly cluster: KubeObject;
  readonly name: string;
  readonly namespace: string;
  /** `spec.managementCluster.name`, or the cluster's own name when self-managed. */
  readonly managementClusterName: string;
  /** Self-managed: `managementCluster.name` empty or equal to its own name (EKS-A `IsSelfManaged`). */
  readonly isManagement: boolean;
  readonly kubernetesVersion: string;
  readonly eksaVersion: string | undefined;
  readonly workerGroups: readonly WorkerGroupSpec[];
  readonly externalEtcd: boolean;
  readonly provider: Provider;
  readonly datacenterKind: string;
  readonly datacenter: KubeObject | undefined;
  readonly machineConfigs: readonly KubeObject[];
  /** osFamily of the control-plane machine config, when the provider has one. */
  readonly controlPlaneOs: OsFamily | undefined;
  /**
   * What eksctl would log as `Warning: …` on this spec and then go on (validate-cluster.ts): shown to the
   * user and recorded, never a refusal.
   */
  readonly warnings: readonly string[];
}
