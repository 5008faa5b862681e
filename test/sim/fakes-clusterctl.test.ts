import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { concurrentSims } from '../helpers/concurrent-sims.js';
import type { Sim } from '../helpers/sim.js';

// The fake clusterctl and docker run as processes against the simulated API server, the way the product
// runs the real ones. Expectations come from the server's own object list, not from the fake.

const BIN = path.resolve(import.meta.dirname, '../../sim/bin');
const SCENARIOS = path.resolve(import.meta.dirname, '../../sim/scenarios');

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid: string; ownerReferences?: Array<{ kind: string; name: string; uid: string }> };
  spec?: { paused?: boolean };
  status?: unknown;
}

// Each test runs the fakes as child processes against worlds of its own, mostly waiting on them: two tests at a
// time overlap those waits, each closing the worlds it started when it ends.
const { isolated, sim: ownSim } = concurrentSims(2);
const TEST_TIMEOUT_MS = 300_000;

async function sim(scenario: string): Promise<Sim> {
  const s = await ownSim({ scenario });
  mkdirSync(path.join(s.workdir, 'backup'), { recursive: true });
  return s;
}

/** A scenario that extends a stock one and adds a `clusterctl:` block, for the fakes only. */
function scenarioWith(s: Sim, base: string, clusterctl: Record<string, unknown>): string {
  const file = path.join(s.workdir, `${base}-${Object.keys(clusterctl).join('-')}.yaml`);
  writeFileSync(file, `extends: ${path.join(SCENARIOS, `${base}.yaml`)}\nclusterctl: ${JSON.stringify(clusterctl)}\n`);
  return file;
}

function run(s: Sim, tool: 'clusterctl' | 'docker', args: string[], env: Record<string, string> = {}) {
  return execa(path.join(BIN, tool), args, { cwd: s.workdir, env: { ...s.env, ...env }, extendEnv: true, reject: false });
}

async function objects(s: Sim): Promise<KubeObject[]> {
  const body = (await (await fetch(`${s.url}/__sim/objects`)).json()) as { items: KubeObject[] };
  return body.items;
}

async function capiClusters(s: Sim): Promise<Map<string, KubeObject>> {
  return new Map(
    (await objects(s)).filter((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('cluster.x-k8s.io/')).map((o) => [o.metadata.name, o]),
  );
}

const backupFiles = (s: Sim) => readdirSync(path.join(s.workdir, 'backup')).sort();
const readBackup = (s: Sim, file: string) => JSON.parse(readFileSync(path.join(s.workdir, 'backup', file), 'utf8')) as KubeObject;
const fileOf = (o: KubeObject) => `${o.kind}_${o.metadata.namespace ?? ''}_${o.metadata.name}.yaml`;
const isCapiGroup = (o: KubeObject) => /(^|\.)cluster\.x-k8s\.io\//.test(o.apiVersion);

const journal = (s: Sim) => s.journal();

const toDirectory = (s: Sim, ...extra: string[]) => ['move', '--to-directory', 'backup', '--kubeconfig', s.kubeconfig, '--namespace', 'eksa-system', ...extra];

describe.concurrent('fake clusterctl move --to-directory against the simulator', { timeout: TEST_TIMEOUT_MS }, () => {
  it('writes every CAPI object of the tree, its cluster Secrets, and no EKS-A object', isolated(async () => {
    const s = await sim('healthy');
    const result = await run(s, 'clusterctl', toDirectory(s));
    expect(result.stderr).toContain('Saving files to backup');
    expect(result.exitCode).toBe(0);

    const all = await objects(s);
    const capi = all.filter((o) => isCapiGroup(o) && o.metadata.namespace === 'eksa-system').map(fileOf).sort();
    const files = backupFiles(s);
    expect(files.filter((f) => !f.startsWith('Secret_'))).toEqual(capi);
    expect(files.some((f) => /VSphereMachineConfig|VSphereDatacenterConfig|EKSARelease|Bundles/.test(f))).toBe(false);
    for (const cluster of ['mgmt', 'w01', 'w02', 'w03']) {
      expect(files).toContain(`Secret_eksa-system_${cluster}-kubeconfig.yaml`);
      expect(files).toContain(`Secret_eksa-system_${cluster}-ca.yaml`);
    }
    // util/secret takes the purpose after the last dash: this soft-owned name never matches.
    expect(files).not.toContain('Secret_eksa-system_mgmt-apiserver-etcd-client.yaml');

    for (const file of files) {
      const saved = readBackup(s, file);
      expect(fileOf(saved)).toBe(file);
      expect(statSync(path.join(s.workdir, 'backup', file)).mode & 0o777).toBe(0o600);
    }
    const savedClusters = files.filter((f) => f.startsWith('Cluster_')).map((f) => readBackup(s, f));
    expect(savedClusters.map((c) => c.spec?.paused)).toEqual([true, true, true, true]);
    expect([...(await capiClusters(s)).values()].map((c) => c.spec?.paused)).toEqual([undefined, undefined, undefined, undefined]);

    const lines = journal(s);
    expect(lines.find((l) => l.source === 'clusterctl')?.argv).toEqual(['clusterctl', ...toDirectory(s)]);
    const patches = lines.filter((l) => l.source === 'apiserver' && l.method === 'PATCH').map((l) => l.path);
    expect(patches).toHaveLength(8); // pause and resume each of the four Clusters
  }));

  it('uses the kubeconfig namespace (default) without --namespace, where EKS-A keeps no CAPI objects', isolated(async () => {
    const s = await sim('healthy');
    const result = await run(s, 'clusterctl', ['move', '--to-directory', 'backup', '--kubeconfig', s.kubeconfig]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('Starting move of Cluster API objects Clusters=0');
    expect(backupFiles(s)).toEqual([]);
  }));

  it('reads a v1beta1-shaped tree through the v1beta1 status fields', isolated(async () => {
    const s = await sim('v1beta1-shape');
    const result = await run(s, 'clusterctl', toDirectory(s));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(backupFiles(s).filter((f) => f.startsWith('Cluster_'))).toHaveLength(4);
  }));

  it('--filter-cluster keeps one cluster', isolated(async () => {
    const s = await sim('healthy');
    const result = await run(s, 'clusterctl', toDirectory(s, '--filter-cluster', 'w01'));
    expect(result.exitCode).toBe(0);
    const files = backupFiles(s);
    expect(files.filter((f) => f.startsWith('Cluster_'))).toEqual(['Cluster_eksa-system_w01.yaml']);
    expect(files.every((f) => f.split('_')[2]?.startsWith('w01'))).toBe(true);
    const w01 = (await objects(s)).filter((o) => isCapiGroup(o) && o.metadata.name.startsWith('w01')).map(fileOf);
    expect(files.filter((f) => !f.startsWith('Secret_'))).toEqual(w01.sort());
  }));

  it('v1.12+ refuses paused Clusters and touches nothing', isolated(async () => {
    const s = await sim('unready-paused');
    const result = await run(s, 'clusterctl', toDirectory(s));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: cannot start operation while the following Clusters are paused: eksa-system\/w02$/m);
    expect(backupFiles(s)).toEqual([]);
    const clusters = await capiClusters(s);
    expect(clusters.get('w02')?.spec?.paused).toBe(true);
    expect(clusters.get('mgmt')?.spec?.paused).toBeUndefined();
  }));

  it('before v1.12 it backs up and unconditionally unpauses a Cluster that was paused on purpose', isolated(async () => {
    const s = await sim('unready-paused');
    const result = await run(s, 'clusterctl', toDirectory(s), { EKSA_SIM_CLUSTERCTL_VERSION: 'v1.10.0' });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readBackup(s, 'Cluster_eksa-system_w02.yaml').spec?.paused).toBe(true);
    expect((await capiClusters(s)).get('w02')?.spec?.paused).toBeUndefined();
  }));

  it('the scenario can select the pre-1.12 version too; the environment wins over it', isolated(async () => {
    const s = await sim('unready-paused');
    const env = { EKSA_SIM_SCENARIO: scenarioWith(s, 'unready-paused', { version: 'v1.11.3' }) };
    expect((await run(s, 'clusterctl', ['version', '-o', 'short'], env)).stdout).toBe('v1.11.3');
    expect((await run(s, 'clusterctl', ['version', '-o', 'short'], { ...env, EKSA_SIM_CLUSTERCTL_VERSION: 'v1.13.2' })).stdout).toBe('v1.13.2');
    const result = await run(s, 'clusterctl', toDirectory(s), env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect((await capiClusters(s)).get('w02')?.spec?.paused).toBeUndefined();
  }));

  it('fails the provisioning check with clusterctl\'s message, unless filtered to a provisioned cluster', isolated(async () => {
    const s = await sim('unready-capi-not-provisioned');
    const whole = await run(s, 'clusterctl', toDirectory(s));
    expect(whole.exitCode).toBe(1);
    expect(whole.stderr).toContain(
      'Error: failed to get object graph: failed to check for provisioned infrastructure: cannot start the move operation while "cluster.x-k8s.io/v1beta2, Kind=Cluster" eksa-system/w02 is still provisioning the infrastructure',
    );
    expect(backupFiles(s)).toEqual([]);
    const filtered = await run(s, 'clusterctl', toDirectory(s, '--filter-cluster', 'mgmt'));
    expect(filtered.exitCode, filtered.stderr).toBe(0);
  }));

  it('failAfterPause leaves every Cluster paused and writes nothing', isolated(async () => {
    const s = await sim('healthy');
    const env = { EKSA_SIM_SCENARIO: scenarioWith(s, 'healthy', { failAfterPause: true }) };
    const result = await run(s, 'clusterctl', toDirectory(s), env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: action failed after 10 attempts: error reading /m);
    expect(backupFiles(s)).toEqual([]);
    expect([...(await capiClusters(s)).values()].map((c) => c.spec?.paused)).toEqual([true, true, true, true]);
  }));

  it('failAfterFiles writes exactly N files and leaves the Clusters paused', isolated(async () => {
    const s = await sim('healthy');
    const env = { EKSA_SIM_SCENARIO: scenarioWith(s, 'healthy', { failAfterFiles: 5 }) };
    const result = await run(s, 'clusterctl', toDirectory(s), env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/open backup\/\w+_eksa-system_[\w.-]+\.yaml: no space left on device/);
    expect(backupFiles(s)).toHaveLength(5);
    expect((await capiClusters(s)).get('mgmt')?.spec?.paused).toBe(true);
  }));

  it('failWhenUnfiltered breaks only the whole-tree backup, before pausing anything', isolated(async () => {
    const s = await sim('healthy');
    const env = { EKSA_SIM_SCENARIO: scenarioWith(s, 'healthy', { failWhenUnfiltered: true }) };
    const whole = await run(s, 'clusterctl', toDirectory(s), env);
    expect(whole.exitCode).toBe(1);
    expect(whole.stderr).toMatch(/^Error: failed to get object graph: failed to discover the object graph: action failed after 9 attempts: failed to list /m);
    expect([...(await capiClusters(s)).values()].every((c) => c.spec?.paused === undefined)).toBe(true);
    const filtered = await run(s, 'clusterctl', toDirectory(s, '--filter-cluster', 'mgmt'), env);
    expect(filtered.exitCode, filtered.stderr).toBe(0);
  }));

  it('refuses a scenario block it does not know', isolated(async () => {
    const s = await sim('healthy');
    const result = await run(s, 'clusterctl', toDirectory(s), { EKSA_SIM_SCENARIO: scenarioWith(s, 'healthy', { failAfterPaws: true }) });
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toContain('unknown key clusterctl.failAfterPaws');
  }));

  it('needs an existing directory, and pauses nothing without one', isolated(async () => {
    const s = await sim('healthy');
    const result = await run(s, 'clusterctl', ['move', '--to-directory', 'missing-dir', '--kubeconfig', s.kubeconfig, '-n', 'eksa-system']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('Error: stat missing-dir: no such file or directory');
    expect(journal(s).filter((l) => l.source === 'apiserver' && l.method === 'PATCH')).toEqual([]);
  }));

  it('--dry-run with --to-directory is ignored: it pauses, writes and resumes for real', isolated(async () => {
    const s = await sim('healthy');
    const result = await run(s, 'clusterctl', toDirectory(s, '--dry-run'));
    expect(result.exitCode).toBe(0);
    expect(backupFiles(s).length).toBeGreaterThan(100);
    expect(journal(s).filter((l) => l.source === 'apiserver' && l.method === 'PATCH')).toHaveLength(8);
  }));

  it('fails like clusterctl when the kubeconfig is missing or the server is down', isolated(async () => {
    const s = await sim('healthy');
    const missing = await run(s, 'clusterctl', ['move', '--to-directory', 'backup', '--kubeconfig', 'nope.kubeconfig']);
    expect(missing.stderr).toBe('Error: failed to load Kubeconfig: stat nope.kubeconfig: no such file or directory');
    await s.server.close();
    const down = await run(s, 'clusterctl', toDirectory(s));
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(/^Error: failed to check Cluster API version: Get ".*\/customresourcedefinitions\/clusters\.cluster\.x-k8s\.io": dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);
  }));
});

describe.concurrent('fake clusterctl against API faults', { timeout: TEST_TIMEOUT_MS }, () => {
  it('retries a transient error like clusterctl\'s backoff does', isolated(async () => {
    const s = await sim('healthy');
    s.server.setFaults([{ resource: 'secrets', method: 'GET', status: 503, times: 3 }]);
    const result = await run(s, 'clusterctl', toDirectory(s));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(backupFiles(s).some((f) => f.startsWith('Secret_'))).toBe(true);
  }));

  it('gives up after 10 attempts to pause, naming the Cluster', isolated(async () => {
    const s = await sim('healthy');
    s.server.setFaults([{ resource: 'clusters.cluster.x-k8s.io', method: 'PATCH', status: 500, message: 'etcdserver: request timed out' }]);
    const result = await run(s, 'clusterctl', toDirectory(s));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: error setting Cluster\.Spec\.Paused=true: action failed after 10 attempts: error patching Cluster eksa-system\/mgmt: etcdserver: request timed out$/m,
    );
    expect(backupFiles(s)).toEqual([]);
  }));
});

describe.concurrent('fake clusterctl move --from-directory', { timeout: TEST_TIMEOUT_MS }, () => {
  async function backupOf(scenario: string, filter: string) {
    const source = await sim(scenario);
    const backup = await run(source, 'clusterctl', toDirectory(source, '--filter-cluster', filter));
    expect(backup.exitCode, backup.stderr).toBe(0);
    return path.join(source.workdir, 'backup');
  }

  it('restores a filtered backup into a fresh management cluster with new UIDs and rebuilt owners', isolated(async () => {
    const dir = await backupOf('healthy', 'w01');
    // A new management cluster: CRDs installed, none of the old tree's objects.
    const freshFile = path.join(path.dirname(dir), 'fresh.yaml');
    writeFileSync(freshFile, 'name: fresh\nprovider: vsphere\nclusters:\n  - { name: mgmt-new }\n');
    const fresh = await sim(freshFile);
    const before = new Set((await objects(fresh)).map((o) => o.metadata.uid));

    const restore = await run(fresh, 'clusterctl', ['move', '--from-directory', dir, '--to-kubeconfig', fresh.kubeconfig, '--filter-cluster', 'w01']);
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(restore.stderr).toContain(`Restoring files from ${dir}`);

    const restored = (await objects(fresh)).filter((o) => !before.has(o.metadata.uid));
    expect(restored.map(fileOf).sort()).toEqual(readdirSync(dir).sort());
    const byUid = new Map(restored.map((o) => [o.metadata.uid, o]));
    for (const o of restored) {
      const saved = JSON.parse(readFileSync(path.join(dir, fileOf(o)), 'utf8')) as KubeObject;
      expect(o.metadata.uid).not.toBe(saved.metadata.uid);
      for (const ref of o.metadata.ownerReferences ?? []) {
        expect(byUid.get(ref.uid)?.metadata.name, `${fileOf(o)} owner ${ref.kind}/${ref.name}`).toBe(ref.name);
      }
    }
    const w01 = (await capiClusters(fresh)).get('w01');
    expect(w01?.spec?.paused).toBeUndefined();

    // A second restore skips what exists and changes nothing.
    const again = await run(fresh, 'clusterctl', ['move', '--from-directory', dir, '--to-kubeconfig', fresh.kubeconfig, '--filter-cluster', 'w01']);
    expect(again.exitCode).toBe(0);
    expect((await objects(fresh)).length).toBe(before.size + restored.length);
  }));

  it('breaks on a subdirectory, and refuses --kubeconfig', isolated(async () => {
    const s = await sim('healthy');
    mkdirSync(path.join(s.workdir, 'backup', 'etcd'));
    const sub = await run(s, 'clusterctl', ['move', '--from-directory', 'backup', '--to-kubeconfig', s.kubeconfig]);
    expect(sub.exitCode).toBe(1);
    expect(sub.stderr).toContain('Error: failed to process object files: read backup/etcd: is a directory');
    const both = await run(s, 'clusterctl', ['move', '--from-directory', 'backup', '--kubeconfig', s.kubeconfig]);
    expect(both.stderr).toBe(
      'Error: if any flags in the group [from-directory kubeconfig] are set none of the others can be; [from-directory kubeconfig] were all set',
    );
  }));
});

describe.concurrent('fake docker', { timeout: TEST_TIMEOUT_MS }, () => {
  const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.22.0-eks-a-92';
  const dockerRun = (s: Sim, extra: string[], image = IMAGE) => [
    'run', '-i', '--network', 'host', '-w', s.workdir, '-v', `${s.workdir}:/${s.workdir}`, ...extra, '--entrypoint', 'clusterctl', image,
    'move', '--namespace', 'eksa-system', '--kubeconfig', s.kubeconfig, '--to-directory', 'backup',
  ];

  it('runs the fake clusterctl inside the image, as the EKS-A backup docs do', isolated(async () => {
    const s = await sim('healthy');
    const result = await run(s, 'docker', dockerRun(s, []));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(backupFiles(s).filter((f) => f.startsWith('Cluster_'))).toHaveLength(4);
    const lines = journal(s).filter((l) => l.source !== 'apiserver');
    expect(lines.map((l) => l.source)).toEqual(['docker', 'clusterctl']);
    expect(lines[1]).toMatchObject({ image: IMAGE, cwd: s.workdir });
  }));

  it('passes clusterctl\'s exit code through', isolated(async () => {
    const s = await sim('unready-paused');
    const result = await run(s, 'docker', dockerRun(s, []));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('cannot start operation while the following Clusters are paused: eksa-system/w02');
  }));

  it('sees only what is mounted, and reaches 127.0.0.1 only with --network host', isolated(async () => {
    const s = await sim('healthy');
    const args = dockerRun(s, []);
    const noMount = args.filter((a, i) => a !== '-v' && args[i - 1] !== '-v');
    const unmounted = await run(s, 'docker', noMount);
    expect(unmounted.exitCode).toBe(1);
    expect(unmounted.stderr).toContain(`Error: failed to load Kubeconfig: stat ${s.kubeconfig}: no such file or directory`);
    const bridged = await run(s, 'docker', args.filter((a, i) => a !== '--network' && args[i - 1] !== '--network'));
    expect(bridged.exitCode).toBe(1);
    expect(bridged.stderr).toMatch(/connect: connection refused/);
  }));

  it('forwards SIGTERM to the container, as docker run does', isolated(async () => {
    const s = await sim('healthy');
    s.server.setFaults([{ resource: 'secrets', hang: true }]);
    const child = run(s, 'docker', dockerRun(s, []));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGTERM');
    const result = await child;
    expect(result.signal).toBeUndefined();
    expect(result.exitCode).toBe(143);
  }));

  it('fails like docker for an image it cannot pull', isolated(async () => {
    const s = await sim('healthy');
    const byName = await run(s, 'docker', dockerRun(s, [], 'registry.local/eks-anywhere/cli-tools-missing:v0.22.0'));
    expect(byName.exitCode).toBe(125);
    expect(byName.stderr).toBe(
      "Unable to find image 'registry.local/eks-anywhere/cli-tools-missing:v0.22.0' locally\n" +
        "docker: Error response from daemon: pull access denied for registry.local/eks-anywhere/cli-tools-missing, repository does not exist or may require 'docker login': denied: requested access to the resource is denied.\n" +
        "See 'docker run --help'.",
    );
    const byScenario = await run(s, 'docker', dockerRun(s, []), { EKSA_SIM_SCENARIO: scenarioWith(s, 'healthy', { missingImage: true }) });
    expect(byScenario.exitCode).toBe(125);
    expect(backupFiles(s)).toEqual([]);
  }));

  it('answers docker version and refuses what it does not simulate', isolated(async () => {
    const s = await sim('healthy');
    expect((await run(s, 'docker', ['version', '--format', '{{.Server.Version}}'])).stdout).toBe('27.5.1');
    expect((await run(s, 'docker', ['ps'])).exitCode).toBe(64);
    expect((await run(s, 'docker', ['run', '--bogus', IMAGE])).exitCode).toBe(125);
  }));
});
