// The EKS-A release manifest served offline: `DIR/.sim/release-manifest.yaml`, a `Release` listing the
// scenario's EKS-A versions (every cluster's, `upgradeTo`'s, and the minor before the oldest), each with a
// relative `bundleManifestUrl` naming a `bundles-<n>.yaml` beside it. The product reads it through
// EKSA_SAFE_UPGRADE_RELEASE_MANIFEST to find the cli-tools image without the network.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import semver from 'semver';
import { bundleNumberFor, BUNDLE_KUBE_VERSIONS } from './generate/versions.js';
import { bundlesSpec, releaseEntry, releaseDate } from './generate/bundles.js';

const API_VERSION = 'anywhere.eks.amazonaws.com/v1alpha1';
export const bundlesFileName = (eksaVersion) => `bundles-${bundleNumberFor(eksaVersion)}.yaml`;

/** The versions the manifest lists, oldest first: the one before the oldest in use, those in use, the target. */
export function releaseVersions(scenario) {
  const inUse = [...scenario.clusters.map((c) => c.eksaVersion), scenario.upgradeTo.eksaVersion];
  const oldest = semver.parse(inUse.map((v) => v.replace(/^v/, '')).sort(semver.compare)[0]);
  const older = oldest && oldest.minor > 0 ? [`v${oldest.major}.${oldest.minor - 1}.0`] : [];
  return [...new Set([...older, ...inUse])].sort((a, b) => semver.compare(a.replace(/^v/, ''), b.replace(/^v/, '')));
}

/** Every Kubernetes minor a bundle should carry: the usual range plus whatever the scenario uses. */
function kubeMinors(scenario) {
  return [
    ...BUNDLE_KUBE_VERSIONS, scenario.upgradeTo.kubernetesVersion,
    ...scenario.clusters.flatMap((c) => [c.kubernetesVersion, ...c.workers.flatMap((w) => (w.kubernetesVersion ? [w.kubernetesVersion] : []))]),
  ];
}

/** @returns {{ manifest: object, bundles: Array<{ file: string, document: object }> }} */
export function releaseManifestDocuments(scenario) {
  const versions = releaseVersions(scenario);
  const minors = kubeMinors(scenario);
  const latest = /** @type {string} */ (versions.at(-1));
  const manifest = {
    apiVersion: API_VERSION,
    kind: 'Release',
    metadata: { creationTimestamp: `${releaseDate(latest)}T00:00:00Z`, name: 'eks-anywhere' },
    spec: { latestVersion: latest, releases: versions.map((v) => releaseEntry(v, bundlesFileName(v))) },
  };
  const bundles = versions.map((v) => ({
    file: bundlesFileName(v),
    document: {
      apiVersion: API_VERSION,
      kind: 'Bundles',
      metadata: { creationTimestamp: `${releaseDate(v)}T00:00:00Z`, name: `bundles-${bundleNumberFor(v)}` },
      spec: bundlesSpec(v, minors),
    },
  }));
  return { manifest, bundles };
}

/**
 * Write the manifest and its bundles into `dir`.
 * @returns {string} the manifest's path
 */
export function writeReleaseManifest(dir, scenario) {
  const { manifest, bundles } = releaseManifestDocuments(scenario);
  for (const { file, document } of bundles) writeFileSync(path.join(dir, file), YAML.stringify(document, { lineWidth: 0 }));
  const file = path.join(dir, 'release-manifest.yaml');
  writeFileSync(file, YAML.stringify(manifest, { lineWidth: 0 }));
  return file;
}
