import semver from 'semver';

/**
 * Pure: the upgrades EKS-A requires from the live versions of a management tree to a target EKS-A version.
 * EKS-A moves one EKS-A minor per upgrade (pkg/validations ValidateEksaVersionSkew: "cannot upgrade to …
 * minor version more than one"), one Kubernetes minor per upgrade (ValidateK8s… version skew), and the
 * management cluster before its workload clusters (a workload's eksaVersion may not pass its management's).
 */

export interface RouteCluster {
  readonly name: string;
  readonly role: 'management' | 'workload';
  /** Live `spec.eksaVersion` (vX.Y.Z). */
  readonly eksaVersion: string;
  /** Live Kubernetes minor. */
  readonly kubernetesVersion: string;
  /** The Kubernetes minor it goes to (the management's from the spec; a workload keeps its own). */
  readonly targetKubernetesVersion: string;
  /** Its spec file, as the operator passes it to -f. */
  readonly specFile: string;
}

export interface RouteInput {
  readonly clusters: readonly RouteCluster[];
  readonly target: string;
  /** Every EKS-A version of the release manifest. */
  readonly releases: readonly string[];
  /** The management kubeconfig, for the workload clusters' command lines. */
  readonly managementKubeconfig: string;
  /** The management cluster's folder: where each step's backup set goes. */
  readonly managementFolder: string;
}

export interface RouteStep {
  readonly cluster: string;
  readonly role: 'management' | 'workload';
  readonly specFile: string;
  /** What to write in the spec file before the step. */
  readonly set: { readonly eksaVersion: string; readonly kubernetesVersion: string };
  readonly command: readonly string[];
  /** What the command hands off to, with the eksctl of `eksctlVersion`. */
  readonly eksctl: readonly string[];
  readonly backup: string;
}

export interface RouteHop {
  readonly eksaVersion: string;
  /** The eksctl anywhere release to install for this hop (its version is the hop's target). */
  readonly eksctlVersion: string;
  readonly steps: readonly RouteStep[];
}

export interface Route {
  readonly from: { readonly eksaVersion: string; readonly kubernetesVersion: string };
  readonly to: { readonly eksaVersion: string; readonly kubernetesVersion: string };
  readonly hops: readonly RouteHop[];
}

export class RouteError extends Error {}

const minorOf = (v: string): number => Number(v.split('.')[1]);
const parse = (v: string): semver.SemVer => {
  const p = semver.parse(v.replace(/^v/, ''));
  if (!p) throw new RouteError(`"${v}" is not an EKS-A version (vMAJOR.MINOR.PATCH)`);
  return p;
};

/** The newest release of `major.minor` in the manifest (the target itself on the last hop). */
function releaseOf(major: number, minor: number, releases: readonly string[]): string | undefined {
  return releases
    .filter((r) => semver.valid(r.replace(/^v/, '')) && !semver.prerelease(r.replace(/^v/, '')))
    .filter((r) => parse(r).major === major && parse(r).minor === minor)
    .sort((a, b) => semver.rcompare(a.replace(/^v/, ''), b.replace(/^v/, '')))[0];
}

/** Kubernetes `1.x` after `hop` upgrades: one minor per upgrade, never past the target. */
function kubeAt(from: string, to: string, hop: number): string {
  const f = minorOf(from);
  const t = minorOf(to);
  return `1.${t > f ? Math.min(f + hop, t) : f}`;
}

export function planRoute(input: RouteInput): Route {
  const management = input.clusters.find((c) => c.role === 'management');
  if (!management) throw new RouteError('the tree has no management cluster');
  const from = parse(management.eksaVersion);
  const to = parse(input.target);
  if (to.major !== from.major) throw new RouteError(`EKS-A does not upgrade across major versions (${management.eksaVersion} → ${input.target})`);
  if (semver.lt(to, from)) throw new RouteError(`${input.target} is older than the management cluster's ${management.eksaVersion}: EKS-A does not downgrade`);
  const eksaSteps = to.minor - from.minor;
  const kubeSteps = Math.max(0, ...input.clusters.map((c) => minorOf(c.targetKubernetesVersion) - minorOf(c.kubernetesVersion)));
  const behindPatch = eksaSteps === 0 && semver.gt(to, from) ? 1 : 0;
  const count = Math.max(eksaSteps, kubeSteps, behindPatch);
  const hops: RouteHop[] = [];
  for (let i = 1; i <= count; i++) {
    const minor = Math.min(from.minor + i, to.minor);
    const version = minor === to.minor ? input.target : releaseOf(to.major, minor, input.releases);
    if (!version) throw new RouteError(`the release manifest has no EKS-A v${to.major}.${minor} release, which the route to ${input.target} must pass`);
    const steps = input.clusters.map((c): RouteStep => {
      const kubernetesVersion = kubeAt(c.kubernetesVersion, c.targetKubernetesVersion, i);
      const command = ['eksa-safe-upgrade', 'cluster', '-f', c.specFile, ...(c.role === 'workload' ? ['--kubeconfig', input.managementKubeconfig] : [])];
      const eksctl = ['eksctl', 'anywhere', 'upgrade', 'cluster', '-f', c.specFile, ...(c.role === 'workload' ? ['--kubeconfig', input.managementKubeconfig] : [])];
      return {
        cluster: c.name,
        role: c.role,
        specFile: c.specFile,
        set: { eksaVersion: version, kubernetesVersion },
        command,
        eksctl,
        backup: `${input.managementFolder}/${c.name}-backup-<timestamp>: ${c.role === 'management' ? "the tree's CAPI objects and each cluster's etcd snapshot" : `${c.name}'s CAPI objects and etcd snapshot`}, verified, before eksctl runs`,
      };
    });
    // The management cluster first, then its workload clusters by name.
    steps.sort((a, b) => (a.role === b.role ? a.cluster.localeCompare(b.cluster) : a.role === 'management' ? -1 : 1));
    hops.push({ eksaVersion: version, eksctlVersion: version, steps });
  }
  return {
    from: { eksaVersion: management.eksaVersion, kubernetesVersion: management.kubernetesVersion },
    to: { eksaVersion: input.target, kubernetesVersion: management.targetKubernetesVersion },
    hops,
  };
}
