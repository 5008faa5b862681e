// Fake `eksctl anywhere upgrade cluster`: real processes against the simulated API server, watched
// both through the store (every transition) and through the real kubectl.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimObject } from '../../sim/index.js';
import { startSim, type Sim } from '../helpers/sim.js';

const sims: Sim[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});
async function sim(scenario: string) {
  const s = await startSim({ scenario, seed: `eksctl-${scenario}` });
  sims.push(s);
  return s;
}

function eksctl(s: Sim, args: string[], env: Record<string, string> = {}) {
  return execa('eksctl', args, { env: { ...s.env, ...env }, cwd: s.workdir, reject: false, extendEnv: false, timeout: 60_000 });
}
const script = (upgrade: Record<string, unknown>) => ({ EKSA_SIM_EKSCTL_UPGRADE: JSON.stringify(upgrade) });
const spec = (name: string) => ['-f', `${name}/${name}-eks-a-cluster.yaml`];
const eksa = (s: Sim, name: string) => s.server.store.get('Cluster.anywhere.eks.amazonaws.com', 'default', name)!;
const capi = (s: Sim, name: string) => s.server.store.get('Cluster.cluster.x-k8s.io', 'eksa-system', name)!;
const kcp = (s: Sim, name: string) => s.server.store.get('kcp', 'eksa-system', name)!;
const ready = (o: SimObject) => o.status.conditions.find((c: any) => c.type === 'Ready');
const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

/** Every state the EKS-A Cluster and KCP of `name` pass through, from the store's own change events. */
function record(s: Sim, name: string) {
  const seen: Array<{ kind: string; ready?: string; reason?: string; cp?: string; workers?: string; replicas?: number; upToDate?: number }> = [];
  s.server.store.on('change', ({ object: o }) => {
    if (o.metadata.name !== name) return;
    if (o.kind === 'Cluster' && o.apiVersion.startsWith('anywhere')) {
      const c = (t: string) => o.status?.conditions?.find((x: any) => x.type === t);
      seen.push({ kind: 'eksa', ready: c('Ready')?.status, reason: c('Ready')?.reason, cp: c('ControlPlaneReady')?.status, workers: c('WorkersReady')?.status });
    } else if (o.kind === 'KubeadmControlPlane') {
      seen.push({ kind: 'kcp', replicas: o.status?.replicas, upToDate: o.status?.upToDateReplicas ?? o.status?.updatedReplicas });
    }
  });
  return seen;
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await settle(25);
  }
}

const MANAGEMENT_FLOW = [
  'Performing setup and validations',
  'Ensuring etcd CAPI providers exist on management cluster before upgrade',
  'Pausing GitOps cluster resources reconcile',
  'Upgrading core components',
  "Backing up management cluster's resources before upgrading",
  'Upgrading management cluster',
  'Updating Git Repo with new EKS-A cluster spec',
  'GitOps field not specified, update git repo skipped',
  'Forcing reconcile Git repo with latest commit',
  'GitOps not configured, force reconcile flux git repo skipped',
  'Resuming GitOps cluster resources kustomization',
  'Writing cluster config file',
  '🎉 Cluster upgraded!',
  'Cleaning up backup resources',
];

describe('upgrade cluster: succeed', () => {
  it('upgrades the management cluster through Upgrading to Ready, then a workload cluster', async () => {
    const s = await sim('healthy');
    const seen = record(s, 'mgmt');
    const w01Before = capi(s, 'w01').metadata.generation!;
    const mgmt = await eksctl(s, ['anywhere', 'upgrade', 'cluster', ...spec('mgmt'), '--skip-validations=pod-disruption']);
    expect(mgmt.stderr).toBe('');
    expect(mgmt.exitCode).toBe(0);
    const out = lines(mgmt.stdout);
    expect(out.filter((l) => !l.startsWith('✅'))).toEqual(MANAGEMENT_FLOW);
    expect(out).toContain('✅ Control plane ready');
    expect(out).toContain('✅ Validate eksaVersion skew is one minor version');
    expect(out).not.toContain('✅ Validate pod disruption budgets');

    // The rollout as the controllers report it: control plane surging by one, then workers, then Ready.
    const states = seen.filter((x) => x.kind === 'eksa');
    expect(states).toContainEqual(expect.objectContaining({ ready: 'False', reason: 'RollingUpgradeInProgress', cp: 'False' }));
    expect(states).toContainEqual(expect.objectContaining({ ready: 'False', reason: 'RollingUpgradeInProgress', cp: 'True', workers: 'False' }));
    expect(states.at(-1)).toMatchObject({ ready: 'True', cp: 'True', workers: 'True' });
    expect(seen.filter((x) => x.kind === 'kcp').map((x) => x.replicas)).toContain(4);
    expect(seen.filter((x) => x.kind === 'kcp').at(-1)).toMatchObject({ replicas: 3, upToDate: 3 });

    const cluster = eksa(s, 'mgmt');
    expect(cluster.spec).toMatchObject({ kubernetesVersion: '1.32', eksaVersion: 'v0.23.0' });
    expect([cluster.metadata.generation, cluster.status.observedGeneration]).toEqual([2, 2]);
    expect(cluster.metadata.annotations?.['anywhere.eks.amazonaws.com/management-components-version']).toBe('v0.23.0');
    expect(cluster.status.eksdReleaseRef.name).toBe('kubernetes-1-32-eks-20');
    expect(kcp(s, 'mgmt').spec.version).toBe('v1.32.1-eks-1-32-20');
    expect(kcp(s, 'mgmt').status.version).toBe('v1.32.1-eks-1-32-20');
    const machines = s.server.store.list('machines', { labelSelector: 'cluster.x-k8s.io/cluster-name=mgmt,!cluster.x-k8s.io/etcd-cluster' });
    expect(new Set(machines.map((m) => m.spec.version))).toEqual(new Set(['v1.32.1-eks-1-32-20']));
    // Their Nodes follow: the kubelet each nodeRef names runs the new version.
    expect(new Set(machines.map((m) => s.server.store.get('nodes', undefined, m.status.nodeRef.name)?.status.nodeInfo.kubeletVersion))).toEqual(new Set(['v1.32.1-eks-1-32-20']));
    expect(s.server.store.get('eksareleases', 'eksa-system', 'eksa-v0-23-0')).toBeDefined();
    expect(s.server.store.get('bundles', 'eksa-system', 'bundles-230')).toBeDefined();
    // Workload CAPI Clusters: paused and resumed by the unfiltered backup, then for the upgrade: four generations, caught up.
    expect(capi(s, 'w01').metadata.generation).toBe(w01Before + 4);
    await waitUntil('w01 caught up', () => capi(s, 'w01').status.observedGeneration === w01Before + 4);
    expect(capi(s, 'w01').spec.paused).toBeUndefined();
    // The backup directory is gone after a success, and so is the log file.
    expect(readdirSync(path.join(s.workdir, 'mgmt')).sort()).toEqual(['mgmt-eks-a-cluster.kubeconfig', 'mgmt-eks-a-cluster.yaml']);
    expect(readdirSync(path.join(s.workdir, 'eksa-cli-logs'))).toEqual([]);

    const w01 = await eksctl(s, ['anywhere', 'upgrade', 'cluster', 'w01', ...spec('w01'), '--kubeconfig', 'mgmt/mgmt-eks-a-cluster.kubeconfig']);
    expect([w01.exitCode, w01.stderr]).toEqual([0, '']);
    expect(lines(w01.stdout).filter((l) => !l.startsWith('✅'))).toEqual([
      // One control-plane node: GetAndValidateClusterConfig's validateControlPlaneReplicas warns and goes on.
      'Warning: The recommended number of control plane nodes is 3 or 5',
      "Backing up workload cluster's resources before upgrading", 'Upgrading workload cluster components',
      'Writing cluster config file', '🎉 Cluster upgraded!', 'Cleaning up backup resources',
    ]);
    expect(lines(w01.stdout)).toContain('✅ Validate management cluster eksaVersion compatibility');
    expect(eksa(s, 'w01').spec).toMatchObject({ kubernetesVersion: '1.32', eksaVersion: 'v0.23.0' });
    expect(ready(eksa(s, 'w01')).status).toBe('True');
    const kubectl = await execa('kubectl', ['get', 'machinedeployments.cluster.x-k8s.io/w01-md-0', '-n', 'eksa-system', '-o', 'jsonpath={.spec.template.spec.version} {.status.replicas} {.status.upToDateReplicas}'], { env: s.env });
    expect(kubectl.stdout).toBe('v1.32.1-eks-1-32-20 2 2');
    expect(s.journal().filter((e) => e.source === 'eksctl').map((e) => e.argv.slice(0, 5))).toEqual([
      ['eksctl', 'anywhere', 'upgrade', 'cluster', '-f'], ['eksctl', 'anywhere', 'upgrade', 'cluster', 'w01'],
    ]);
  });

  it('drives a v1beta1-shaped cluster in its own status shape', async () => {
    const s = await sim('v1beta1-shape');
    const r = await eksctl(s, ['anywhere', 'upgrade', 'cluster', ...spec('mgmt')], script({ durationMs: 200 }));
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    const k = kcp(s, 'mgmt');
    expect(k.apiVersion).toBe('controlplane.cluster.x-k8s.io/v1beta1');
    expect(k.status).toMatchObject({ replicas: 3, readyReplicas: 3, updatedReplicas: 3, version: 'v1.32.1-eks-1-32-20' });
    expect(k.status.upToDateReplicas).toBeUndefined();
    expect(k.status.v1beta2.upToDateReplicas).toBe(3);
    expect(k.status.conditions.find((c: any) => c.type === 'MachinesSpecUpToDate')).toMatchObject({ status: 'True' });
  });
});

describe('upgrade cluster: scripted endings', () => {
  it('fail: logs the applier error, exits 255, keeps the log file, the backup and the paused workloads', async () => {
    const s = await sim('healthy');
    const r = await eksctl(s, ['anywhere', 'upgrade', 'cluster', ...spec('mgmt')], script({ outcome: 'fail' }));
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(/^Error: failed to upgrade cluster: waiting for cluster's (control plane|workers) to be ready: cluster condition (ControlPlaneReady|WorkersReady) is False: (Control plane|Worker) nodes not up-to-date yet, \d+ upgrading \(\d+ up to date\)$/);
    const out = lines(r.stdout);
    expect(out.at(-2)).toBe('Upgrading management cluster');
    expect(out.at(-1)).toBe('collecting management cluster diagnostics');
    expect(ready(eksa(s, 'mgmt'))).toMatchObject({ status: 'False', reason: 'RollingUpgradeInProgress' });
    expect(capi(s, 'w02').spec.paused).toBe(true);
    const backups = readdirSync(path.join(s.workdir, 'mgmt')).filter((f) => f.startsWith('mgmt-backup-'));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^mgmt-backup-\d{4}-\d{2}-\d{2}T\d{2}_\d{2}_\d{2}$/);
    const logs = readdirSync(path.join(s.workdir, 'eksa-cli-logs'));
    expect(logs).toHaveLength(1);
    const logged = readFileSync(path.join(s.workdir, 'eksa-cli-logs', logs[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(logged.map((e) => e.M)).toContain('Upgrading management cluster');
    expect(typeof logged[0].T).toBe('number');

    const fresh = await sim('healthy');
    const custom = await eksctl(fresh, ['anywhere', 'upgrade', 'cluster', ...spec('mgmt')], script({ outcome: 'fail', failMessage: 'boom', exitCode: 3 }));
    expect([custom.exitCode, custom.stderr]).toEqual([3, 'Error: failed to upgrade cluster: boom']);
  });

  it('hang: stays mid-upgrade until SIGTERM or SIGINT, then warns and exits 255', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const s = await sim('healthy');
      const child: ResultPromise = execa('eksctl', ['anywhere', 'upgrade', 'cluster', ...spec('mgmt')], {
        env: { ...s.env, ...script({ outcome: 'hang', durationMs: 200 }) }, cwd: s.workdir, reject: false, extendEnv: false, timeout: 60_000,
      });
      let stdout = '';
      child.stdout?.on('data', (d) => { stdout += String(d); });
      await waitUntil('the rollout to start', () => stdout.includes('Upgrading management cluster') && ready(eksa(s, 'mgmt')).status === 'False');
      await settle(500);
      expect(child.exitCode).toBeNull();
      child.kill(signal);
      const r = await child;
      expect(r.exitCode, signal).toBe(255);
      expect(lines(String(r.stdout)).at(-1)).toBe('Warning: Terminating this operation may leave the cluster in an irrecoverable state');
      expect(ready(eksa(s, 'mgmt'))).toMatchObject({ status: 'False', reason: 'RollingUpgradeInProgress' });
      expect(readdirSync(path.join(s.workdir, 'eksa-cli-logs'))).toHaveLength(1);
    }
  });

  it('exit-early-not-ready: exits 0 as if upgraded while the cluster never becomes Ready', async () => {
    const s = await sim('healthy');
    const r = await eksctl(s, ['anywhere', 'upgrade', 'cluster', ...spec('mgmt')], script({ outcome: 'exit-early-not-ready', durationMs: 200 }));
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(lines(r.stdout)).toContain('🎉 Cluster upgraded!');
    await settle(500);
    const cluster = eksa(s, 'mgmt');
    expect(ready(cluster)).toMatchObject({ status: 'False', reason: 'RollingUpgradeInProgress' });
    expect(cluster.status.observedGeneration).toBe(cluster.metadata.generation);
    expect(kcp(s, 'mgmt').status.version).toBe('v1.31.5-eks-1-31-20');
  });

  it('succeed-async: exits right after applying the spec and the server finishes the rollout', async () => {
    const s = await sim('healthy');
    const seen = record(s, 'mgmt');
    const r = await eksctl(s, ['anywhere', 'upgrade', 'cluster', ...spec('mgmt')], script({ outcome: 'succeed-async', durationMs: 3000 }));
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(eksa(s, 'mgmt').spec.kubernetesVersion).toBe('1.32');
    expect(kcp(s, 'mgmt').status.version).toBe('v1.31.5-eks-1-31-20');
    const progress = async () => (await (await fetch(`${s.url}/__sim/upgrades`)).json()) as Array<{ cluster: string; state: string }>;
    expect((await progress())[0]).toMatchObject({ cluster: 'mgmt', state: 'running' });
    await waitUntil('the server to finish', () => ready(eksa(s, 'mgmt')).status === 'True' && kcp(s, 'mgmt').status.version === 'v1.32.1-eks-1-32-20');
    expect((await progress())[0]).toMatchObject({ cluster: 'mgmt', state: 'done' });
    expect(seen.filter((x) => x.kind === 'eksa')).toContainEqual(expect.objectContaining({ ready: 'False', reason: 'RollingUpgradeInProgress' }));
  });

  it('capiBackup clusterctl: runs the clusterctl on PATH, whose files survive a failed upgrade', async () => {
    const s = await sim('healthy');
    const r = await eksctl(s, ['anywhere', 'upgrade', 'cluster', ...spec('mgmt')], script({ outcome: 'fail', capiBackup: 'clusterctl', durationMs: 100 }));
    expect(r.exitCode).toBe(255);
    const move = s.journal().find((e) => e.source === 'clusterctl');
    expect(move?.argv).toEqual(['clusterctl', 'move', '--to-directory', expect.stringMatching(/^mgmt\/mgmt-backup-/), '--kubeconfig', 'mgmt/mgmt-eks-a-cluster.kubeconfig', '--namespace', 'eksa-system', '--filter-cluster', '']);
    const dir = path.join(s.workdir, move!.argv[3]);
    expect(existsSync(path.join(dir, 'Cluster_eksa-system_mgmt.yaml'))).toBe(true);
    expect(readdirSync(dir).length).toBeGreaterThan(20);
  }, 90_000);
});

describe('upgrade cluster: refusals', () => {
  it('refuses a paused cluster in preflight, like the real one, and writes nothing', async () => {
    const s = await sim('unready-paused');
    const writesBefore = s.journal().length;
    const r = await eksctl(s, ['anywhere', 'upgrade', 'cluster', ...spec('w02')], { EKSA_SIM_EKSCTL_VERSION: 'v0.22.0' });
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toBe('Error: failed to upgrade cluster: validations failed: cluster cannot be upgraded with paused cluster controller reconciler');
    expect(lines(r.stdout)).toContain('❌ Validation failed\t{"validation": "validate eksa controller is not paused", "error": "cluster cannot be upgraded with paused cluster controller reconciler", "remediation": "remove cluster controller reconciler pause annotation anywhere.eks.amazonaws.com/paused before upgrading the cluster w02"}');
    // Its own invocation and the end of the run (the fake's `eksctl-exit` line), and nothing else: no write.
    expect(s.journal().slice(writesBefore).map((e) => e.source)).toEqual(['eksctl', 'eksctl-exit']);
  });

  it('refuses a workload before its management cluster, and a management cluster whose control plane is not ready', async () => {
    const s = await sim('unready-management');
    const [workload, management] = await Promise.all([
      eksctl(s, ['anywhere', 'upgrade', 'cluster', ...spec('w01')]),
      eksctl(s, ['anywhere', 'upgrade', 'cluster', ...spec('mgmt')]),
    ]);
    expect(workload.stderr).toBe('Error: failed to upgrade cluster: validations failed: [cannot upgrade workload cluster to v0.23.0 while management cluster is an older version: v0.22.0, eksareleases.anywhere.eks.amazonaws.com "eksa-v0-23-0" not found]');
    expect(management.stderr).toBe('Error: failed to upgrade cluster: validations failed: control plane is not fully ready: 2/3 replicas ready');
    expect(lines(management.stdout).at(-1)).toBe('collecting management cluster diagnostics');
    expect([workload.exitCode, management.exitCode]).toEqual([255, 255]);
  });

  it('checks flags, files and kubeconfigs first, with the real error texts', async () => {
    const s = await sim('healthy');
    const cases: Array<[string[], Record<string, string>, string]> = [
      [[], {}, 'Error: failed to upgrade cluster: the cluster config file  does not exist'],
      [['-f', 'nope.yaml'], {}, 'Error: failed to upgrade cluster: the cluster config file nope.yaml does not exist'],
      [[...spec('mgmt'), '--bogus'], {}, 'Error: unknown flag: --bogus'],
      [[...spec('mgmt'), '--skip-validations', 'pod-disruption,eksa-version-skew'], {},
        'Error: failed to upgrade cluster: invalid validation name to be skipped. The supported validations that can be skipped using --skip-validations are pod-disruption,vsphere-user-privilege,eksa-version-skew'],
      [[...spec('mgmt'), '-w', 'missing.kubeconfig'], {}, 'Error: failed to upgrade cluster: common validations failed due to: validating kubeconfig "missing.kubeconfig": file does not exist'],
      [[...spec('w01'), '--kubeconfig', 'gone/gone.kubeconfig'], {}, 'Error: failed to upgrade cluster: unable to get management cluster from kubeconfig: open gone/gone.kubeconfig: no such file or directory'],
      [['w02', ...spec('w01')], {}, 'Error: failed to upgrade cluster: please make sure cluster name provided in command matches with cluster name in config file'],
      [[...spec('mgmt'), '--control-plane-wait-timeout', 'soon'], {}, 'Error: failed to upgrade cluster: failed to build cluster manager opts: failed to parse timeout control-plane-wait-timeout: time: invalid duration "soon"'],
      [[...spec('mgmt'), '--force-cleanup'], {}, 'Error: please remove the --force-cleanup flag'],
    ];
    const results = await Promise.all(cases.map(([args, env]) => eksctl(s, ['anywhere', 'upgrade', 'cluster', ...args], env)));
    results.forEach((r, i) => {
      expect(r.stderr, cases[i]![2]).toBe(cases[i]![2]);
      expect(r.exitCode).toBe(255);
    });
    expect(eksa(s, 'mgmt').metadata.generation).toBe(1);
  });

  it('reads --bundles-override like the real one: a missing, malformed or unsuitable file stops it, a real one is used', async () => {
    const s = await sim('healthy');
    writeFileSync(path.join(s.workdir, 'broken.yaml'), 'spec: [unclosed\n');
    writeFileSync(path.join(s.workdir, 'list.yaml'), '- a\n- b\n');
    writeFileSync(path.join(s.workdir, 'old.yaml'), 'kind: Bundles\nspec:\n  number: 7\n  versionsBundles:\n  - kubeVersion: "1.20"\n');
    const wrap = 'Error: failed to upgrade cluster: unable to get cluster config from file: ';
    const cases: Array<[string, RegExp | string]> = [
      ['bundles.yaml', `${wrap}getting Bundles file: failed reading local file [bundles.yaml]: open bundles.yaml: no such file or directory`],
      ['.sim', `${wrap}getting Bundles file: failed reading local file [.sim]: read .sim: is a directory`],
      ['broken.yaml', new RegExp(`^${wrap.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}getting Bundles file: failed to unmarshal bundles manifest from \\[broken\\.yaml\\]: error converting YAML to JSON: yaml: `)],
      ['list.yaml', `${wrap}getting Bundles file: failed to unmarshal bundles manifest from [list.yaml]: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type v1alpha1.Bundles`],
      ['old.yaml', `${wrap}kubernetes version 1.32 is not supported by bundles manifest 7`],
    ];
    const results = await Promise.all(cases.map(([file]) => eksctl(s, ['anywhere', 'upgrade', 'cluster', ...spec('mgmt'), '--bundles-override', file])));
    results.forEach((r, i) => {
      expect(r.stderr).toMatch(typeof cases[i]![1] === 'string' ? new RegExp(`^${cases[i]![1].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : cases[i]![1]);
      expect(r.exitCode).toBe(255);
    });
    expect(eksa(s, 'mgmt').metadata.generation).toBe(1);
    const plan = await eksctl(s, ['anywhere', 'upgrade', 'plan', 'cluster', ...spec('mgmt'), '--bundles-override', 'bundles.yaml']);
    expect([plan.exitCode, plan.stderr]).toEqual([255, 'Error: failed to display upgrade plan: unable to get cluster config from file: getting Bundles file: failed reading local file [bundles.yaml]: open bundles.yaml: no such file or directory']);
    const ok = await eksctl(s, ['anywhere', 'upgrade', 'cluster', ...spec('mgmt'), '--bundles-override', '.sim/bundles-230.yaml'], script({ outcome: 'succeed', durationMs: 100 }));
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
  });
});
