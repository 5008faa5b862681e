import { isRecord } from './bundles.js';

/** `spec.registryMirrorConfiguration` of an EKS-A Cluster, as the check uses it. */
export interface RegistryMirror {
  /** `host:port` of the mirror (EKS-A `BaseRegistry`). */
  readonly base: string;
  /** Source registry host → mirror `host:port[/namespace]` (EKS-A `NamespacedRegistryMap`). */
  readonly map: Readonly<Record<string, string>>;
  readonly authenticate: boolean;
  readonly caCertContent: string | undefined;
  readonly insecureSkipVerify: boolean;
}

/** EKS-A `constants.DefaultCoreEKSARegistry`. */
export const DEFAULT_CORE_EKSA_REGISTRY = 'public.ecr.aws';

/** `net.JoinHostPort`: brackets around an IPv6 host. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * EKS-A `registrymirror.FromClusterRegistryMirrorConfiguration` (pkg/registrymirror/registrymirror.go):
 * base = JoinHostPort(endpoint, port); each `ociNamespaces[]` maps its registry to `base/namespace`
 * (filepath.Join, so an empty namespace is the base itself); with no namespace mapping, `public.ecr.aws`
 * maps to the base. undefined when the spec has no mirror. EKS-A's default port is 443.
 */
export function mirrorFromSpec(clusterSpec: unknown): RegistryMirror | undefined {
  const config = isRecord(clusterSpec) ? clusterSpec['registryMirrorConfiguration'] : undefined;
  if (!isRecord(config)) return undefined;
  const endpoint = typeof config['endpoint'] === 'string' ? config['endpoint'] : '';
  if (endpoint === '') return undefined;
  const port = config['port'] === undefined || config['port'] === '' ? '443' : String(config['port']);
  const base = joinHostPort(endpoint, port);
  const map: Record<string, string> = {};
  const namespaces = Array.isArray(config['ociNamespaces']) ? config['ociNamespaces'].filter(isRecord) : [];
  for (const ns of namespaces) {
    const registry = typeof ns['registry'] === 'string' ? ns['registry'] : '';
    const namespace = typeof ns['namespace'] === 'string' ? ns['namespace'].replace(/^\/+|\/+$/g, '') : '';
    map[registry] = namespace === '' ? base : `${base}/${namespace}`;
  }
  if (Object.keys(map).length === 0) map[DEFAULT_CORE_EKSA_REGISTRY] = base;
  return {
    base,
    map,
    authenticate: config['authenticate'] === true,
    caCertContent: typeof config['caCertContent'] === 'string' && config['caCertContent'].trim() !== '' ? config['caCertContent'] : undefined,
    insecureSkipVerify: config['insecureSkipVerify'] === true,
  };
}

/**
 * EKS-A `(*RegistryMirror).ReplaceRegistry` (pkg/registrymirror/registrymirror.go): the host of the image
 * reference (parsed as `oci://<ref>`), when mapped, is replaced by its mirror (first occurrence); an image
 * of a registry with no mapping is pulled from where it is, unchanged.
 */
export function replaceRegistry(mirror: RegistryMirror, uri: string): string {
  const slash = uri.indexOf('/');
  const host = slash < 0 ? '' : uri.slice(0, slash);
  const target = mirror.map[host];
  return target === undefined ? uri : uri.replace(host, target);
}

/** An image reference split the way the registry API addresses it. */
export interface ImageReference {
  /** `host[:port]`. */
  readonly registry: string;
  /** The repository path, e.g. `eks-anywhere/jetstack/cert-manager-controller`. */
  readonly repository: string;
  /** The tag, or the digest when the reference is pinned by digest (the digest wins, as for a pull). */
  readonly reference: string;
}

/** `host[:port]/path[:tag][@sha256:…]` → its parts; undefined when there is no registry host. */
export function parseImageReference(ref: string): ImageReference | undefined {
  const slash = ref.indexOf('/');
  if (slash < 0) return undefined;
  const registry = ref.slice(0, slash);
  if (!/[.:]/.test(registry) && registry !== 'localhost') return undefined;
  let rest = ref.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  const tag = colon >= 0 ? rest.slice(colon + 1) : undefined;
  const repository = colon >= 0 ? rest.slice(0, colon) : rest;
  if (repository === '') return undefined;
  return { registry, repository, reference: digest ?? tag ?? 'latest' };
}
