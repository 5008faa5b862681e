import semver from 'semver';
import YAML from 'yaml';
import { EnvironmentError, UsageError } from '../errors.js';

/**
 * Pure readers of the two EKS Anywhere documents that name the cli-tools image: the Release manifest
 * (`spec.releases[]{version, bundleManifestUrl}`) and a Bundles manifest
 * (`spec.versionsBundles[0].eksa.cliTools.uri`).
 */

export const DEFAULT_RELEASE_MANIFEST_URL = 'https://anywhere-assets.eks.amazonaws.com/releases/eks-a/manifest.yaml';

/** The flags that let an operator get past a failed lookup; every lookup error names them. */
export const LOOKUP_OVERRIDE_HINT =
  'pass --cli-tools-image IMAGE (e.g. from your registry mirror), --release-manifest FILE|URL, or --clusterctl PATH to run a local clusterctl';

export interface ReleaseEntry {
  readonly version: string;
  readonly bundleManifestUrl: string;
}

/** Where a document came from, and whether a bad document is the operator's file (usage) or a remote one. */
export interface DocumentOrigin {
  readonly what: 'release manifest' | 'bundle manifest';
  readonly location: string;
  readonly local: boolean;
}

function problem(origin: DocumentOrigin, message: string): Error {
  return origin.local
    ? new UsageError(message, { hint: LOOKUP_OVERRIDE_HINT })
    : new EnvironmentError(message, { hint: LOOKUP_OVERRIDE_HINT });
}

/** Parses YAML; a syntax error becomes one line naming the document, line and column. */
export function parseYamlDocument(text: string, origin: DocumentOrigin): unknown {
  const doc = YAML.parseDocument(text, { uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}` : 'unknown position';
    const reason = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? error.code;
    throw problem(origin, `the ${origin.what} ${origin.location} is not valid YAML: ${where}: ${reason}`);
  }
  return doc.toJS();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `.spec.releases[]` entries that have both a version and a bundleManifestUrl. */
export function releaseEntries(manifest: unknown, origin: DocumentOrigin): ReleaseEntry[] {
  const spec = isRecord(manifest) ? manifest['spec'] : undefined;
  const releases = isRecord(spec) ? spec['releases'] : undefined;
  if (!Array.isArray(releases)) {
    throw problem(origin, `the ${origin.what} ${origin.location} has no .spec.releases list (is it an EKS-A Release manifest?)`);
  }
  return releases.flatMap((r): ReleaseEntry[] =>
    isRecord(r) && typeof r['version'] === 'string' && typeof r['bundleManifestUrl'] === 'string'
      ? [{ version: r['version'], bundleManifestUrl: r['bundleManifestUrl'] }]
      : [],
  );
}

/** `v0.22.0` for `0.22.0` or `v0.22.0`; anything else is not an EKS-A version. */
export function normalizeEksaVersion(version: string): string {
  const trimmed = version.trim();
  if (!/^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(trimmed)) {
    throw new UsageError(`"${version}" is not an EKS Anywhere version (expected vMAJOR.MINOR.PATCH)`);
  }
  return trimmed.startsWith('v') ? trimmed : `v${trimmed}`;
}

/** The `n` available versions nearest to `target` (same minor first), nearest and then newest first. */
export function closestVersions(target: string, available: readonly string[], n = 3): string[] {
  const key = (v: string): number | undefined => {
    const p = semver.parse(v.replace(/^v/, ''));
    return p ? p.major * 1e8 + p.minor * 1e4 + p.patch : undefined;
  };
  const t = key(target);
  if (t === undefined) return available.slice(0, n);
  return available
    .flatMap((v) => {
      const k = key(v);
      return k === undefined ? [] : [{ v, distance: Math.abs(k - t), k }];
    })
    .sort((a, b) => a.distance - b.distance || b.k - a.k)
    .slice(0, n)
    .map((x) => x.v);
}

/** `.spec.versionsBundles[0].eksa.cliTools.uri`, exactly what EKS-A's backup and restore docs read. */
export function cliToolsUri(bundle: unknown, origin: DocumentOrigin): string {
  const spec = isRecord(bundle) ? bundle['spec'] : undefined;
  const bundles = isRecord(spec) ? spec['versionsBundles'] : undefined;
  const first: unknown = Array.isArray(bundles) ? bundles[0] : undefined;
  const eksa = isRecord(first) ? first['eksa'] : undefined;
  const cliTools = isRecord(eksa) ? eksa['cliTools'] : undefined;
  const uri = isRecord(cliTools) ? cliTools['uri'] : undefined;
  if (typeof uri !== 'string' || uri === '') {
    throw problem(origin, `the ${origin.what} ${origin.location} has no .spec.versionsBundles[0].eksa.cliTools.uri`);
  }
  if (!isImageReference(uri)) {
    throw problem(origin, `the ${origin.what} ${origin.location} names a cli-tools image that is not an image reference: ${JSON.stringify(uri)}`);
  }
  return uri;
}

// A docker image reference: registry[:port]/path[:tag][@sha256:digest], lower-case path components.
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** The image goes into a docker argv: anything that is not an image reference must be refused. */
export function isImageReference(image: string): boolean {
  return image.length <= 512 && IMAGE_REFERENCE.test(image);
}
