// `workloads --push`: each workload cluster's own set, complete and verified, is copied to the real registry
// (the Debian docker-registry on loopback) before that cluster's eksctl starts; a failed push fails the cluster
// before eksctl (exit 7) and, with --on-failure stop, starts no other cluster; the fleet plan shows each push as
// `cluster --dry-run` does; the fleet record carries each cluster's pushes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciClient } from '../../src/offsite/oci-client.js';
import type { FleetPlan } from '../../src/plan/fleet.js';
import { fleetEvidenceSchema } from '../../src/report/fleet-evidence.js';
import { FLEET_FLAGS, fleetScenario, withOutcomes } from '../helpers/fleet.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { concurrentSims } from '../helpers/concurrent-sims.js';
import { runBin } from '../helpers/run-bin.js';
import type { Sim } from '../helpers/sim.js';
import { ageKey } from '../offsite/fixtures.js';

/** A small tree: the management cluster (at the target) and three workload clusters behind it. */
const SMALL_TREE = {
  clusters: [
    { name: 'mgmt', os: 'ubuntu', etcd: 'stacked', controlPlane: 1, kubernetesVersion: '1.32', eksaVersion: 'v0.23.0', workers: [{ name: 'md-0', count: 1 }] },
    { name: 'w01', os: 'ubuntu', etcd: 'stacked', controlPlane: 1, workers: [{ name: 'md-0', count: 1 }] },
    { name: 'w02', os: 'ubuntu', etcd: 'stacked', controlPlane: 1, workers: [{ name: 'md-0', count: 1 }] },
    { name: 'w03', os: 'ubuntu', etcd: 'stacked', controlPlane: 1, workers: [{ name: 'md-0', count: 1 }] },
  ],
  ...withOutcomes({}),
};
const WORKLOADS = ['w01', 'w02', 'w03'];
const KUBECONFIG = ['--kubeconfig', 'mgmt/mgmt-eks-a-cluster.kubeconfig'];

// The three tests run side by side, each in a world of its own (and a repository of its own in the shared
// registry): each is runs of the CLI, mostly waiting on child processes and confirmation polls.
const { isolated, sim: ownSim } = concurrentSims(3);
const sim = (): Promise<Sim> => ownSim({ scenario: fleetScenario(SMALL_TREE) });

/** The cluster each `eksctl anywhere upgrade cluster` run upgraded, in start order (sim journal). */
const upgradesOf = (s: Sim) =>
  s.journal()
    .filter((e) => e.source === 'eksctl' && e.argv.includes('upgrade') && e.argv.includes('cluster') && !e.argv.includes('plan'))
    .map((e) => path.basename(String(e.argv[e.argv.indexOf('-f') + 1])).replace(/-eks-a-cluster\.yaml$/, ''));
/** Our complete sets (a manifest.json), by folder name. */
const sets = (s: Sim) => readdirSync(path.join(s.workdir, 'mgmt')).filter((n) => /-backup-[^.]*$/.test(n) && existsSync(path.join(s.workdir, 'mgmt', n, 'manifest.json')));
/** The tags of a repository as the registry stores them on disk, read synchronously (at the moment of an API write). */
const tagsOnDisk = (r: TestRegistry, repository: string): string[] => {
  const dir = path.join(r.storage, 'docker', 'registry', 'v2', 'repositories', repository, '_manifests', 'tags');
  return existsSync(dir) ? readdirSync(dir) : [];
};
/**
 * Each push step of a rendered plan: its line and the file line under it (the remote set), without the step
 * number (the fleet leaves the lock to itself, so its numbers differ) and with the set's second undated.
 */
const pushSteps = (text: string) => {
  const lines = text.split('\n');
  return lines.flatMap((l, i) => (/Copy the verified set off-site/.test(l) ? [[l, lines[i + 1] ?? ''].join('\n').replace(/^\s*# \d+\. /, '').replace(/\d{4}-\d\d-\d\dT\d\d_\d\d_\d\d/g, '<time>')] : []));
};

async function workloads(s: Sim, args: string[], env: Record<string, string>) {
  const report = path.join(s.workdir, `fleet-${Math.random().toString(36).slice(2)}.json`);
  const r = await runBin(['workloads', ...KUBECONFIG, ...FLEET_FLAGS, '--report', report, ...args], { env: { ...s.env, ...env }, cwd: s.workdir, timeoutMs: 240_000 });
  const evidence = fleetEvidenceSchema.parse(JSON.parse(readFileSync(report, 'utf8')));
  expect(evidence.exitCode).toBe(r.exitCode);
  return { ...r, evidence, cluster: (name: string) => evidence.clusters.find((c) => c.name === name) };
}

describe.skipIf(!registryAvailable()).concurrent('workloads --push', { timeout: 400_000 }, () => {
  let registry: TestRegistry;
  let env: Record<string, string>;
  beforeAll(async () => {
    registry = await startRegistry({ tls: false });
    env = { DOCKER_CONFIG: registry.dockerConfig() };
  });
  afterAll(async () => registry?.stop());

  it('--all: every cluster\'s own verified set is in the registry, tagged by its name, before its eksctl writes', isolated(async () => {
    const s = await sim();
    const key = ageKey();
    const repository = 'e2e/fleet-all';
    const url = `oci://${registry.host}/${repository}`;
    // When eksctl first asks for Kubernetes 1.32 on a cluster, which of our tags does the registry hold?
    const seenAtHandoff = new Map<string, string[]>();
    s.server.store.on('change', (event: any) => {
      const o = event?.object;
      if (o?.kind !== 'Cluster' || !String(o.apiVersion).startsWith('anywhere.eks.amazonaws.com') || o.spec?.kubernetesVersion !== '1.32') return;
      if (!seenAtHandoff.has(o.metadata.name)) seenAtHandoff.set(o.metadata.name, tagsOnDisk(registry, repository));
    });
    const r = await workloads(s, ['--all', '--wave-size', '2', '--push', url, '--insecure-registry', '--encrypt-to', key.recipient], env);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(upgradesOf(s)).toEqual(WORKLOADS);
    const ours = sets(s);
    expect(ours.map((n) => n.replace(/-backup-.*$/, '')).sort()).toEqual(WORKLOADS);
    // Each cluster's set was tagged before eksctl changed that cluster (the canary's before the others existed).
    for (const name of WORKLOADS) {
      const set = ours.find((n) => n.startsWith(`${name}-backup-`))!;
      expect(seenAtHandoff.get(name), name).toContain(set);
    }
    expect(seenAtHandoff.get('w01')).toEqual([ours.find((n) => n.startsWith('w01-backup-'))]);

    const client = new OciClient({ host: registry.host, repository, insecure: true, credentials: { username: registry.user, password: registry.password } });
    expect((await client.listTags()).sort()).toEqual([...ours].sort());
    client.close();
    for (const name of WORKLOADS) {
      const c = r.cluster(name)!;
      expect(c.state).toBe('confirmed');
      expect(path.basename(c.backup!)).toMatch(new RegExp(`^${name}-backup-`));
      expect(c.pushes).toEqual([{ url, ok: true, reference: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), durationMs: expect.any(Number), encrypted: true, recipients: [key.recipient] }]);
      // The set's own manifest records the same copy.
      const manifest = JSON.parse(readFileSync(path.join(c.backup!, 'manifest.json'), 'utf8'));
      expect(manifest.pushes).toEqual([expect.objectContaining({ url, reference: c.pushes![0]!.reference, encrypted: true })]);
    }
  }));

  it('the fleet plan shows each cluster\'s push as `cluster --dry-run` does, pushes nothing, and the reviewed plan applied pushes each set', isolated(async () => {
    const s = await sim();
    const key = ageKey();
    const repository = 'e2e/fleet-plan';
    const url = `oci://${registry.host}/${repository}`;
    const push = ['--push', url, '--insecure-registry', '--encrypt-to', key.recipient];
    const planFile = path.join(s.workdir, 'fleet-plan.json');
    const dry = await workloads(s, ['--all', ...push, '--dry-run', '--plan-out', planFile], env);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const fleetPushes = pushSteps(dry.stdout);
    expect(fleetPushes).toHaveLength(3);
    // Word for word what `cluster --dry-run` prints for the same cluster and flags, in the fleet's order.
    for (const [i, name] of WORKLOADS.entries()) {
      const one = await runBin(['cluster', '-f', `${name}/${name}-eks-a-cluster.yaml`, ...KUBECONFIG, ...FLEET_FLAGS, ...push, '--dry-run'], { env: { ...s.env, ...env }, cwd: s.workdir, timeoutMs: 120_000 });
      expect(one.exitCode, one.stderr).toBe(0);
      const steps = pushSteps(one.stdout);
      expect(steps).toHaveLength(1);
      expect(steps[0]).toMatch(new RegExp(`^Copy the verified set off-site to ${url.replace(/[.]/g, '\\.')}, encrypted with age to ${key.recipient}; a failure stops the run here, before eksctl \\(exit 7\\)\n.*${url.replace(/[.]/g, '\\.')}/${name}-backup-<time>`));
      expect(fleetPushes[i]).toBe(steps[0]);
    }
    // Before each hand-off in the plan file, after the backup.
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as FleetPlan;
    for (const entry of plan.entries) {
      if (entry.kind !== 'upgrade') throw new Error(`${entry.name} is not upgraded by the plan`);
      const ops = entry.plan.actions.map((a) => a.op);
      expect(ops.indexOf('push'), entry.name).toBeGreaterThan(ops.indexOf('backup'));
      expect(ops.indexOf('push'), entry.name).toBeLessThan(ops.indexOf('handoff'));
      expect(entry.plan.actions.find((a) => a.op === 'push')).toMatchObject({ url, recipients: [key.recipient], optional: false });
    }
    expect(tagsOnDisk(registry, repository)).toEqual([]);
    expect(upgradesOf(s)).toEqual([]);

    const real = await workloads(s, ['--all', ...push, '--plan', planFile], env);
    expect(real.exitCode, real.stderr).toBe(0);
    expect(upgradesOf(s)).toEqual(WORKLOADS);
    expect(tagsOnDisk(registry, repository).sort()).toEqual(sets(s).sort());
    for (const name of WORKLOADS) expect(real.cluster(name)?.pushes).toMatchObject([{ url, ok: true }]);
  }));

  it('a registry that is down fails the canary before eksctl (exit 7): no cluster upgraded, none other started, its set kept; with --push-optional a recorded warning', isolated(async () => {
    const s = await sim();
    const key = ageKey();
    const down = await startRegistry({ tls: false });
    const url = `oci://${down.host}/e2e/fleet-down`;
    await down.stop();
    const args = ['--all', '--push', url, '--insecure-registry', '--encrypt-to', key.recipient];
    const r = await workloads(s, args, { DOCKER_CONFIG: down.dockerConfig() });
    expect(r.exitCode, r.stderr).toBe(7);
    expect(upgradesOf(s)).toEqual([]);
    expect(r.cluster('w01')).toMatchObject({ state: 'failed', exit: 'BackupFailed', error: expect.stringMatching(/^push to oci:\/\/127\.0\.0\.1:\d+\/e2e\/fleet-down failed: .*ECONNREFUSED/) });
    expect(r.evidence.notAttempted).toEqual(['w02', 'w03']);
    expect(r.evidence.stopped).toMatch(/a cluster failed \(--on-failure stop\)/);
    // The canary's local set is complete, kept and still verifies; nobody else backed up.
    expect(sets(s).map((n) => n.replace(/-backup-.*$/, ''))).toEqual(['w01']);
    expect(r.cluster('w01')?.backup).toBe(path.join(s.workdir, 'mgmt', sets(s)[0]!));
    const verify = await runBin(['verify', r.cluster('w01')!.backup!], { env: s.env, cwd: s.workdir });
    expect(verify.exitCode, verify.stderr).toBe(0);
    expect(r.stdout).toMatch(/failed: w01; not attempted: w02, w03/);
    expect((s.server.store as any).all().filter((o: any) => o.kind === 'Lease' && o.metadata.name === 'eksa-safe-upgrade')).toEqual([]);

    const optional = await workloads(s, [...args, '--push-optional'], { DOCKER_CONFIG: down.dockerConfig() });
    expect(optional.exitCode, optional.stderr).toBe(0);
    expect(upgradesOf(s)).toEqual(WORKLOADS);
    for (const name of WORKLOADS) {
      expect(optional.cluster(name)).toMatchObject({ state: 'confirmed', pushes: [{ url, ok: false, encrypted: true, recipients: [key.recipient], error: expect.stringContaining('ECONNREFUSED') }] });
      expect(optional.stderr).toContain(`${name}: Warning: the off-site copy to ${url} failed (--push-optional)`);
    }
    expect(optional.stdout).toMatch(/off-site copy failed \(--push-optional\): w01, w02, w03/);
  }));
});
