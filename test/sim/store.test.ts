// The simulator's store semantics, selectors and patch algorithms, without HTTP.
import { describe, expect, it } from 'vitest';
import { ObjectStore, kindFor } from '../../sim/index.js';
// @ts-expect-error plain JS module of the simulator
import { parseLabelSelector, parseFieldSelector } from '../../sim/selectors.js';
// @ts-expect-error plain JS module of the simulator
import { mergePatch, jsonPatch } from '../../sim/patch.js';
// @ts-expect-error plain JS module of the simulator
import { parseFaults, faultsFor } from '../../sim/faults.js';
// @ts-expect-error plain JS module of the simulator
import { parseRoute } from '../../sim/routes.js';

function seeded() {
  const store = new ObjectStore();
  store.load([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'eksa-system' } },
    {
      apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Machine',
      metadata: { name: 'm1', namespace: 'eksa-system', generation: 4, labels: { a: '1' } },
      spec: { clusterName: 'c' }, status: { phase: 'Running', observedGeneration: 4 },
    },
  ]);
  return store;
}

describe('ObjectStore', () => {
  it('keeps seeded metadata and assigns resourceVersions', () => {
    const store = seeded();
    const m = store.get('machines', 'eksa-system', 'm1')!;
    expect(m.metadata.generation).toBe(4);
    expect(m.metadata.resourceVersion).toBe('2');
    expect(store.resourceVersion).toBe('2');
    expect(Object.isFrozen(m.spec)).toBe(true);
  });

  it('bumps generation on spec changes only and keeps status out of the main resource', () => {
    const store = seeded();
    const labelled = store.patch('machines', 'eksa-system', 'm1', 'application/merge-patch+json', { metadata: { labels: { b: '2' } }, status: { phase: 'Failed' } });
    expect(labelled.metadata.generation).toBe(4);
    expect(labelled.status.phase).toBe('Running');
    expect(labelled.metadata.labels).toEqual({ a: '1', b: '2' });
    const specChanged = store.patch('machines', 'eksa-system', 'm1', 'merge', { spec: { version: 'v1.31.5' } });
    expect(specChanged.metadata.generation).toBe(5);
    const status = store.patch('machines', 'eksa-system', 'm1', 'merge', { status: { phase: 'Failed' }, spec: { version: 'x' } }, { subresource: 'status' });
    expect(status.status.phase).toBe('Failed');
    expect(status.spec.version).toBe('v1.31.5');
    expect(status.metadata.generation).toBe(5);
  });

  it('a no-op patch or update keeps the resourceVersion', () => {
    const store = seeded();
    const before = store.get('machines', 'eksa-system', 'm1')!;
    expect(store.patch('machines', 'eksa-system', 'm1', 'merge', { spec: { clusterName: 'c' } })).toBe(before);
    expect(store.update('machines', 'eksa-system', 'm1', structuredClone(before))).toBe(before);
    expect(store.resourceVersion).toBe('2');
  });

  it.each([
    ['stale resourceVersion on update', 409, 'Conflict', (s: ObjectStore) => s.update('machines', 'eksa-system', 'm1', { metadata: { name: 'm1', resourceVersion: '1' } })],
    ['stale resourceVersion in a patch', 409, 'Conflict', (s: ObjectStore) => s.patch('machines', 'eksa-system', 'm1', 'merge', { metadata: { resourceVersion: '1' } })],
    ['create of an existing object', 409, 'AlreadyExists', (s: ObjectStore) => s.create('machines', 'eksa-system', { metadata: { name: 'm1' } })],
    ['create in a missing namespace', 404, 'NotFound', (s: ObjectStore) => s.create('machines', 'nope', { metadata: { name: 'm2' } })],
    ['get-for-update of a missing object', 404, 'NotFound', (s: ObjectStore) => s.patch('machines', 'eksa-system', 'zz', 'merge', {})],
    ['wrong kind in the body', 400, 'BadRequest', (s: ObjectStore) => s.create('machines', 'eksa-system', { kind: 'Lease', metadata: { name: 'x' } })],
    ['unknown patch type', 415, 'UnsupportedMediaType', (s: ObjectStore) => s.patch('machines', 'eksa-system', 'm1', 'application/apply-patch+yaml', {})],
  ] as const)('%s → %i %s', (_name, code, reason, act) => {
    const store = seeded();
    expect(() => act(store)).toThrow(expect.objectContaining({ code, reason }));
  });

  it('creates with fresh metadata, drops status of status-subresource kinds, and deletes', () => {
    const store = seeded();
    const created = store.create('machines', 'eksa-system', { metadata: { name: 'm2', uid: 'mine', resourceVersion: '77' }, status: { phase: 'Running' } }, { version: 'v1beta1' });
    expect(created.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
    expect(created.metadata.uid).not.toBe('mine');
    expect(created.metadata.generation).toBe(1);
    expect(created.status).toBeUndefined();
    const lease = store.create('leases', 'eksa-system', { metadata: { name: 'l' }, spec: { holderIdentity: 'a' } });
    expect(lease.metadata.generation).toBeUndefined();
    expect(store.delete('machines', 'eksa-system', 'm2').deleted).toBe(true);
    expect(store.get('machines', 'eksa-system', 'm2')).toBeUndefined();
  });

  it('keeps an object with finalizers until they are removed', () => {
    const store = seeded();
    store.create('machines', 'eksa-system', { metadata: { name: 'f', finalizers: ['machine.cluster.x-k8s.io'] } });
    const marked = store.delete('machines', 'eksa-system', 'f');
    expect(marked.deleted).toBe(false);
    expect(marked.object.metadata.deletionTimestamp).toBeDefined();
    store.patch('machines', 'eksa-system', 'f', 'merge', { metadata: { finalizers: null } });
    expect(store.get('machines', 'eksa-system', 'f')).toBeUndefined();
  });

  it('dry-run writes return the result and store nothing', () => {
    const store = seeded();
    const result = store.patch('machines', 'eksa-system', 'm1', 'merge', { spec: { paused: true } }, { dryRun: true });
    expect(result.spec.paused).toBe(true);
    expect(store.get('machines', 'eksa-system', 'm1')!.spec.paused).toBeUndefined();
    store.create('machines', 'eksa-system', { metadata: { name: 'dry' } }, { dryRun: true });
    expect(store.get('machines', 'eksa-system', 'dry')).toBeUndefined();
    expect(store.resourceVersion).toBe('2');
  });
});

describe('kindFor', () => {
  it.each([
    ['machines', 'Machine'], ['machines.cluster.x-k8s.io', 'Machine'], ['kcp', 'KubeadmControlPlane'],
    ['Cluster.anywhere.eks.amazonaws.com', 'Cluster'], ['secrets', 'Secret'], ['leases', 'Lease'],
  ])('%s → %s', (ref, kind) => {
    expect(kindFor(ref).kind).toBe(kind);
  });
  it('refuses an ambiguous or unknown name', () => {
    expect(() => kindFor('clusters')).toThrow(/ambiguous/);
    expect(() => kindFor('widgets')).toThrow(/unknown/);
  });
});

describe('label selectors', () => {
  const labels = { 'cluster.x-k8s.io/cluster-name': 'w1', 'cluster.x-k8s.io/control-plane': '', tier: 'a' };
  it.each([
    ['', true],
    ['cluster.x-k8s.io/cluster-name=w1', true],
    ['cluster.x-k8s.io/cluster-name==w1', true],
    ['cluster.x-k8s.io/cluster-name=w2', false],
    ['cluster.x-k8s.io/cluster-name!=w2', true],
    ['cluster.x-k8s.io/control-plane', true],
    ['!cluster.x-k8s.io/control-plane', false],
    ['cluster.x-k8s.io/etcd-cluster', false],
    ['missing!=x', true],
    ['cluster.x-k8s.io/cluster-name=w1,tier=a', true],
    ['cluster.x-k8s.io/cluster-name=w1,tier=b', false],
    ['tier in (a, b)', true],
    ['tier notin (a,b),cluster.x-k8s.io/control-plane', false],
    ['cluster.x-k8s.io/control-plane=', true],
  ])('%j → %s', (selector, expected) => {
    expect(parseLabelSelector(selector)(labels)).toBe(expected);
  });
  it('rejects garbage', () => {
    expect(() => parseLabelSelector('a=b=c')).toThrow(/unable to parse requirement/);
  });
  it('field selectors support metadata.name and metadata.namespace only', () => {
    const obj = { metadata: { name: 'w1', namespace: 'eksa-system' } };
    expect(parseFieldSelector('metadata.name=w1,metadata.namespace!=default')(obj)).toBe(true);
    expect(parseFieldSelector('metadata.name=w2')(obj)).toBe(false);
    expect(() => parseFieldSelector('status.phase=Running')).toThrow(/field label not supported/);
  });
});

describe('patch algorithms', () => {
  it('merge patch: null deletes, objects merge, arrays replace', () => {
    const target = Object.freeze({ a: { b: 1, c: 2 }, list: [1, 2], keep: true });
    expect(mergePatch(target, { a: { b: null, d: 3 }, list: [3] })).toEqual({ a: { c: 2, d: 3 }, list: [3], keep: true });
    expect(target).toEqual({ a: { b: 1, c: 2 }, list: [1, 2], keep: true });
  });
  it.each([
    [[{ op: 'add', path: '/a/x', value: 1 }], { a: { b: [1, 2], x: 1 } }],
    [[{ op: 'add', path: '/a/b/-', value: 3 }], { a: { b: [1, 2, 3] } }],
    [[{ op: 'add', path: '/a/b/0', value: 0 }], { a: { b: [0, 1, 2] } }],
    [[{ op: 'remove', path: '/a/b/1' }], { a: { b: [1] } }],
    [[{ op: 'replace', path: '/a/b', value: 'x' }], { a: { b: 'x' } }],
    [[{ op: 'move', from: '/a/b', path: '/c' }], { a: {}, c: [1, 2] }],
    [[{ op: 'copy', from: '/a/b', path: '/c' }], { a: { b: [1, 2] }, c: [1, 2] }],
    [[{ op: 'test', path: '/a/b', value: [1, 2] }, { op: 'remove', path: '/a' }], {}],
    [[{ op: 'add', path: '/k~1v', value: 1 }], { a: { b: [1, 2] }, 'k/v': 1 }],
  ])('json patch %j', (ops, expected) => {
    const target = { a: { b: [1, 2] } };
    expect(jsonPatch(target, ops)).toEqual(expected);
    expect(target).toEqual({ a: { b: [1, 2] } });
  });
  it.each([
    [[{ op: 'test', path: '/a/b', value: [2] }], /testing value/],
    [[{ op: 'remove', path: '/zz' }], /does not exist/],
    [[{ op: 'replace', path: '/a/zz', value: 1 }], /does not exist/],
    [[{ op: 'frobnicate', path: '/a' }], /unknown JSON patch operation/],
  ])('json patch %j fails', (ops, message) => {
    expect(() => jsonPatch({ a: { b: [1, 2] } }, ops)).toThrow(message);
  });
});

describe('faults', () => {
  const req = (over: Record<string, unknown> = {}) => ({
    method: 'GET', pathname: '/apis/cluster.x-k8s.io/v1beta2/machines', info: { resource: 'machines', group: 'cluster.x-k8s.io' }, ...over,
  });
  it('matches by resource, group, method and name; latencies add up; times runs out', () => {
    const faults = parseFaults([
      { latencyMs: 10 },
      { resource: 'machines.cluster.x-k8s.io', method: 'get', latencyMs: 5, status: 503, times: 1 },
      { resource: 'leases', hang: true },
    ]);
    expect(faultsFor(faults, req())).toEqual({ latencyMs: 15, hang: false, error: { status: 503, reason: 'ServiceUnavailable', message: 'injected fault: 503 on GET /apis/cluster.x-k8s.io/v1beta2/machines' } });
    expect(faultsFor(faults, req())).toEqual({ latencyMs: 10, hang: false, error: undefined });
    expect(faultsFor(faults, req({ info: { resource: 'leases', group: 'coordination.k8s.io' } })).hang).toBe(true);
    expect(faultsFor(faults, req({ info: undefined, pathname: '/version' })).hang).toBe(false);
  });
  it('keeps `when: after` effects apart, for the answer of a processed request', () => {
    const faults = parseFaults([
      { resource: 'leases', method: 'POST', when: 'after', drop: true, times: 1 },
      { resource: 'leases', when: 'after', latencyMs: 20 },
      { resource: 'leases', when: 'before', latencyMs: 5 },
    ]);
    const lease = req({ method: 'POST', info: { resource: 'leases', group: 'coordination.k8s.io' } });
    const first = faultsFor(faults, lease);
    expect([first.latencyMs, first.hang, first.error, first.drop]).toEqual([5, false, undefined, undefined]);
    expect(first.after).toEqual({ latencyMs: 20, hang: false, error: undefined, drop: true });
    expect(faultsFor(faults, lease).after).toEqual({ latencyMs: 20, hang: false, error: undefined, drop: undefined });
    expect(faultsFor(faults, req()).after).toBeUndefined();
  });
  it.each([
    [{ resource: 'machines', when: 'after' }, /needs latencyMs, status, hang or drop/],
    [{ drop: true, when: 'later' }, /when must be before or after/],
    [{ drop: 'yes' }, /drop must be true or false/],
  ])('rejects %j', (fault, message) => {
    expect(() => parseFaults([fault])).toThrow(message);
  });
  it.each([
    [{ resource: 'machines' }, /needs latencyMs, status(,| or) hang/],
    [{ status: 200 }, /HTTP error code/],
    [{ latencyMs: -1 }, /latencyMs/],
    [{ hang: true, color: 'red' }, /unknown field/],
    [{ hang: true, times: 0 }, /times/],
  ])('rejects %j', (fault, message) => {
    expect(() => parseFaults([fault])).toThrow(message);
  });
});

describe('routes', () => {
  it.each([
    ['/apis/cluster.x-k8s.io/v1beta2/namespaces/eksa-system/machines/m1/status', { type: 'resource', namespace: 'eksa-system', name: 'm1', subresource: 'status', version: 'v1beta2' }],
    ['/apis/cluster.x-k8s.io/v1beta1/machines', { type: 'resource', version: 'v1beta1', name: undefined }],
    ['/api/v1/namespaces/eksa-system', { type: 'resource', name: 'eksa-system', namespace: undefined }],
    ['/api/v1/namespaces/eksa-system/secrets', { type: 'resource', namespace: 'eksa-system', name: undefined }],
    ['/apis/etcdcluster.cluster.x-k8s.io/v1beta2/etcdadmclusters', { type: 'notFound' }],
    ['/apis/coordination.k8s.io/v1/leases/x/status', { type: 'notFound' }],
    ['/apis/anywhere.eks.amazonaws.com/v1alpha1/namespaces/default/clusters/a/b/c', { type: 'notFound' }],
    ['/openapi/v2', { type: 'notFound' }],
  ])('%s', (pathname, expected) => {
    expect(parseRoute(pathname)).toMatchObject(expected);
  });
});
