// EKS-A release objects: an EKSARelease `eksa-vX-Y-Z` and its Bundles per EKS-A version in use.
import { makeObject, SYSTEM_NS } from './objects.js';
import { EKSA_API_VERSION } from './eksa.js';
import { bundleNumberFor } from './versions.js';
import { bundlesSpec } from './bundles.js';

export { bundleNumberFor };

export const RELEASE_MANIFEST_URL = 'https://anywhere-assets.eks.amazonaws.com/releases/eks-a/manifest.yaml';

export const bundleManifestUrl = (eksaVersion) => `https://anywhere-assets.eks.amazonaws.com/releases/bundles/${bundleNumberFor(eksaVersion)}/manifest.yaml`;

/** EKS-A's EKSARelease name: `eksa-` + version with `.` → `-` and `+` → `-plus-`. */
export const eksaReleaseName = (eksaVersion) => `eksa-${eksaVersion.replaceAll('.', '-').replaceAll('+', '-plus-')}`;

/** The Bundles `bundles-<n>` and EKSARelease `eksa-vX-Y-Z` of one EKS-A version, as the CLI installs them. */
export function releasePair(ctx, version, kubernetesVersions) {
  const bundles = makeObject(ctx, EKSA_API_VERSION, 'Bundles', `bundles-${bundleNumberFor(version)}`, SYSTEM_NS, {}, {
    spec: bundlesSpec(version, kubernetesVersions),
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
}

export function releaseObjects(ctx, eksaVersions, kubernetesVersions) {
  return [...new Set(eksaVersions)].flatMap((version) => releasePair(ctx, version, kubernetesVersions));
}
