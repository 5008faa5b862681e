// The simulator with 500 generated workload clusters: lists stay cheap for the server and for kubectl.
import http from 'node:http';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module of the simulator
import { handleResource } from '../../sim/resources.js';
// @ts-expect-error plain JS module of the simulator
import { parseRoute } from '../../sim/routes.js';
import { startSim, type Sim } from '../helpers/sim.js';

let sim: Sim;
beforeAll(async () => {
  sim = await startSim({ scenario: 'healthy', workloads: 500 });
}, 120_000);
afterAll(async () => {
  await sim.close();
});

const RESOURCES = [
  '/apis/anywhere.eks.amazonaws.com/v1alpha1/clusters',
  '/apis/cluster.x-k8s.io/v1beta2/clusters',
  '/apis/controlplane.cluster.x-k8s.io/v1beta2/kubeadmcontrolplanes',
  '/apis/etcdcluster.cluster.x-k8s.io/v1beta1/etcdadmclusters',
  '/apis/cluster.x-k8s.io/v1beta2/machinedeployments',
  '/apis/cluster.x-k8s.io/v1beta2/machines',
  '/api/v1/secrets',
];

/** Body bytes of a GET, without decoding (what the server sends, not what a client makes of it). */
function rawGet(url: string) {
  return new Promise<Buffer>((resolve, reject) => {
    http.get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('500 workload clusters', () => {
  it('builds each list body in well under 100 ms, also right after a write', () => {
    const query = new URLSearchParams({ limit: '500' });
    const build = (pathname: string) => {
      const t = performance.now();
      const answer = handleResource(sim.server.store, parseRoute(pathname), 'GET', query, undefined, undefined);
      return { ms: performance.now() - t, body: answer.body as string };
    };
    for (const pathname of RESOURCES) {
      const times = [0, 1, 2].map(() => build(pathname).ms);
      expect(Math.min(...times), pathname).toBeLessThan(100);
    }
    sim.server.store.patch('machines', 'eksa-system', sim.server.store.list('machines')[0]!.metadata.name, 'merge', { metadata: { labels: { touched: 'yes' } } });
    const after = build('/apis/cluster.x-k8s.io/v1beta2/machines');
    expect(after.ms).toBeLessThan(100);
    expect(after.body).toContain('"touched":"yes"');
    expect(JSON.parse(after.body).items).toHaveLength(1000 + 18);
  });

  it('serves each list over HTTP quickly', async () => {
    for (const pathname of RESOURCES) {
      const times: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const t = performance.now();
        await rawGet(`${sim.url}${pathname}?limit=500`);
        times.push(performance.now() - t);
      }
      // Generous: the wire and the client share two busy cores with other tests.
      expect(Math.min(...times), pathname).toBeLessThan(500);
    }
  });

  it('kubectl lists the whole tree in seconds', async () => {
    const started = Date.now();
    const r = await execa('kubectl', ['get', 'clusters.anywhere.eks.amazonaws.com,clusters.cluster.x-k8s.io,kubeadmcontrolplanes.controlplane.cluster.x-k8s.io,machinedeployments.cluster.x-k8s.io', '-A', '-o', 'json'], {
      env: sim.env, reject: false, maxBuffer: 512 * 1024 * 1024,
    });
    const ms = Date.now() - started;
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).items).toHaveLength(504 * 4);
    console.info(`kubectl get 4 kinds x 504 clusters: ${ms} ms`);
    // A guard against pathological slowness only: kubectl's own JSON decoding dominates, and the
    // two cores are shared with other suites (the server's share is asserted above).
    expect(ms).toBeLessThan(30_000);
  }, 120_000);
});
