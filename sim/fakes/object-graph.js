// The object graph of `clusterctl move`, as cluster-api's objectgraph.go builds it (v1.13.2), plus EKS-A's
// --filter-cluster patches (0023, 0024). Pure: objects in, nodes out.
//
// Deliberate differences, all about input the real API server never produces:
// - an object without metadata.uid is keyed by group/kind/namespace/name, and an ownerReference without uid
//   is resolved by the same key, so hand-written scenario objects still form a graph;
// - ownerReference cycles stop instead of overflowing the stack.

export const CAPI_GROUP = 'cluster.x-k8s.io';
const ADDONS_GROUP = 'addons.cluster.x-k8s.io';
const MOVE_LABEL = 'clusterctl.cluster.x-k8s.io/move';
const MOVE_HIERARCHY_LABEL = 'clusterctl.cluster.x-k8s.io/move-hierarchy';
// util/secret/consts.go allSecretPurposes.
const SECRET_PURPOSES = ['kubeconfig', 'ca', 'etcd', 'sa', 'proxy', 'apiserver-etcd-client'];

export function groupOf(apiVersion) {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

/** objectgraph.go getDiscoveryTypes: Cluster, ClusterClass and ClusterResourceSet are move-hierarchy roots. */
export function typeInfo(group, kind, namespaced) {
  const hierarchy =
    (group === CAPI_GROUP && (kind === 'Cluster' || kind === 'ClusterClass')) ||
    (group === ADDONS_GROUP && kind === 'ClusterResourceSet');
  return { group, kind, namespaced, forceMove: hierarchy, forceMoveHierarchy: hierarchy };
}

/** util/secret ParseSecretName: the purpose is what follows the LAST dash, so `apiserver-etcd-client` never matches. */
export function parseClusterSecretName(name) {
  const at = name.lastIndexOf('-');
  if (at === -1) return undefined;
  const purpose = name.slice(at + 1);
  return SECRET_PURPOSES.includes(purpose) ? name.slice(0, at) : undefined;
}

export function filenameOf(node) {
  return `${node.kind}_${node.namespace}_${node.name}.yaml`;
}

function keyOf(uid, group, kind, namespace, name) {
  return uid ? `uid:${uid}` : `ref:${group}|${kind}|${namespace}|${name}`;
}

export class ObjectGraph {
  /** @param {Map<string, ReturnType<typeof typeInfo>>} types keyed `${group}/${kind}` */
  constructor(types) {
    this.types = types;
    /** @type {Map<string, any>} */
    this.nodes = new Map();
  }

  /** addObj / addRestoredObj: a node for the object, owners resolved (virtual nodes for owners not seen yet). */
  add(obj) {
    const md = obj.metadata ?? {};
    const group = groupOf(obj.apiVersion ?? '');
    const key = keyOf(md.uid, group, obj.kind, md.namespace ?? '', md.name);
    let node = this.nodes.get(key);
    if (!node) {
      node = newNode(key);
      this.nodes.set(key, node);
    }
    Object.assign(node, {
      virtual: false,
      uid: md.uid ?? '',
      apiVersion: obj.apiVersion ?? '',
      group,
      kind: obj.kind ?? '',
      name: md.name ?? '',
      namespace: md.namespace ?? '',
      object: obj,
    });
    const labels = md.labels ?? {};
    if (MOVE_LABEL in labels) node.forceMove = true;
    if (MOVE_HIERARCHY_LABEL in labels) node.forceMoveHierarchy = true;
    const type = this.types.get(`${group}/${node.kind}`);
    if (type) {
      node.forceMove ||= type.forceMove;
      node.forceMoveHierarchy ||= type.forceMoveHierarchy;
      node.isGlobal = !type.namespaced;
    }
    if (group === CAPI_GROUP && node.kind === 'Cluster') {
      const topology = obj.spec?.topology;
      // v1beta2 spec.topology.classRef{name,namespace}; v1beta1 spec.topology.class / classNamespace.
      const className = topology?.classRef?.name ?? topology?.class;
      if (className) {
        node.classKey = { name: className, namespace: topology?.classRef?.namespace || topology?.classNamespace || node.namespace };
      }
    }
    if (group === ADDONS_GROUP && node.kind === 'ClusterResourceSetBinding') {
      node.bindingClusterName = obj.spec?.clusterName;
    }
    for (const ref of md.ownerReferences ?? []) {
      const ownerKey = keyOf(ref.uid, groupOf(ref.apiVersion ?? ''), ref.kind, node.namespace, ref.name);
      if (!this.nodes.has(ownerKey)) {
        const owner = newNode(ownerKey);
        Object.assign(owner, { uid: ref.uid ?? '', apiVersion: ref.apiVersion, group: groupOf(ref.apiVersion ?? ''), kind: ref.kind, name: ref.name });
        this.nodes.set(ownerKey, owner);
      }
      node.owners.set(ownerKey, { controller: ref.controller, blockOwnerDeletion: ref.blockOwnerDeletion });
    }
    return node;
  }

  all() {
    return [...this.nodes.values()];
  }

  ofKind(group, kind) {
    return sortNodes(this.all().filter((n) => !n.virtual && n.group === group && n.kind === kind));
  }

  clusters() {
    return this.ofKind(CAPI_GROUP, 'Cluster');
  }

  clusterClasses() {
    return this.ofKind(CAPI_GROUP, 'ClusterClass');
  }

  machines() {
    return this.ofKind(CAPI_GROUP, 'Machine');
  }

  /** setSoftOwnership: `<cluster>-<purpose>` Secrets without owners, Clusters of a ClusterClass, CRS bindings. */
  setSoftOwnership() {
    const clusters = this.clusters();
    for (const secret of this.all().filter((n) => !n.virtual && n.apiVersion === 'v1' && n.kind === 'Secret')) {
      if (secret.owners.size > 0) continue;
      const clusterName = parseClusterSecretName(secret.name);
      if (clusterName === undefined) continue;
      for (const c of clusters) {
        if (c.name === clusterName && c.namespace === secret.namespace) secret.softOwners.add(c.key);
      }
    }
    for (const cc of this.clusterClasses()) {
      for (const c of clusters) {
        if (c.classKey && c.classKey.name === cc.name && c.classKey.namespace === cc.namespace) c.softOwners.add(cc.key);
      }
    }
    for (const binding of this.ofKind(ADDONS_GROUP, 'ClusterResourceSetBinding')) {
      for (const c of clusters) {
        if (binding.bindingClusterName === c.name && binding.namespace === c.namespace) binding.softOwners.add(c.key);
      }
    }
  }

  /** setTenants: every node reached from a move-hierarchy root through owners or soft owners gets that root as tenant. */
  setTenants() {
    const children = new Map();
    for (const n of this.all()) {
      for (const owner of [...n.owners.keys(), ...n.softOwners]) {
        if (!children.has(owner)) children.set(owner, []);
        children.get(owner).push(n);
      }
    }
    const visit = (node, tenant, seen) => {
      if (seen.has(node.key)) return;
      seen.add(node.key);
      node.tenants.add(tenant.key);
      for (const child of children.get(node.key) ?? []) visit(child, tenant, seen);
    };
    for (const root of this.all().filter((n) => n.forceMoveHierarchy)) visit(root, root, new Set());
  }

  /**
   * EKS-A filterCluster (patches 0023 + 0024): keep nodes whose tenants include a Cluster of that name
   * (namespace not compared), keep force-move nodes with no Cluster tenant, drop the rest; a kept node
   * with more than one Cluster tenant is an error.
   * @returns {string | undefined} the error text, if any
   */
  filterCluster(clusterName) {
    const snapshot = new Map(this.nodes);
    for (const node of sortNodes(this.all())) {
      const clusterTenants = [...node.tenants]
        .map((k) => snapshot.get(k))
        .filter((t) => t && t.group === CAPI_GROUP && t.kind === 'Cluster')
        .map((t) => t.name)
        .sort();
      const hasFilterCluster = clusterTenants.includes(clusterName);
      if (hasFilterCluster && clusterTenants.length > 1) {
        return `resource ${node.name} is a dependent of clusters ${clusterTenants.join(',')}. Only one cluster dependent allowed`;
      }
      if (clusterTenants.length === 0 && node.forceMove) continue;
      if (!hasFilterCluster) this.nodes.delete(node.key);
    }
    return undefined;
  }

  /** getMoveNodes: nodes with a tenant, or force-moved. */
  moveNodes() {
    return sortNodes(this.all().filter((n) => n.tenants.size > 0 || n.forceMove));
  }

  /**
   * getMoveSequence: groups in owner order. A node whose owner never enters the sequence (a virtual owner,
   * or one dropped by the filter) is never written, exactly as in clusterctl.
   */
  moveSequence() {
    const placed = new Set();
    const groups = [];
    for (;;) {
      const group = this.moveNodes().filter(
        (n) => !placed.has(n.key) && [...n.owners.keys(), ...n.softOwners].every((o) => placed.has(o)),
      );
      if (group.length === 0) break;
      for (const n of group) placed.add(n.key);
      groups.push(group);
    }
    return groups;
  }
}

function newNode(key) {
  return {
    key,
    virtual: true,
    uid: '',
    apiVersion: '',
    group: '',
    kind: '',
    name: '',
    namespace: '',
    object: undefined,
    owners: new Map(),
    softOwners: new Set(),
    tenants: new Set(),
    forceMove: false,
    forceMoveHierarchy: false,
    isGlobal: false,
    classKey: undefined,
    bindingClusterName: undefined,
    newUid: undefined,
  };
}

// Go iterates maps in random order; the fake sorts so its output and errors are stable.
function sortNodes(nodes) {
  return nodes.sort((a, b) =>
    `${a.kind}\u0000${a.namespace}\u0000${a.name}`.localeCompare(`${b.kind}\u0000${b.namespace}\u0000${b.name}`),
  );
}
