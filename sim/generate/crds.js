// CustomResourceDefinition objects for every custom kind the server serves. clusterctl discovers the
// types to move from CRDs labelled `clusterctl.cluster.x-k8s.io`; EKS-A's own CRDs carry no label.
import { KINDS } from '../kinds.js';
import { makeObject } from './objects.js';

const BUILT_IN = new Set(['', 'coordination.k8s.io', 'apiextensions.k8s.io']);

export function crdObjects(ctx) {
  return KINDS.filter((k) => !BUILT_IN.has(k.group)).map((k) => makeObject(ctx, 'apiextensions.k8s.io/v1', 'CustomResourceDefinition', `${k.resource}.${k.group}`, undefined, {
    labels: k.provider ? { 'clusterctl.cluster.x-k8s.io': '', 'cluster.x-k8s.io/provider': k.provider } : {},
  }, {
    spec: {
      group: k.group,
      names: {
        kind: k.kind, listKind: `${k.kind}List`, plural: k.resource, singular: k.singular,
        ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
        ...(k.provider ? { categories: ['cluster-api'] } : {}),
      },
      scope: k.namespaced ? 'Namespaced' : 'Cluster',
      versions: k.versions.map((name, i) => ({
        name,
        served: true,
        storage: i === 0,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        ...(k.status ? { subresources: { status: {} } } : {}),
      })),
    },
    status: {
      acceptedNames: { kind: k.kind, plural: k.resource },
      storedVersions: [k.versions[0]],
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: ctx.created },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: ctx.created },
      ],
    },
  }));
}
