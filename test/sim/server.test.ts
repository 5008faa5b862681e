// The simulated API server as the real kubectl sees it (through the generated kubeconfig).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Sim } from '../helpers/sim.js';

let sim: Sim;

beforeAll(async () => {
  sim = await startSim({ scenario: 'healthy', seed: 'server-test' });
});
afterAll(async () => {
  await sim.close();
});

function kubectl(args: string[], options: { timeout?: number } = {}) {
  return execa('kubectl', args, { env: sim.env, cwd: sim.workdir, reject: false, timeout: options.timeout ?? 30_000 });
}

async function getJson(args: string[]) {
  const r = await kubectl([...args, '-o', 'json']);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout);
}

const TREE = [
  'clusters.anywhere.eks.amazonaws.com',
  'clusters.cluster.x-k8s.io',
  'kubeadmcontrolplanes.controlplane.cluster.x-k8s.io',
  'etcdadmclusters.etcdcluster.cluster.x-k8s.io',
  'machinedeployments.cluster.x-k8s.io',
  'machines.cluster.x-k8s.io',
  'vspheremachineconfigs.anywhere.eks.amazonaws.com',
].join(',');

describe('discovery and reads', () => {
  it('reports v1.32 so the dispatcher picks a 1.32 client', async () => {
    const r = await kubectl(['version', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).serverVersion.gitVersion).toMatch(/^v1\.32\./);
  });

  it('lists the whole tree in one kubectl call', async () => {
    const list = await getJson(['get', TREE, '-A']);
    const names = list.items.map((o: any) => `${o.kind}.${o.apiVersion.split('/')[0]}/${o.metadata.namespace}/${o.metadata.name}`);
    expect(names).toEqual(expect.arrayContaining([
      'Cluster.anywhere.eks.amazonaws.com/default/mgmt',
      'Cluster.anywhere.eks.amazonaws.com/default/w03',
      'Cluster.cluster.x-k8s.io/eksa-system/w02',
      'KubeadmControlPlane.controlplane.cluster.x-k8s.io/eksa-system/mgmt',
      'EtcdadmCluster.etcdcluster.cluster.x-k8s.io/eksa-system/mgmt-etcd',
      'EtcdadmCluster.etcdcluster.cluster.x-k8s.io/eksa-system/w02-etcd',
      'MachineDeployment.cluster.x-k8s.io/eksa-system/w01-md-0',
      'VSphereMachineConfig.anywhere.eks.amazonaws.com/default/w02-etcd',
    ]));
    const count = (kind: string, group: string) => list.items.filter((o: any) => o.kind === kind && o.apiVersion.startsWith(`${group}/`)).length;
    expect(count('Cluster', 'anywhere.eks.amazonaws.com')).toBe(4);
    expect(count('Cluster', 'cluster.x-k8s.io')).toBe(4);
    expect(count('EtcdadmCluster', 'etcdcluster.cluster.x-k8s.io')).toBe(2);
    // mgmt 3 cp + 3 etcd + 2 workers, w01 1 + 2, w02 1 + 3 + 1, w03 1 + 1
    expect(count('Machine', 'cluster.x-k8s.io')).toBe(18);
    const capi = list.items.find((o: any) => o.kind === 'Cluster' && o.apiVersion === 'cluster.x-k8s.io/v1beta2' && o.metadata.name === 'mgmt');
    expect(capi.status.initialization).toEqual({ infrastructureProvisioned: true, controlPlaneInitialized: true });
  });

  it('resolves short names and filters by namespace and label selectors on the server', async () => {
    const etcd = await getJson(['get', 'machines', '-n', 'eksa-system', '-l', 'cluster.x-k8s.io/cluster-name=w02,cluster.x-k8s.io/etcd-cluster=w02-etcd']);
    expect(etcd.items.map((m: any) => m.metadata.name)).toHaveLength(3);
    expect(etcd.items.every((m: any) => m.metadata.name.startsWith('w02-etcd-'))).toBe(true);
    const cp = await getJson(['get', 'ma', '-A', '-l', 'cluster.x-k8s.io/control-plane,cluster.x-k8s.io/cluster-name!=mgmt']);
    expect(cp.items.map((m: any) => m.metadata.labels['cluster.x-k8s.io/cluster-name']).sort()).toEqual(['w01', 'w02', 'w03']);
    const kcp = await getJson(['get', 'kcp', '-n', 'eksa-system', '--field-selector', 'metadata.name=w01']);
    expect(kcp.items.map((k: any) => k.metadata.name)).toEqual(['w01']);
    const none = await kubectl(['get', 'machines', '-n', 'default']);
    expect(none.exitCode).toBe(0);
    expect(none.stderr).toContain('No resources found in default namespace.');
  });

  it('answers NotFound for a missing object and a missing namespace', async () => {
    const r = await kubectl(['get', 'clusters.anywhere.eks.amazonaws.com', 'nope', '-n', 'default']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Error from server (NotFound): clusters.anywhere.eks.amazonaws.com "nope" not found');
    const p = await kubectl(['patch', 'clusters.anywhere.eks.amazonaws.com', 'w01', '-n', 'nowhere', '--type=merge', '-p', '{}']);
    expect(p.exitCode).toBe(1);
    expect(p.stderr).toContain('namespaces "nowhere" not found');
  });
});

describe('writes', () => {
  it('merge-patches, and a no-op patch keeps the resourceVersion', async () => {
    const before = await getJson(['get', 'clusters.cluster.x-k8s.io', 'w01', '-n', 'eksa-system']);
    const first = await kubectl(['patch', 'clusters.cluster.x-k8s.io', 'w01', '-n', 'eksa-system', '--type=merge', '-p', '{"spec":{"paused":true}}']);
    expect(first.stdout).toBe('cluster.cluster.x-k8s.io/w01 patched');
    const again = await kubectl(['patch', 'clusters.cluster.x-k8s.io', 'w01', '-n', 'eksa-system', '--type=merge', '-p', '{"spec":{"paused":true}}']);
    expect(again.stdout).toBe('cluster.cluster.x-k8s.io/w01 patched (no change)');
    const after = await getJson(['get', 'clusters.cluster.x-k8s.io', 'w01', '-n', 'eksa-system']);
    expect(after.spec.paused).toBe(true);
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    // a status-only change goes through /status and leaves generation alone
    const status = await kubectl(['patch', 'clusters.cluster.x-k8s.io', 'w01', '-n', 'eksa-system', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Provisioning"}}']);
    expect(status.exitCode).toBe(0);
    const unpaused = await kubectl(['patch', 'clusters.cluster.x-k8s.io', 'w01', '-n', 'eksa-system', '--type=json', '-p', '[{"op":"remove","path":"/spec/paused"}]']);
    expect(unpaused.exitCode).toBe(0);
    const last = await getJson(['get', 'clusters.cluster.x-k8s.io', 'w01', '-n', 'eksa-system']);
    expect(last.status.phase).toBe('Provisioning');
    expect(last.spec.paused).toBeUndefined();
    expect(last.metadata.generation).toBe(before.metadata.generation + 2);
  });

  it('annotates and removes an annotation', async () => {
    const add = await kubectl(['annotate', 'clusters.anywhere.eks.amazonaws.com', 'w03', 'anywhere.eks.amazonaws.com/paused=true']);
    expect(add.stdout).toBe('cluster.anywhere.eks.amazonaws.com/w03 annotated');
    expect(sim.server.store.get('Cluster.anywhere.eks.amazonaws.com', 'default', 'w03')?.metadata.annotations)
      .toEqual({ 'anywhere.eks.amazonaws.com/paused': 'true' });
    const remove = await kubectl(['annotate', 'clusters.anywhere.eks.amazonaws.com', 'w03', 'anywhere.eks.amazonaws.com/paused-']);
    expect(remove.exitCode).toBe(0);
    expect(sim.server.store.get('Cluster.anywhere.eks.amazonaws.com', 'default', 'w03')?.metadata.annotations).toBeUndefined();
  });

  it('creates a Lease once, rejects a stale replace, deletes it', async () => {
    const file = path.join(sim.workdir, 'lease.yaml');
    writeFileSync(file, [
      'apiVersion: coordination.k8s.io/v1', 'kind: Lease', 'metadata:', '  name: eksa-lock', '  namespace: eksa-system',
      'spec:', '  holderIdentity: first', '  leaseDurationSeconds: 60', '',
    ].join('\n'));
    const created = await kubectl(['create', '-f', file]);
    expect(created.stdout).toBe('lease.coordination.k8s.io/eksa-lock created');
    const twice = await kubectl(['create', '-f', file]);
    expect(twice.exitCode).toBe(1);
    expect(twice.stderr).toContain('Error from server (AlreadyExists): error when creating');
    expect(twice.stderr).toContain('leases.coordination.k8s.io "eksa-lock" already exists');

    const current = await getJson(['get', 'lease', 'eksa-lock', '-n', 'eksa-system']);
    const staleFile = path.join(sim.workdir, 'lease-stale.json');
    writeFileSync(staleFile, JSON.stringify({ ...current, spec: { ...current.spec, holderIdentity: 'second' } }));
    expect((await kubectl(['replace', '-f', staleFile])).stdout).toBe('lease.coordination.k8s.io/eksa-lock replaced');
    const stale = await kubectl(['replace', '-f', staleFile]);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toContain('Error from server (Conflict)');
    expect(stale.stderr).toContain('Operation cannot be fulfilled on leases.coordination.k8s.io "eksa-lock": the object has been modified');

    const deleted = await kubectl(['delete', 'lease', 'eksa-lock', '-n', 'eksa-system']);
    expect(deleted.stdout).toBe('lease.coordination.k8s.io "eksa-lock" deleted');
    const gone = await kubectl(['get', 'lease', 'eksa-lock', '-n', 'eksa-system']);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain('Error from server (NotFound): leases.coordination.k8s.io "eksa-lock" not found');
  });

  it('journals every write request and no read', async () => {
    const before = sim.journal().length;
    await getJson(['get', 'machines', '-A']);
    expect(sim.journal()).toHaveLength(before);
    await kubectl(['annotate', 'machinedeployments.cluster.x-k8s.io', 'w01-md-0', '-n', 'eksa-system', 'sim/test=1']);
    const lines = sim.journal().slice(before);
    expect(lines).toEqual([expect.objectContaining({
      source: 'apiserver', method: 'PATCH', path: '/apis/cluster.x-k8s.io/v1beta2/namespaces/eksa-system/machinedeployments/w01-md-0',
    })]);
    expect(Date.parse(lines[0]!.time)).not.toBeNaN();
  });

  it('server-side dry-run changes nothing', async () => {
    const rv = sim.server.store.resourceVersion;
    const r = await kubectl(['patch', 'clusters.cluster.x-k8s.io', 'w02', '-n', 'eksa-system', '--dry-run=server', '--type=merge', '-p', '{"spec":{"paused":true}}']);
    expect(r.exitCode).toBe(0);
    expect(sim.server.store.resourceVersion).toBe(rv);
    expect(sim.server.store.get('clusters.cluster.x-k8s.io', 'eksa-system', 'w02')?.spec.paused).toBeUndefined();
    expect(sim.journal().at(-1)).toMatchObject({ method: 'PATCH', dryRun: true });
  });
});

describe('watch', () => {
  it('kubectl wait sees a status change made while it watches', async () => {
    const store = sim.server.store;
    const waiting = kubectl(['wait', '--for=jsonpath={.status.phase}=Deleting', 'clusters.cluster.x-k8s.io/w03', '-n', 'eksa-system', '--timeout=30s']);
    const deadline = Date.now() + 20_000;
    while (store.listenerCount('change') === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(store.listenerCount('change')).toBeGreaterThan(0);
    store.patch('clusters.cluster.x-k8s.io', 'eksa-system', 'w03', 'merge', { status: { phase: 'Deleting' } }, { subresource: 'status' });
    const r = await waiting;
    expect([r.exitCode, r.stdout]).toEqual([0, 'cluster.cluster.x-k8s.io/w03 condition met']);
    store.patch('clusters.cluster.x-k8s.io', 'eksa-system', 'w03', 'merge', { status: { phase: 'Provisioned' } }, { subresource: 'status' });
  });
});

describe('faults', () => {
  it('answers an injected 500 with its message, for that resource only', async () => {
    sim.server.setFaults([{ resource: 'machines', status: 500, message: 'etcdserver: leader changed' }]);
    try {
      const r = await kubectl(['get', 'machines', '-A', '-o', 'name']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('Error from server (InternalError): etcdserver: leader changed');
      const other = await kubectl(['get', 'kcp', '-A', '-o', 'name']);
      expect(other.exitCode).toBe(0);
    } finally {
      sim.server.setFaults([]);
    }
  });

  it('hangs a resource until the client gives up', async () => {
    sim.server.setFaults([{ resource: 'kubeadmcontrolplanes', hang: true }]);
    try {
      const started = Date.now();
      const r = await kubectl(['get', 'kcp', '-A', '--request-timeout=2s']);
      const took = Date.now() - started;
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/Unable to connect to the server: (context deadline exceeded|net\/http: request canceled)/);
      expect(took).toBeGreaterThanOrEqual(1900);
      expect(took).toBeLessThan(10_000);
    } finally {
      sim.server.setFaults([]);
    }
  });

  it('adds latency and accepts faults over HTTP, validating them', async () => {
    const bad = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify([{ resource: 'machines', statuss: 500 }]) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).message).toContain('unknown field(s) statuss');
    // A latency far above what a loaded machine adds to a local request: the first request waits it out,
    // the second (the fault spent after one use) does not.
    const ok = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify([{ latencyMs: 3000, times: 1 }]) });
    expect(ok.status).toBe(200);
    const started = Date.now();
    expect((await fetch(`${sim.url}/version`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2990);
    const quick = Date.now();
    await fetch(`${sim.url}/version`);
    expect(Date.now() - quick).toBeLessThan(2990);
    expect(sim.server.faults()).toStrictEqual([{ latencyMs: 3000, times: 1 }]);
    sim.server.setFaults([]);
  });
});

describe('faults after the write: applied, then the answer is withheld', () => {
  const lease = (name: string) => JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'eksa-system' }, spec: { holderIdentity: 'me' } });
  const create = (name: string, extra: string[] = []) =>
    execa('kubectl', ['create', '-f', '-', '-o', 'name', ...extra], { env: sim.env, cwd: sim.workdir, reject: false, timeout: 30_000, input: lease(name) });
  const stored = (name: string) => sim.server.store.get('leases.coordination.k8s.io', 'eksa-system', name);

  it.each([
    ['drop', { drop: true }, /EOF|connection reset|closed/],
    ['503', { status: 503 }, /Error from server \(ServiceUnavailable\)/],
  ])('%s after the create: kubectl fails, the Lease exists', async (name, effect, message) => {
    sim.server.setFaults([{ resource: 'leases', method: 'POST', when: 'after', times: 1, ...effect }]);
    try {
      const r = await create(`after-${name}`);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(stored(`after-${name}`)?.spec?.holderIdentity).toBe('me');
    } finally {
      sim.server.setFaults([]);
    }
  });

  it('a delayed answer: the client gives up, the Lease was created before it did', async () => {
    sim.server.setFaults([{ resource: 'leases', method: 'POST', when: 'after', latencyMs: 5000, times: 1 }]);
    try {
      let createdWhileWaiting = false;
      const probe = setTimeout(() => (createdWhileWaiting = stored('after-delay') !== undefined), 700);
      const r = await create('after-delay', ['--request-timeout=2s']);
      clearTimeout(probe);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/context deadline exceeded|request canceled|Timeout/);
      expect(createdWhileWaiting).toBe(true);
    } finally {
      sim.server.setFaults([]);
    }
  });

  it('a hang after the create: never answered, the Lease exists; a before-hang creates nothing', async () => {
    sim.server.setFaults([{ resource: 'leases', method: 'POST', when: 'after', hang: true, times: 1 }, { resource: 'leases', method: 'POST', name: 'never', hang: true }]);
    try {
      const r = await create('after-hang', ['--request-timeout=1s']);
      expect(r.exitCode).toBe(1);
      expect(stored('after-hang')).toBeDefined();
      sim.server.setFaults([{ resource: 'leases', method: 'POST', hang: true, times: 1 }]);
      const before = await create('before-hang', ['--request-timeout=1s']);
      expect(before.exitCode).toBe(1);
      expect(stored('before-hang')).toBeUndefined();
    } finally {
      sim.server.setFaults([]);
    }
  });
});

describe('test hooks', () => {
  it('serves every stored object at /__sim/objects', async () => {
    const all = (await (await fetch(`${sim.url}/__sim/objects`)).json()) as any;
    expect(all.kind).toBe('List');
    expect(all.items.length).toBe(sim.server.store.all().length);
    expect(all.items.some((o: any) => o.kind === 'Secret' && o.metadata.name === 'mgmt-kubeconfig')).toBe(true);
  });

  it('closes even with a hanging request in flight', async () => {
    const other = await startSim({ scenario: 'healthy', faults: [{ hang: true }] });
    const pending = fetch(`${other.url}/version`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await pending).toBeInstanceOf(Error);
  });
});
