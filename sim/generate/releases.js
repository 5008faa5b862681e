// EKS-A release objects: an EKSARelease `eksa-vX-Y-Z` and its Bundles per EKS-A version in use.
import { makeObject, SYSTEM_NS } from './objects.js';
import { EKSA_API_VERSION } from './eksa.js';

export const RELEASE_MANIFEST_URL = 'https://anywhere-assets.eks.amazonaws.com/releases/eks-a/manifest.yaml';

/**
 * The simulator's bundle number of an EKS-A version. Real numbers come from the release manifest;
 * these are made up but stable (v0.22.0 → 220, v0.23.1 → 231).
 */
export function bundleNumberFor(eksaVersion) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(eksaVersion);
  if (!m) throw new Error(`not an EKS-A version: ${eksaVersion}`);
  return Number(m[1]) * 1000 + Number(m[2]) * 10 + Number(m[3]);
}

export const bundleManifestUrl = (eksaVersion) => `https://anywhere-assets.eks.amazonaws.com/releases/bundles/${bundleNumberFor(eksaVersion)}/manifest.yaml`;

/** EKS-A's EKSARelease name: `eksa-` + version with `.` → `-` and `+` → `-plus-`. */
export const eksaReleaseName = (eksaVersion) => `eksa-${eksaVersion.replaceAll('.', '-').replaceAll('+', '-plus-')}`;

export function releaseObjects(ctx, eksaVersions, kubernetesVersions) {
  return [...new Set(eksaVersions)].flatMap((version) => {
    const number = bundleNumberFor(version);
    const bundles = makeObject(ctx, EKSA_API_VERSION, 'Bundles', `bundles-${number}`, SYSTEM_NS, {}, {
      spec: {
        number,
        cliMinVersion: version,
        cliMaxVersion: version,
        versionsBundles: [...new Set(kubernetesVersions)].sort().map((kubeVersion) => ({
          kubeVersion,
          eksa: { version, cliTools: { uri: `public.ecr.aws/eks-anywhere/cli-tools:${version}-eks-a-${number}` } },
        })),
      },
    });
    const release = makeObject(ctx, EKSA_API_VERSION, 'EKSARelease', eksaReleaseName(version), SYSTEM_NS, {}, {
      spec: {
        releaseDate: ctx.created.slice(0, 10),
        version,
        gitCommit: bundles.metadata.uid.replaceAll('-', '').slice(0, 40),
        bundleManifestUrl: bundleManifestUrl(version),
        bundlesRef: { apiVersion: EKSA_API_VERSION, name: bundles.metadata.name, namespace: SYSTEM_NS },
      },
    });
    return [bundles, release];
  });
}
