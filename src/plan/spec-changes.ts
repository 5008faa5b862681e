import type { KubeObject } from '../kube/types.js';
import type { ClusterSpec } from '../spec/types.js';

/**
 * Pure: where the spec file differs from the live objects it names (the Cluster, its datacenter and
 * machine configs), as `Kind/name spec.path` strings. A field the file sets counts when the live value
 * differs; fields the file leaves out are the webhooks' defaults and do not count. Empty: eksctl would
 * apply nothing.
 */
export function specChanges(spec: ClusterSpec, live: readonly KubeObject[]): string[] {
  const changes: string[] = [];
  const docs = [spec.cluster, ...(spec.datacenter ? [spec.datacenter] : []), ...spec.machineConfigs];
  for (const doc of docs) {
    const ns = doc.metadata.namespace ?? spec.namespace;
    const found = live.find((o) => o.kind === doc.kind && o.metadata.name === doc.metadata.name && (o.metadata.namespace ?? 'default') === ns && groupOf(o.apiVersion) === groupOf(doc.apiVersion));
    if (!found) {
      changes.push(`${doc.kind}/${doc.metadata.name} (not in the cluster)`);
      continue;
    }
    for (const p of differences(doc.spec, found.spec, 'spec')) changes.push(`${doc.kind}/${doc.metadata.name} ${p}`);
  }
  return changes;
}

const groupOf = (apiVersion: string | undefined) => (apiVersion ?? '').split('/')[0];

function differences(wanted: unknown, live: unknown, at: string): string[] {
  if (wanted === undefined || wanted === null) return [];
  if (Array.isArray(wanted)) {
    if (!Array.isArray(live) || live.length !== wanted.length) return [at];
    return wanted.flatMap((w, i) => differences(w, live[i], `${at}[${i}]`));
  }
  if (typeof wanted === 'object') {
    if (!live || typeof live !== 'object' || Array.isArray(live)) return [at];
    return Object.entries(wanted as Record<string, unknown>).flatMap(([k, v]) => differences(v, (live as Record<string, unknown>)[k], `${at}.${k}`));
  }
  // YAML may read an unquoted 1.30 as a number: compare as text, the way the API stores it.
  return String(wanted) === String(live) ? [] : [at];
}
