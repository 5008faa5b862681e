import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError, UsageError } from '../errors.js';
import {
  DEFAULT_RELEASE_MANIFEST_URL,
  LOOKUP_OVERRIDE_HINT,
  type DocumentOrigin,
  type ReleaseEntry,
  cliToolsUri,
  closestVersions,
  isImageReference,
  normalizeEksaVersion,
  parseYamlDocument,
  releaseEntries,
} from './release-manifest.js';

/**
 * Finds the EKS-A cli-tools image (the one that carries EKS-A's patched clusterctl) the way the EKS-A
 * backup docs do: release manifest → `.spec.releases[] | select(.version == V).bundleManifestUrl` → bundle →
 * `.spec.versionsBundles[0].eksa.cliTools.uri`. Reads use fetch, not the runner: they are not commands.
 * Fetched documents are cached by URL, so an admin machine that goes offline keeps working.
 */

export interface CliToolsImageInput {
  readonly eksaVersion: string;
  /** URL or local file of the release manifest (`--release-manifest`); default: the public EKS-A manifest. */
  readonly releaseManifest?: string;
  /** `--cli-tools-image`: use this image and skip the lookup. */
  readonly cliToolsImage?: string;
  /** Directory of cached manifests, e.g. `~/.cache/eksa-safe-upgrade/manifests`. */
  readonly cacheDir: string;
  readonly fetchTimeoutMs?: number;
  /** Ends a fetch in flight: the run was interrupted. */
  readonly abort?: AbortSignal | undefined;
}

export interface CliToolsImage {
  readonly image: string;
  readonly source: 'flag' | 'bundle';
  readonly bundleManifestUrl?: string;
  readonly releaseManifest?: string;
  /** True when no document was fetched over the network and at least one came from the cache. */
  readonly fromCache: boolean;
}

export interface LoadedDocument {
  readonly value: unknown;
  readonly origin: DocumentOrigin;
  readonly fromCache: boolean;
}

const DEFAULT_FETCH_TIMEOUT_MS = 15_000;

const isUrl = (location: string): boolean => /^https?:\/\//i.test(location);

/** `<cacheDir>/<sha256 of url>.yaml`. */
export function cachePathFor(cacheDir: string, url: string): string {
  return path.join(cacheDir, `${createHash('sha256').update(url).digest('hex')}.yaml`);
}

/**
 * `https://user:pass@host/x` as fetch takes it: fetch refuses a URL with credentials, so they go in a Basic
 * Authorization header (what curl does with the same URL).
 */
export function withoutUserinfo(url: string): { readonly url: string; readonly headers: Record<string, string> } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url, headers: {} };
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } };
}

async function fetchText(url: string, what: string, timeoutMs: number, abort?: AbortSignal): Promise<string> {
  // One controller with our own timer, cleared in `finally`, over the request and its body: a timeout signal
  // held only by AbortSignal.any() can be garbage-collected before it fires (Node 20), and the fetch then waits
  // for ever on a host that never answers. Our own Ctrl-C (or SIGTERM) ends the fetch at once too.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  const onAbort = () => controller.abort(abort?.reason);
  if (abort?.aborted) onAbort();
  else abort?.addEventListener('abort', onAbort, { once: true });
  try {
    const target = withoutUserinfo(url);
    let response: Response;
    try {
      response = await fetch(target.url, { headers: target.headers, signal: controller.signal, redirect: 'follow' });
    } catch (error) {
      throw fetchFailure(url, what, timeoutMs, error);
    }
    if (!response.ok) {
      throw new EnvironmentError(`cannot fetch the ${what} ${url}: HTTP ${response.status} ${response.statusText}`, {
        hint: LOOKUP_OVERRIDE_HINT,
      });
    }
    try {
      return await response.text();
    } catch (error) {
      throw fetchFailure(url, what, timeoutMs, error);
    }
  } finally {
    clearTimeout(timer);
    abort?.removeEventListener('abort', onAbort);
  }
}

function fetchFailure(url: string, what: string, timeoutMs: number, error: unknown): EnvironmentError {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.message ?? e.cause?.code ?? e.message);
  return new EnvironmentError(`cannot fetch the ${what} ${url}: ${reason}`, { hint: LOOKUP_OVERRIDE_HINT });
}

/**
 * A URL comes from the cache when `preferCache` and a cached copy exists, else from the network (and is
 * then cached, once it parses). A local file or file:// URL is read as it is.
 */
async function loadDocument(
  location: string,
  what: DocumentOrigin['what'],
  options: { cacheDir: string; timeoutMs: number; preferCache: boolean; abort?: AbortSignal | undefined },
): Promise<LoadedDocument> {
  if (!isUrl(location)) {
    const file = location.startsWith('file:') ? fileURLToPath(location) : location;
    const origin: DocumentOrigin = { what, location: file, local: true };
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the ${what} ${file}: ${(error as Error).message}`, { hint: LOOKUP_OVERRIDE_HINT });
    }
    return { value: parseYamlDocument(text, origin), origin, fromCache: false };
  }
  const origin: DocumentOrigin = { what, location, local: false };
  const cached = cachePathFor(options.cacheDir, location);
  if (options.preferCache) {
    const text = await readFile(cached, 'utf8').catch(() => undefined);
    if (text !== undefined) return { value: parseYamlDocument(text, origin), origin, fromCache: true };
  }
  let text: string;
  try {
    text = await fetchText(location, what, options.timeoutMs, options.abort);
  } catch (error) {
    if (!options.preferCache) throw error;
    throw new EnvironmentError(`${(error as Error).message} (no cached copy)`, { hint: LOOKUP_OVERRIDE_HINT });
  }
  const value = parseYamlDocument(text, origin);
  await mkdir(options.cacheDir, { recursive: true });
  const partial = `${cached}.${process.pid}.partial`;
  await writeFile(partial, text);
  await rename(partial, cached);
  return { value, origin, fromCache: false };
}

/** A relative bundleManifestUrl in a local release manifest is relative to that file. */
function bundleLocation(entry: ReleaseEntry, release: DocumentOrigin): string {
  const url = entry.bundleManifestUrl;
  if (isUrl(url) || url.startsWith('file:') || path.isAbsolute(url) || !release.local) return url;
  return path.resolve(path.dirname(release.location), url);
}

export interface ResolvedBundle {
  readonly release: LoadedDocument;
  readonly bundle: LoadedDocument;
  readonly bundleManifestUrl: string;
  readonly releaseManifest: string;
}

/** Release manifest → the Bundles manifest of `eksaVersion` (cached by URL, as for the cli-tools image). */
export async function resolveBundle(input: Omit<CliToolsImageInput, 'cliToolsImage'>): Promise<ResolvedBundle> {
  const version = normalizeEksaVersion(input.eksaVersion);
  const releaseManifest = input.releaseManifest ?? DEFAULT_RELEASE_MANIFEST_URL;
  const options = { cacheDir: input.cacheDir, timeoutMs: input.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS, abort: input.abort };

  let release = await loadDocument(releaseManifest, 'release manifest', { ...options, preferCache: true });
  let entries = releaseEntries(release.value, release.origin);
  let entry = entries.find((e) => e.version === version);
  if (!entry && release.fromCache) {
    // The cached manifest predates this release: refresh it once.
    try {
      release = await loadDocument(releaseManifest, 'release manifest', { ...options, preferCache: false });
    } catch (error) {
      throw new EnvironmentError(
        `EKS-A version ${version} is not in the cached release manifest ${releaseManifest}, and refreshing it failed: ${(error as Error).message}`,
        { hint: LOOKUP_OVERRIDE_HINT, cause: error },
      );
    }
    entries = releaseEntries(release.value, release.origin);
    entry = entries.find((e) => e.version === version);
  }
  if (!entry) {
    const closest = closestVersions(version, entries.map((e) => e.version));
    throw new EnvironmentError(
      `EKS-A version ${version} is not in the release manifest ${release.origin.location}` +
        (closest.length > 0 ? ` (closest: ${closest.join(', ')})` : ' (it lists no releases)'),
      { hint: LOOKUP_OVERRIDE_HINT },
    );
  }
  const bundleManifestUrl = bundleLocation(entry, release.origin);
  const bundle = await loadDocument(bundleManifestUrl, 'bundle manifest', { ...options, preferCache: true });
  return { release, bundle, bundleManifestUrl, releaseManifest };
}

/** A Bundles manifest given by the operator (`--bundles-override`): a file, or a URL eksctl would fetch too. */
export async function loadBundlesOverride(location: string, options: { cacheDir: string; abort?: AbortSignal | undefined }): Promise<unknown> {
  const doc = await loadDocument(location, 'bundle manifest', { cacheDir: options.cacheDir, timeoutMs: DEFAULT_FETCH_TIMEOUT_MS, preferCache: false, abort: options.abort });
  return doc.value;
}

export async function resolveCliToolsImage(input: CliToolsImageInput): Promise<CliToolsImage> {
  if (input.cliToolsImage !== undefined) {
    if (!isImageReference(input.cliToolsImage)) {
      throw new UsageError(`--cli-tools-image "${input.cliToolsImage}" is not a container image reference`, {
        hint: 'give an image such as public.ecr.aws/eks-anywhere/cli-tools:v0.22.0-eks-a-85',
      });
    }
    return { image: input.cliToolsImage, source: 'flag', fromCache: false };
  }
  const found = await resolveBundle(input);
  const image = cliToolsUri(found.bundle.value, found.bundle.origin);
  const docs = [found.release, found.bundle];
  const bundleManifestUrl = found.bundleManifestUrl;
  const releaseManifest = found.releaseManifest;
  return {
    image,
    source: 'bundle',
    bundleManifestUrl,
    releaseManifest,
    fromCache: docs.some((d) => d.fromCache) && docs.every((d) => d.fromCache || d.origin.local),
  };
}

/** Every EKS-A version the release manifest lists (cached by URL, as for the bundle lookup). */
export async function releaseVersions(input: { releaseManifest?: string | undefined; cacheDir: string; abort?: AbortSignal | undefined }): Promise<string[]> {
  const location = input.releaseManifest ?? DEFAULT_RELEASE_MANIFEST_URL;
  const doc = await loadDocument(location, 'release manifest', { cacheDir: input.cacheDir, timeoutMs: DEFAULT_FETCH_TIMEOUT_MS, preferCache: false, abort: input.abort }).catch(async (error: unknown) => {
    // Offline: the cached copy, when there is one.
    if (!isUrl(location)) throw error;
    return loadDocument(location, 'release manifest', { cacheDir: input.cacheDir, timeoutMs: DEFAULT_FETCH_TIMEOUT_MS, preferCache: true, abort: input.abort });
  });
  return releaseEntries(doc.value, doc.origin).map((e) => e.version);
}
