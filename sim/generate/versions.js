// Version strings of the simulated world: EKS Distro builds per Kubernetes minor and the component
// versions each (made-up but stable) EKS-A release ships. One table for the generated objects, the
// offline release manifest and the fake `eksctl anywhere upgrade plan`, so they always agree.
import { createHash } from 'node:crypto';

// Plausible EKS Distro patch releases per minor; the simulator does not need the real table.
const KUBE_PATCH = { '1.28': 15, '1.29': 13, '1.30': 9, '1.31': 5, '1.32': 1, '1.33': 1 };
/** The EKS Distro release number every simulated minor ships (kubernetes-1-31-eks-20). */
export const EKSD_NUMBER = 20;
/** Kubernetes minors every simulated bundle carries, besides the ones a scenario uses. */
export const BUNDLE_KUBE_VERSIONS = Object.keys(KUBE_PATCH);

/** `1.31` → `v1.31.5-eks-1-31-20`, the form of KCP/MachineDeployment `version` in EKS-A. */
export function kubeVersionFull(minor) {
  return `v${minor}.${KUBE_PATCH[minor] ?? 0}-eks-${minor.replace('.', '-')}-${EKSD_NUMBER}`;
}

/** `1.31` → `v1.31.5`, the EKS Distro release's Kubernetes version. */
export const kubePatchVersion = (minor) => `v${minor}.${KUBE_PATCH[minor] ?? 0}`;

/** `1.31` → `kubernetes-1-31-eks-20`, the EKS Distro release name. */
export const eksdReleaseName = (minor) => `kubernetes-${minor.replace('.', '-')}-eks-${EKSD_NUMBER}`;

function parse(eksaVersion) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(eksaVersion);
  if (!m) throw new Error(`not an EKS-A version: ${eksaVersion}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/**
 * The simulator's bundle number of an EKS-A version. Real numbers come from the release manifest;
 * these are made up but stable (v0.22.0 → 220, v0.23.1 → 231).
 */
export function bundleNumberFor(eksaVersion) {
  const { major, minor, patch } = parse(eksaVersion);
  return major * 1000 + minor * 10 + patch;
}

/** Build metadata like the `+abcdef1` EKS-A appends to component versions, stable per release. */
const buildOf = (eksaVersion) => createHash('sha256').update(`eksa ${eksaVersion}`).digest('hex').slice(0, 7);

/**
 * The management components and add-ons an EKS-A release ships, named as `eksctl anywhere upgrade plan`
 * names them. Every minor release moves every component, a patch release only the EKS-A controller.
 * @returns {{ eksa: string, certManager: string, clusterAPI: string, controlPlane: string, bootstrap: string,
 *   etcdadmBootstrap: string, etcdadmController: string, flux: string, cilium: string, vsphere: string, tinkerbell: string }}
 */
export function componentVersions(eksaVersion) {
  const { minor } = parse(eksaVersion);
  const build = buildOf(`v0.${minor}`);
  const capi = `v1.${Math.max(minor - 12, 0)}.3+${build}`;
  return {
    eksa: eksaVersion.startsWith('v') ? eksaVersion : `v${eksaVersion}`,
    certManager: `v1.${Math.max(minor - 6, 0)}.2+${build}`,
    clusterAPI: capi,
    controlPlane: capi,
    bootstrap: capi,
    etcdadmBootstrap: `v1.0.${Math.max(minor - 6, 0)}+${build}`,
    etcdadmController: `v1.0.${minor}+${build}`,
    flux: `v2.${Math.max(minor - 17, 0)}.1+${build}`,
    cilium: `v1.${Math.max(minor - 6, 0)}.4-0`,
    vsphere: `v1.${Math.max(minor - 10, 0)}.1+${build}`,
    tinkerbell: `v0.${Math.max(minor - 16, 0)}.6+${build}`,
  };
}
