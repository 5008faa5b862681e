import type { KubeObject } from '../kube/types.js';
import { objectRef, reason, type Reason } from '../readiness/reason.js';
import { isRecord } from './bundles.js';

/** The kinds a GitOps tree is read with (EKS-A installs Flux v2: a GitRepository and a Kustomization). */
export const FLUX_KINDS = ['fluxconfigs.anywhere.eks.amazonaws.com', 'kustomizations.kustomize.toolkit.fluxcd.io', 'gitrepositories.source.toolkit.fluxcd.io'] as const;

/** EKS-A `FluxConfig.spec.systemNamespace` default (pkg/api/v1alpha1 fluxconfig_defaults). */
export const DEFAULT_FLUX_NAMESPACE = 'flux-system';

/** The clusters of the tree with a `gitOpsRef`, and the name of the config each names. */
export function gitOpsClusters(clusters: readonly KubeObject[]): Array<{ cluster: KubeObject; kind: string; name: string }> {
  return clusters.flatMap((c) => {
    const ref = c.spec?.['gitOpsRef'];
    return isRecord(ref) && typeof ref['name'] === 'string' && ref['name'] !== ''
      ? [{ cluster: c, kind: typeof ref['kind'] === 'string' ? ref['kind'] : 'FluxConfig', name: ref['name'] }]
      : [];
  });
}

function readyCondition(obj: KubeObject): { status: string; reason: string; message: string } | undefined {
  const conditions = obj.status?.['conditions'];
  if (!Array.isArray(conditions)) return undefined;
  const ready = conditions.find((c) => isRecord(c) && c['type'] === 'Ready');
  return isRecord(ready) ? { status: String(ready['status'] ?? ''), reason: String(ready['reason'] ?? ''), message: String(ready['message'] ?? '') } : undefined;
}

/** One Flux object's state: suspended, not Ready, or behind its own spec (observedGeneration). */
function judgeFluxObject(obj: KubeObject): Reason[] {
  const ref = objectRef(obj);
  if (obj.spec?.['suspend'] === true) return [reason('gitops-suspended', ref, 'suspended (spec.suspend: true): Flux does not reconcile the cluster; resume it with flux resume')];
  const ready = readyCondition(obj);
  if (!ready) return [reason('gitops-not-ready', ref, 'has no Ready condition yet')];
  if (ready.status !== 'True') return [reason('gitops-not-ready', ref, `Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}${ready.message ? `: ${ready.message}` : ''}`)];
  const generation = obj.metadata.generation;
  const observed = obj.status?.['observedGeneration'];
  if (typeof generation === 'number' && typeof observed === 'number' && observed < generation) {
    return [reason('gitops-not-ready', ref, `behind: observedGeneration ${observed} < generation ${generation}`)];
  }
  return [];
}

/**
 * The Flux objects that reconcile each GitOps cluster (its FluxConfig's system namespace), judged. A Flux
 * left suspended after a failed upgrade blocks the next (eks-anywhere #3091, #6453): known before any write.
 */
export function judgeGitOps(clusters: readonly KubeObject[], flux: readonly KubeObject[]): { reasons: Reason[]; checked: number } {
  const reasons: Reason[] = [];
  const seen = new Set<string>();
  for (const { cluster, kind, name } of gitOpsClusters(clusters)) {
    const ns = cluster.metadata.namespace ?? 'default';
    if (kind === 'GitOpsConfig') continue; // Flux v1 configs: EKS-A no longer upgrades them; nothing of Flux v2 to read.
    const config = flux.find((o) => o.kind === 'FluxConfig' && o.metadata.name === name && (o.metadata.namespace ?? 'default') === ns);
    if (!config) {
      reasons.push(reason('gitops-not-ready', `FluxConfig ${ns}/${name}`, `named by the gitOpsRef of cluster ${cluster.metadata.name}, not found`));
      continue;
    }
    const systemNs = typeof config.spec?.['systemNamespace'] === 'string' && config.spec['systemNamespace'] !== '' ? config.spec['systemNamespace'] : DEFAULT_FLUX_NAMESPACE;
    if (seen.has(systemNs)) continue;
    seen.add(systemNs);
    const objects = flux.filter((o) => (o.kind === 'Kustomization' || o.kind === 'GitRepository') && o.metadata.namespace === systemNs);
    if (objects.length === 0) reasons.push(reason('gitops-not-ready', `namespace ${systemNs}`, `no Flux Kustomization or GitRepository reconciles FluxConfig ${ns}/${name}`));
    for (const o of objects) reasons.push(...judgeFluxObject(o));
  }
  return { reasons, checked: seen.size };
}
