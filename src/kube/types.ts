/** A Kubernetes object as kubectl prints it with -o json; only the fields the tool reads are typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    generation?: number;
    resourceVersion?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid?: string; controller?: boolean }>;
  };
  // Shapes differ per kind and per API version (CAPI v1beta1 vs v1beta2); readers narrow them.
  spec?: Record<string, any>;
  status?: Record<string, any>;
  [key: string]: unknown;
}

/** Every object of one cluster of the management tree, as the inventory found it. */
export interface ClusterObjects {
  readonly name: string;
  /** The EKS-A `Cluster` (anywhere.eks.amazonaws.com). */
  readonly eksa: KubeObject;
  /** The CAPI `Cluster` (cluster.x-k8s.io) of the same name in eksa-system; absent when not created yet. */
  readonly capi: KubeObject | undefined;
  /** The `KubeadmControlPlane` the CAPI Cluster points at. */
  readonly controlPlane: KubeObject | undefined;
  /** The `EtcdadmCluster` when etcd is external. */
  readonly etcd: KubeObject | undefined;
  readonly machineDeployments: readonly KubeObject[];
  readonly machines: readonly KubeObject[];
  /** The datacenter config named by `spec.datacenterRef`. */
  readonly datacenter: KubeObject | undefined;
  /** The machine configs named by the control plane, etcd and worker groups. */
  readonly machineConfigs: readonly KubeObject[];
}

/** The whole management tree: the management cluster first, then its workload clusters by name. */
export interface Inventory {
  readonly management: string;
  readonly clusters: readonly ClusterObjects[];
  /** How many kubectl calls it took (the gate must stay flat in the number of clusters). */
  readonly kubectlCalls: number;
}
