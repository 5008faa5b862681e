import { describe, expect, it } from 'vitest';
import { countByResource, crossCheck, parseGetJson, prefixesFor, resourceOfKey, sanityProblems, storedObject, type DecodedKv, type FileObject } from '../../src/drill/registry.js';
import { nodePeerUrl, planSnapshotDrill } from '../../src/drill/plan.js';

const kv = (key: string, object: unknown, modRevision: number): DecodedKv => ({ key, value: Buffer.from(typeof object === 'string' ? object : JSON.stringify(object)), modRevision });
const capiCluster = (name: string, uid: string) => ({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name, namespace: 'eksa-system', uid } });
const file = (name: string, extra: Partial<FileObject> = {}): FileObject => ({ file: `capi/Cluster_eksa-system_${name}.yaml`, group: 'cluster.x-k8s.io', kind: 'Cluster', namespace: 'eksa-system', name, ...extra });

describe('registry keys', () => {
  it.each([
    ['/registry/cluster.x-k8s.io/clusters/eksa-system/mgmt', 'clusters.cluster.x-k8s.io'],
    ['/registry/namespaces/kube-system', 'namespaces'],
    ['/registry/secrets/eksa-system/s', 'secrets'],
    ['/registry/apiextensions.k8s.io/customresourcedefinitions/x', 'customresourcedefinitions.apiextensions.k8s.io'],
    ['/eksa-sim/cluster', undefined],
    ['/registry/', undefined],
  ])('%s is a key of %s', (key, resource) => {
    expect(resourceOfKey(key)).toBe(resource);
  });

  it('counts keys per resource, sorted', () => {
    expect(countByResource(['/registry/secrets/a/b', '/registry/namespaces/x', '/registry/secrets/a/c', '/other'])).toEqual({ namespaces: 1, secrets: 2 });
  });

  it('parses etcdctl get -w json', () => {
    const text = JSON.stringify({ header: { revision: 9 }, kvs: [{ key: Buffer.from('/a').toString('base64'), value: Buffer.from('x').toString('base64'), mod_revision: 4 }], count: 1 });
    expect(parseGetJson(text)).toEqual({ revision: 9, count: 1, kvs: [{ key: '/a', value: Buffer.from('x'), modRevision: 4 }] });
  });

  it('reads JSON values only: protobuf and encrypted values are not objects here', () => {
    expect(storedObject(kv('/registry/cluster.x-k8s.io/clusters/eksa-system/m', capiCluster('m', 'u1'), 3))).toMatchObject({ group: 'cluster.x-k8s.io', kind: 'Cluster', name: 'm', uid: 'u1', modRevision: 3 });
    expect(storedObject(kv('/registry/secrets/a/b', 'k8s\u0000\n\u000c\n\u0002v1', 3))).toBeUndefined();
    expect(storedObject(kv('/registry/secrets/a/b', 'k8s:enc:aescbc:v1:key1:xxxx', 3))).toBeUndefined();
  });

  it('reads one prefix per custom resource group and per built-in kind', () => {
    expect(prefixesFor([file('a'), file('b'), { ...file('s'), group: '', kind: 'Secret' }])).toEqual(['/registry/cluster.x-k8s.io/', '/registry/secrets/']);
  });
});

describe('cross-check of capi/ and eksa/ against etcd', () => {
  const etcd = [kv('/registry/cluster.x-k8s.io/clusters/eksa-system/mgmt', capiCluster('mgmt', 'u1'), 10), kv('/registry/cluster.x-k8s.io/clusters/eksa-system/w01', capiCluster('w01', 'u2'), 12)];

  it('matches on uid, with etcd not older than the file', () => {
    expect(crossCheck([file('mgmt', { uid: 'u1', resourceVersion: '10' }), file('w01', { uid: 'u2', resourceVersion: '11' })], etcd)).toMatchObject({ matched: 2, missingFromEtcd: [], uidMismatch: [], olderInEtcd: [], etcdOnly: [] });
  });

  it.each([
    ['missing from etcd', [file('w09')], 'missingFromEtcd', 'Cluster.cluster.x-k8s.io eksa-system/w09 (capi/Cluster_eksa-system_w09.yaml)'],
    ['another uid', [file('mgmt', { uid: 'other' })], 'uidMismatch', 'Cluster.cluster.x-k8s.io eksa-system/mgmt: uid u1 in etcd, other in capi/Cluster_eksa-system_mgmt.yaml'],
    ['older in etcd', [file('mgmt', { uid: 'u1', resourceVersion: '11' })], 'olderInEtcd', 'Cluster.cluster.x-k8s.io eksa-system/mgmt: resourceVersion 10 in etcd, 11 in capi/Cluster_eksa-system_mgmt.yaml'],
  ] as const)('reports an object %s', (_what, files, field, line) => {
    const r = crossCheck(files, etcd);
    expect(r[field]).toEqual([line]);
    expect(r.matched).toBe(0);
  });

  it('lists objects in etcd only, of the kinds and namespaces the files hold', () => {
    expect(crossCheck([file('mgmt')], etcd).etcdOnly).toEqual(['Cluster.cluster.x-k8s.io eksa-system/w01 (/registry/cluster.x-k8s.io/clusters/eksa-system/w01)']);
  });

  it('finds a built-in object by key when its value is protobuf', () => {
    const r = crossCheck([{ file: 'capi/Secret_eksa-system_s.yaml', group: '', kind: 'Secret', namespace: 'eksa-system', name: 's', uid: 'u' }], [kv('/registry/secrets/eksa-system/s', 'k8s\u0000xx', 5)]);
    expect(r).toMatchObject({ keyOnly: 1, missingFromEtcd: [] });
  });
});

describe('sanity of a snapshot', () => {
  it.each([
    ['w01', ['/registry/namespaces/kube-system'], []],
    ['mgmt', ['/registry/namespaces/kube-system', '/registry/cluster.x-k8s.io/clusters/eksa-system/mgmt'], []],
    ['mgmt', ['/registry/namespaces/default'], ['no /registry/namespaces/kube-system: not the etcd of a Kubernetes cluster']],
    ['mgmt', ['/registry/namespaces/kube-system', '/registry/cluster.x-k8s.io/clusters/eksa-system/other'], ['its Cluster objects are other, none named mgmt']],
  ])('%s with %j: %j', (cluster, keys, problems) => {
    expect(sanityProblems(cluster, keys)).toEqual(problems);
  });
});

describe('the plan of one snapshot drill', () => {
  const tools = { etcd: '/usr/bin/etcd', etcdctl: '/usr/bin/etcdctl', restore: { tool: 'etcdctl' as const, path: '/usr/bin/etcdctl' } };
  const plan = planSnapshotDrill(tools, '/set', { cluster: 'mgmt', member: 'mgmt-etcd-a', address: '10.0.0.5', file: 'etcd/mgmt-mgmt-etcd-a.db' }, '/tmp/s', { client: 40001, peer: 40002 });

  it('restores as the recorded member, on loopback only', () => {
    expect(plan.restore.argv).toEqual(['/usr/bin/etcdctl', 'snapshot', 'restore', '/set/etcd/mgmt-mgmt-etcd-a.db', '--name', 'mgmt-etcd-a', '--data-dir', '/tmp/s/data', '--initial-cluster', 'mgmt-etcd-a=http://127.0.0.1:40002', '--initial-advertise-peer-urls', 'http://127.0.0.1:40002', '--initial-cluster-token', 'eksa-safe-upgrade-drill']);
    expect(plan.server.argv).toContain('http://127.0.0.1:40001');
    expect(plan.server.argv.join(' ')).not.toMatch(/10\.0\.0\.5/);
    expect(plan.originalPeerUrl).toBe('https://10.0.0.5:2380');
    expect(nodePeerUrl('fd00::1')).toBe('https://[fd00::1]:2380');
  });
});
