// The simulated API server keeps the management cluster's objects in its real etcd as kube-apiserver does:
// custom resources at /registry/<group>/<resource>/<namespace>/<name>, JSON without resourceVersion, the
// resourceVersion the API answers being the key's mod_revision; every cluster's etcd has kube-system.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../helpers/sim.js';
import { requireRealTools } from '../helpers/testbed.js';
import { registryKey, registryValue } from '../../sim/etcd/mirror.js';

const available = requireRealTools();
let s: Sim;
beforeAll(async () => {
  if (available) s = await startSim({ scenario: 'healthy', realEtcd: true });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

interface Kv { key: string; value?: string; mod_revision: number }
async function get(cluster: string, key: string, prefix = false): Promise<Kv[]> {
  const out = JSON.parse(await s.etcd!.ctl(cluster, ['get', key, ...(prefix ? ['--prefix'] : []), '-w', 'json']));
  return (out.kvs ?? []).map((kv: any) => ({ key: Buffer.from(kv.key, 'base64').toString(), value: kv.value && Buffer.from(kv.value, 'base64').toString(), mod_revision: kv.mod_revision }));
}

describe('registry keys', () => {
  it.each([
    [{ group: 'cluster.x-k8s.io', resource: 'clusters', namespaced: true }, 'eksa-system', 'mgmt', '/registry/cluster.x-k8s.io/clusters/eksa-system/mgmt'],
    [{ group: '', resource: 'namespaces', namespaced: false }, undefined, 'kube-system', '/registry/namespaces/kube-system'],
    [{ group: '', resource: 'secrets', namespaced: true }, 'eksa-system', 's1', '/registry/secrets/eksa-system/s1'],
    [{ group: '', resource: 'nodes', namespaced: false }, undefined, 'n1', '/registry/minions/n1'],
    [{ group: 'coordination.k8s.io', resource: 'leases', namespaced: true }, 'default', 'l', '/registry/leases/default/l'],
  ])('%j %s/%s -> %s', (info, ns, name, key) => {
    expect(registryKey(info, ns, name)).toBe(key);
  });

  it('stores the object without its resourceVersion', () => {
    expect(JSON.parse(registryValue({ kind: 'X', metadata: { name: 'a', uid: 'u', resourceVersion: '7' } }))).toEqual({ kind: 'X', metadata: { name: 'a', uid: 'u' } });
  });
});

describe.skipIf(!available)('the management cluster etcd behind the simulated API server', () => {
  it('holds every object at its key, with the uid the API serves and mod_revision = resourceVersion', async () => {
    const objects = (s.server.store as unknown as { all(): any[] }).all();
    const cluster = objects.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('cluster.x-k8s.io/') && o.metadata.name === 'mgmt');
    const [kv] = await get('mgmt', `/registry/cluster.x-k8s.io/clusters/${cluster.metadata.namespace}/mgmt`);
    expect(kv).toBeDefined();
    const stored = JSON.parse(kv!.value!);
    expect(stored.metadata.uid).toBe(cluster.metadata.uid);
    expect(stored.metadata.resourceVersion).toBeUndefined();
    expect(String(kv!.mod_revision)).toBe(cluster.metadata.resourceVersion);
    expect((await get('mgmt', '/registry/', true)).length).toBe(objects.length);
  });

  it('a write through the API lands in etcd before it is answered, at the revision it answers', async () => {
    const r = await fetch(`${s.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mirror-probe' }, data: { a: '1' } }),
    });
    expect(r.status).toBe(201);
    const created = await r.json();
    const [kv] = await get('mgmt', '/registry/configmaps/default/mirror-probe');
    expect(String(kv!.mod_revision)).toBe(created.metadata.resourceVersion);
    const d = await fetch(`${s.url}/api/v1/namespaces/default/configmaps/mirror-probe`, { method: 'DELETE' });
    expect(d.status).toBe(200);
    expect(await get('mgmt', '/registry/configmaps/default/mirror-probe')).toEqual([]);
  });

  it('every cluster etcd holds its kube-system namespace', async () => {
    for (const c of s.etcd!.clusters) expect((await get(c.name, '/registry/namespaces/kube-system')).map((kv) => kv.key)).toEqual(['/registry/namespaces/kube-system']);
  });
});
