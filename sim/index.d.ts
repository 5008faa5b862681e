// Types of the simulator's public API (sim/index.js) for TypeScript tests.

export interface SimObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }>;
  };
  spec?: any;
  status?: any;
  [key: string]: any;
}

export interface KindInfo {
  readonly group: string;
  readonly versions: readonly string[];
  readonly kind: string;
  readonly resource: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly status: boolean;
  readonly provider?: string;
}
/** `machines`, `machines.cluster.x-k8s.io`, `Cluster.anywhere.eks.amazonaws.com`, `kcp`, or a KindInfo. */
export type KindRef = KindInfo | string;
export const KINDS: readonly KindInfo[];
export function kindFor(ref: KindRef): KindInfo;

/** One fault: a matcher (none = every request) and an effect. */
export interface Fault {
  resource?: string;
  method?: string;
  namespace?: string;
  name?: string;
  /** pathname prefix, e.g. `/version` */
  path?: string;
  latencyMs?: number;
  status?: number;
  reason?: string;
  message?: string;
  hang?: boolean;
  /** close the connection without an answer */
  drop?: boolean;
  /** `before` (default): instead of processing the request; `after`: the request is processed (a write lands), then the effect hits its answer */
  when?: 'before' | 'after';
  /** fire this many times, then the fault is spent */
  times?: number;
}

/** How the fake `eksctl anywhere upgrade cluster` ends (scenario `eksctl.upgrade`, EKSA_SIM_EKSCTL_UPGRADE). */
export interface EksctlUpgradeScript {
  outcome: 'succeed' | 'succeed-async' | 'fail' | 'hang' | 'exit-early-not-ready';
  /** the rollout, start to Ready (default 500) */
  durationMs: number;
  /** simulated (default): pause/resume through the API, empty directory; clusterctl: run the clusterctl on PATH */
  capiBackup: 'simulated' | 'clusterctl';
  /** fail: the error after `Error: failed to upgrade cluster: ` (default: what the applier was waiting for) */
  failMessage?: string;
  /** fail: the exit code (default 255, the real CLI's os.Exit(-1)) */
  exitCode?: number;
}
export const UPGRADE_OUTCOMES: readonly EksctlUpgradeScript['outcome'][];
export const DEFAULT_UPGRADE_DURATION_MS: number;

export interface ClusterDefinition {
  name: string;
  kubernetesVersion: string;
  eksaVersion: string;
  os: 'ubuntu' | 'redhat' | 'bottlerocket';
  etcd: 'stacked' | 'external';
  controlPlane: number;
  etcdCount?: number;
  workers: Array<{ name: string; count: number; kubernetesVersion?: string }>;
  shape: 'v1beta2' | 'v1beta1';
  /** this cluster's provider (a mixed tree); absent = the scenario's */
  provider?: SimProvider;
  /** namespace of its EKS-A objects; absent = default */
  namespace?: string;
  /** how its written spec file differs from the live objects */
  specFile?: SpecFileOverrides;
}

export type SimProvider = 'vsphere' | 'tinkerbell' | 'cloudstack' | 'nutanix' | 'snow' | 'docker';

export interface SpecFileOverrides {
  /** replaces upgradeTo's; null leaves the field out */
  kubernetesVersion?: string | null;
  eksaVersion?: string | null;
  /** per worker group name, a JSON merge patch of its entry (`{ kubernetesVersion: null }` removes a pin) */
  workers?: Record<string, Record<string, unknown>>;
  /** a JSON merge patch of the whole Cluster document, applied last */
  patch?: Record<string, unknown>;
  /** write every kubernetesVersion unquoted (`kubernetesVersion: 1.30`) */
  unquotedKubernetesVersion?: boolean;
}

export interface Scenario {
  name: string;
  description: string;
  file?: string;
  provider: SimProvider;
  management: string;
  upgradeTo: { kubernetesVersion: string; eksaVersion: string };
  /** management cluster first */
  clusters: ClusterDefinition[];
  patches: unknown[];
  /** objects added as given (uid, creationTimestamp and owner uids filled in) */
  add: unknown[];
  remove: unknown[];
  faults: Fault[];
  eksctl: { upgrade: EksctlUpgradeScript };
  clusterctl: Record<string, unknown>;
  controllers: { reconcileDelayMs: number };
  workloads: number;
  seed: string;
  objects: SimObject[];
}

export interface ScenarioOptions {
  /** add this many generated workload clusters w-0001… */
  workloads?: number;
  /** seeds uids and fake secret values (random by default) */
  seed?: string;
  now?: number;
}

export const SIM_DIR: string;
export const SCENARIO_DIR: string;
export function resolveScenarioPath(ref: string): string;
export function readScenarioDefinition(file: string): Record<string, any>;
export function normalizeDefinition(def: Record<string, any>, options?: { workloads?: number }): Omit<Scenario, 'workloads' | 'seed' | 'objects'>;
export function buildScenario(def: Record<string, any>, options?: ScenarioOptions): Scenario;
export function loadScenario(ref: string | Record<string, any>, options?: ScenarioOptions): Scenario;
export function generateWorkloads(n: number, template?: Partial<ClusterDefinition>): Array<Partial<ClusterDefinition> & { name: string }>;
export function specDocuments(scenario: Scenario, clusterName: string): SimObject[] | undefined;
export function specYaml(documents: SimObject[], options?: { unquotedKubernetesVersion?: boolean }): string;
/** The text of `<cluster>/<cluster>-eks-a-cluster.yaml` as the workdir gets it (specFile applied). */
export function specFileText(scenario: Scenario, clusterName: string): string | undefined;

export interface ListOptions { namespace?: string; labelSelector?: string; fieldSelector?: string }
export interface WriteOptions { subresource?: 'status'; dryRun?: boolean }

export class ObjectStore {
  readonly resourceVersion: string;
  load(objects: SimObject[], options?: { adopt?: boolean }): void;
  list(ref: KindRef, options?: ListOptions): readonly SimObject[];
  get(ref: KindRef, namespace: string | undefined, name: string): SimObject | undefined;
  all(): SimObject[];
  create(ref: KindRef, namespace: string | undefined, body: Partial<SimObject>, options?: { version?: string; dryRun?: boolean }): SimObject;
  update(ref: KindRef, namespace: string | undefined, name: string, body: Partial<SimObject>, options?: WriteOptions): SimObject;
  /** type: a content type (`application/merge-patch+json`, …) or `merge` | `json` | `strategic` */
  patch(ref: KindRef, namespace: string | undefined, name: string, type: string, patch: unknown, options?: WriteOptions): SimObject;
  delete(ref: KindRef, namespace: string | undefined, name: string, options?: { preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: boolean }): { deleted: boolean; object: SimObject };
  /** A controller that reconciles within the write: runs when a write bumps generation, may change `next.status`. */
  setGenerationHook(hook: ((info: KindInfo, next: SimObject) => void) | undefined): void;
  on(event: 'change', listener: (e: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; info: KindInfo; object: SimObject }) => void): this;
  off(event: 'change', listener: (...args: any[]) => void): this;
  listenerCount(event: 'change'): number;
}

export interface SimServer {
  url: string;
  port: number;
  store: ObjectStore;
  scenario: Scenario;
  setFaults(faults: Fault[]): void;
  faults(): Fault[];
  close(): Promise<void>;
}

export interface StartSimServerOptions {
  /** scenario name (`healthy`), YAML path, or a Scenario from loadScenario */
  scenario: string | Scenario;
  host?: string;
  port?: number;
  /** NDJSON file; one line per write request */
  journalFile?: string;
  workloads?: number;
  seed?: string;
}
export function startSimServer(options: StartSimServerOptions): Promise<SimServer>;

export const SIM_BIN: string;
export function simPaths(workdir: string): { dir: string; state: string; log: string; journal: string; kubeCache: string; releaseManifest: string };
export function clusterPaths(workdir: string, name: string): { dir: string; kubeconfig: string; spec: string };
export function kubeconfigYaml(name: string, url: string): string;
export function writeClusterFiles(workdir: string, scenario: Scenario, url: string): Array<{ name: string; kubeconfig: string; spec: string | undefined }>;
export interface SimEnv {
  KUBECONFIG: string;
  PATH: string;
  EKSA_SIM_JOURNAL: string;
  EKSA_SIM_URL: string;
  EKSA_SIM_SCENARIO?: string;
  EKSA_SIM_WORKDIR: string;
  KUBECACHEDIR: string;
  /** DIR/.sim/release-manifest.yaml, the offline EKS-A release manifest */
  EKSA_SAFE_UPGRADE_RELEASE_MANIFEST: string;
  /** With real etcd: the sshd's port. */
  EKSA_SAFE_UPGRADE_SSH_PORT?: string;
  /** With real etcd: DIR/.sim/etcd/ssh/known_hosts, the sshd's host key for every member address. */
  EKSA_SAFE_UPGRADE_SSH_KNOWN_HOSTS?: string;
  /** With real etcd: DIR/.sim/etcd/nodes/{cluster}, the sandbox root of each cluster's nodes. */
  EKSA_SAFE_UPGRADE_ETCD_REMOTE_ROOT?: string;
  /** With real etcd: https://{address}:PORT, each member's etcd on its own Machine address. */
  EKSA_SAFE_UPGRADE_ETCD_ENDPOINT?: string;
  /** With real etcd: DIR/.sim/etcd/state.json. */
  EKSA_SIM_ETCD_STATE?: string;
}
export function simEnv(options: { workdir: string; url: string; scenarioFile?: string; management: string; basePath?: string; etcd?: Record<string, string> }): SimEnv;
export function formatExports(env: Record<string, string>): string;
export function shellQuote(value: string): string;

export const EKSCTL_VERSION: string;
/** Provider tables of the generator: kinds and EKS-A's default SSH user per OS family. */
export const PROVIDERS: Record<SimProvider, {
  datacenterKind: string; machineConfigKind: string | undefined; infraApiVersion: string;
  infraClusterKind: string; infraMachineKind: string; templateKind: string; sshUser(os: string): string | undefined;
}>;
/** The fake eksctl's spec checks (sim/eksctl): each throws with the real CLI's message. */
export function normalizeKubernetesVersion(text: string): string;
export function workerKubernetesVersionSkew(newCluster: SimObject, oldCluster: SimObject): void;
export function immutableFields(newCluster: SimObject, oldCluster: SimObject): void;
export function eksctlMain(args: string[], env: Record<string, string | undefined>, io: { stdout: (s: string) => void; stderr: (s: string) => void }): Promise<number>;
export const RELEASE_MANIFEST_URL: string;
export function bundleNumberFor(eksaVersion: string): number;
export function bundleManifestUrl(eksaVersion: string): string;
export function eksaReleaseName(eksaVersion: string): string;

/** Simulated controllers over a store: observedGeneration catches up `reconcileDelayMs` after a spec change. */
export function startControllers(store: ObjectStore, options?: { reconcileDelayMs?: number }): { stop(): void };
/** `sim.eksa.aws/stuck`: an object annotated "true" is never caught up. */
export const STUCK_ANNOTATION: string;
export const DEFAULT_RECONCILE_DELAY_MS: number;

/** The offline release manifest and its bundles. */
export function releaseManifestDocuments(scenario: Scenario): { manifest: Record<string, any>; bundles: Array<{ file: string; document: Record<string, any> }> };
export function releaseVersions(scenario: Scenario): string[];
/** Writes release-manifest.yaml and bundles-<n>.yaml into `dir`; returns the manifest's path. */
export function writeReleaseManifest(dir: string, scenario: Scenario): string;
/** `public.ecr.aws/eks-anywhere/cli-tools:<version>-eks-a-<n>` */
export function cliToolsImage(eksaVersion: string): string;
export function componentVersions(eksaVersion: string): Record<'eksa' | 'certManager' | 'clusterAPI' | 'controlPlane' | 'bootstrap' | 'etcdadmBootstrap' | 'etcdadmController' | 'flux' | 'cilium' | 'vsphere' | 'tinkerbell', string>;
/** `1.31` → `v1.31.5-eks-1-31-20` */
export function kubeVersionFull(minor: string): string;

/** The API the upgrade driver uses: the in-process store or a server's REST API. */
export interface UpgradeApi {
  get(kind: KindRef, namespace: string | undefined, name: string): Promise<SimObject | undefined>;
  list(kind: KindRef, options?: { namespace?: string; labelSelector?: string }): Promise<SimObject[]>;
  patch(kind: KindRef, namespace: string | undefined, name: string, patch: unknown, options?: { status?: boolean }): Promise<SimObject>;
  create(kind: KindRef, namespace: string | undefined, body: unknown): Promise<SimObject>;
}
export function storeApi(store: ObjectStore): UpgradeApi;
export function restApi(server: string, options?: { timeoutMs?: number }): UpgradeApi;
export interface UpgradeStep { label: string; ops: Array<{ kind: string; namespace: string; name: string }> }
export function upgradeSteps(snapshot: { eksa: SimObject; capi: SimObject; kcp: SimObject; etcd?: SimObject; mds: SimObject[]; machineSets: SimObject[]; machines: SimObject[] }): UpgradeStep[];
/** Drive cluster `name` through its rolling upgrade to the EKS-A Cluster's spec versions. */
export function driveUpgrade(api: UpgradeApi, options: {
  name: string; namespace?: string; durationMs: number; until?: 'end' | 'midpoint'; signal?: AbortSignal;
  onStep?: (label: string, index: number, total: number) => void;
}): Promise<{ total: number; applied: number }>;

/** The real etcd world (sim/etcd): one etcd member per etcd Machine, one sshd, per-OS node files. */
export interface EtcdWorldMember {
  /** the Machine's name, also the etcd member's name */
  machine: string;
  /** the Machine's ExternalIP (127.x.y.z), where its etcd and the sshd listen */
  address: string;
  /** https://ADDRESS:PORT */
  endpoint: string;
}
export interface EtcdWorldCluster {
  name: string;
  os: 'ubuntu' | 'redhat' | 'bottlerocket';
  topology: 'external' | 'stacked';
  /** users[0].name of the machine config: the node user sshd lets in with this cluster's key */
  user: string;
  /** sorted by machine name: the order the tool tries them in */
  members: EtcdWorldMember[];
}
export interface EtcdWorld {
  /** EKSA_SAFE_UPGRADE_SSH_PORT, _SSH_KNOWN_HOSTS, _ETCD_REMOTE_ROOT, _ETCD_ENDPOINT, EKSA_SIM_ETCD_STATE */
  env: Record<string, string>;
  clusters: EtcdWorldCluster[];
  sshPort: number;
  clientPort: number;
  /** how long the start took */
  startMs: number;
  /** etcdctl (ETCDCTL_API=3) with the cluster's client certificate against its first running member; resolves with stdout */
  ctl(cluster: string, args: string[], input?: string): Promise<string>;
  /** stops one member's etcd (by pid) */
  stopMember(machine: string): Promise<void>;
  /** starts a stopped member again on its data; resolves when healthy */
  startMember(machine: string): Promise<void>;
  running(machine: string): boolean;
  /**
   * keeps the API server's objects in this cluster's etcd as kube-apiserver does (/registry/<group>/<resource>/…,
   * JSON, resourceVersion = etcd revision); resolves once every object is in
   */
  mirrorStore(store: unknown, cluster: string): Promise<{ flushed(): Promise<unknown>; stop(): void }>;
  /** stops every process of the world and removes its sudoers drop-in */
  stop(): Promise<boolean>;
}
/** Starts the world for `workdir` (whose cluster dirs must exist: each gets its `eks-a-id_rsa`). Needs root. */
export function startEtcdWorld(options: { workdir: string; scenario: Scenario; journalFile?: string }): Promise<EtcdWorld>;
/** Stops what the world of `workdir` started, from DIR/.sim/etcd/state.json; false when nothing was recorded. */
export function stopEtcdWorld(workdir: string): Promise<boolean>;
/** Why the world cannot run here for this scenario and workdir (tools, root, paths, size), or undefined. */
export function etcdWorldBlocker(scenario: Scenario, workdir: string, env?: Record<string, string | undefined>): string | undefined;
/** Missing tools (and root), with the packages that bring them, or undefined. */
export function realEtcdBlocker(env?: Record<string, string | undefined>, uid?: number): { missing: string[]; reason: string } | undefined;
export function planEtcdWorld(scenario: { clusters: Array<{ name: string }>; objects: SimObject[] }): Array<Omit<EtcdWorldCluster, 'members'> & { members: Array<{ machine: string; address: string }> }>;
export function etcdPaths(workdir: string): { dir: string; state: string; ssh: string; knownHosts: string; pki(cluster: string): string; nodeRoot(cluster: string): string; nodeRootTemplate: string; member(machine: string): string };
/** `etcd-server etcd-client openssh-server openssh-client sudo` */
export const ETCD_PACKAGES: string;
/** `apt-get install <ETCD_PACKAGES>` */
export const INSTALL_HINT: string;
