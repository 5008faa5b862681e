import { EKSA_GROUP, groupOf } from '../kube/kinds.js';
import { isImageReference } from '../capi/release-manifest.js';

/**
 * Pure readers of an EKS-A `Bundles` manifest (release/api/v1alpha1 bundle_types.go): the versions bundle
 * of each Kubernetes minor, and the images an upgrade of a tree pulls from it.
 */

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `spec.versionsBundles[]`, each with its `kubeVersion`; undefined when the document has no such list. */
export function versionsBundles(bundles: unknown): Json[] | undefined {
  const spec = isRecord(bundles) ? bundles['spec'] : undefined;
  const list = isRecord(spec) ? spec['versionsBundles'] : undefined;
  return Array.isArray(list) ? list.filter(isRecord) : undefined;
}

/** The versions bundle of Kubernetes `minor` (EKS-A `Bundles.VersionsBundle(kubeVersion)`). */
export function versionsBundleFor(bundles: unknown, minor: string): Json | undefined {
  return versionsBundles(bundles)?.find((vb) => vb['kubeVersion'] === minor);
}

const byMinor = (a: string, b: string): number => Number(a.split('.')[1]) - Number(b.split('.')[1]) || a.localeCompare(b);

/**
 * What makes a `--bundles-override` file unusable for this tree, one line per problem (empty: usable):
 * not a `Bundles` object, no versions bundle for a Kubernetes minor the tree runs or goes to, a versions
 * bundle without a cli-tools image. EKS-A 0.22 panicked in preflight on such a file (eks-anywhere #9671).
 */
export function bundlesOverrideProblems(doc: unknown, minors: readonly string[]): string[] {
  if (!isRecord(doc)) return ['it is not a YAML mapping (expected a Bundles object)'];
  const kind = doc['kind'];
  const apiVersion = typeof doc['apiVersion'] === 'string' ? doc['apiVersion'] : '';
  if (kind !== 'Bundles' || groupOf(apiVersion) !== EKSA_GROUP) {
    return [`it is not a Bundles object (apiVersion ${JSON.stringify(doc['apiVersion'] ?? null)}, kind ${JSON.stringify(kind ?? null)}; expected ${EKSA_GROUP}/v1alpha1 Bundles)`];
  }
  const list = versionsBundles(doc);
  if (list === undefined) return ['it has no spec.versionsBundles list'];
  const problems: string[] = [];
  const missing = [...new Set(minors)].sort(byMinor).filter((m) => versionsBundleFor(doc, m) === undefined);
  if (missing.length > 0) problems.push(`no versions bundle for Kubernetes ${missing.join(', ')} (spec.versionsBundles[].kubeVersion)`);
  list.forEach((vb, i) => {
    const eksa = vb['eksa'];
    const cli = isRecord(eksa) && isRecord(eksa['cliTools']) ? eksa['cliTools']['uri'] : undefined;
    const label = `spec.versionsBundles[${i}]${typeof vb['kubeVersion'] === 'string' ? ` (Kubernetes ${vb['kubeVersion']})` : ''}`;
    if (typeof vb['kubeVersion'] !== 'string') problems.push(`${label} has no kubeVersion`);
    if (typeof cli !== 'string' || cli === '') problems.push(`${label} has no eksa.cliTools.uri (the cli-tools image)`);
    else if (!isImageReference(cli)) problems.push(`${label} names a cli-tools image that is not an image reference: ${JSON.stringify(cli)}`);
  });
  return problems;
}

/** One image the upgrade pulls: where the bundle names it from. */
export interface BundleImage {
  readonly uri: string;
  /** e.g. `1.32 certManager.controller`. */
  readonly from: string;
}

/** What of the tree decides which images an upgrade pulls. */
export interface TreeImageNeeds {
  /** Kubernetes minor of the management cluster (its versions bundle carries the management components). */
  readonly managementMinor: string;
  readonly providers: readonly string[];
  readonly clusters: readonly ClusterImageNeeds[];
}

export interface ClusterImageNeeds {
  readonly name: string;
  /** Every Kubernetes minor the cluster runs after the upgrade (control plane and worker groups). */
  readonly minors: readonly string[];
  readonly osFamilies: readonly string[];
  readonly externalEtcd: boolean;
  /** `cilium` (EKS-A's default) or `kindnetd`. */
  readonly cni: 'cilium' | 'kindnetd';
  readonly gitOps: boolean;
}

/** EKS-A provider name → its key in a versions bundle. */
const PROVIDER_KEYS: Record<string, string> = {
  vsphere: 'vSphere',
  tinkerbell: 'tinkerbell',
  cloudstack: 'cloudStack',
  nutanix: 'nutanix',
  snow: 'snow',
  docker: 'docker',
};

/** The management components every management cluster runs (installed or moved by every upgrade). */
const MANAGEMENT_KEYS = ['eksa', 'certManager', 'clusterAPI', 'bootstrap', 'controlPlane'] as const;

/** Every `Image` (an object with a `uri`) under `value`, depth-first in key order, with its path. */
function imagesUnder(value: unknown, pathSoFar: string): BundleImage[] {
  if (!isRecord(value)) return [];
  if (typeof value['uri'] === 'string' && ('imageDigest' in value || isImageReference(value['uri']))) {
    // A Manifest or Archive also has a uri, but an https URL: only image references are images.
    return isImageReference(value['uri']) ? [{ uri: value['uri'], from: pathSoFar }] : [];
  }
  return Object.keys(value).sort().flatMap((k) => imagesUnder(value[k], `${pathSoFar}.${k}`));
}

/**
 * The images an upgrade of this tree pulls from the target bundle: the management components (from the
 * management cluster's versions bundle), the provider's controllers, external etcd's controllers, Flux when
 * a cluster is managed by GitOps, and per cluster and Kubernetes minor its CNI and, for Bottlerocket, the
 * host containers. Deduplicated by URI (the first place that names it is kept). Missing versions bundles
 * are returned by name, not thrown: the caller reports them.
 */
export function imagesToPull(bundles: unknown, needs: TreeImageNeeds): { images: BundleImage[]; missingMinors: string[] } {
  const out = new Map<string, BundleImage>();
  const missing = new Set<string>();
  const add = (minor: string, keys: readonly string[]): void => {
    const vb = versionsBundleFor(bundles, minor);
    if (!vb) {
      missing.add(minor);
      return;
    }
    for (const key of keys) for (const image of imagesUnder(vb[key], `${minor} ${key}`)) if (!out.has(image.uri)) out.set(image.uri, image);
  };
  const management = [
    ...MANAGEMENT_KEYS,
    ...needs.providers.flatMap((p) => (PROVIDER_KEYS[p] ? [PROVIDER_KEYS[p]] : [])),
    ...(needs.clusters.some((c) => c.externalEtcd) ? ['etcdadmBootstrap', 'etcdadmController'] : []),
    ...(needs.clusters.some((c) => c.gitOps) ? ['flux'] : []),
  ];
  add(needs.managementMinor, management);
  for (const cluster of needs.clusters) {
    for (const minor of cluster.minors) {
      add(minor, [
        cluster.cni,
        ...(cluster.osFamilies.includes('bottlerocket') ? ['bottlerocketHostContainers'] : []),
        // Each cluster's own control plane runs the provider's kube-vip and the kubeadm/etcdadm images of its minor.
        ...needs.providers.flatMap((p) => (PROVIDER_KEYS[p] ? [PROVIDER_KEYS[p]] : [])),
        ...(cluster.externalEtcd ? ['etcdadmBootstrap', 'etcdadmController'] : []),
      ]);
    }
  }
  return { images: [...out.values()], missingMinors: [...missing].sort(byMinor) };
}
