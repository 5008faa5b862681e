// `node sim/cli.js up|down`: a detached simulator, the workdir layout and eval-able exports.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';

const CLI = path.resolve('sim/cli.js');
const workdirs: string[] = [];

function freshWorkdir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eksa-sim-cli-'));
  workdirs.push(dir);
  return dir;
}

const sim = (args: string[]) => execa(process.execPath, [CLI, ...args], { reject: false, timeout: 60_000 });

/** Alive and not a zombie (the detached server is re-parented; its reaper may be slow). */
function isAlive(pid: number) {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

afterEach(async () => {
  for (const dir of workdirs.splice(0)) {
    await sim(['down', '--workdir', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('up / down', () => {
  it('starts a background server, lays out the workdir and prints eval-able exports', async () => {
    const dir = freshWorkdir();
    // Real etcd has its own tests (test/sim/etcd-world.test.ts); this one is about the server and the exports.
    const up = await sim(['up', '--scenario', 'healthy', '--workdir', dir, '--no-real-etcd']);
    expect(up.stderr).toMatch(/sim: healthy \(4 clusters\) on http:\/\/127\.0\.0\.1:\d+, pid \d+/);
    expect(up.exitCode).toBe(0);
    expect(up.stdout.split('\n').map((l) => l.split('=')[0])).toEqual([
      'export KUBECONFIG', 'export PATH', 'export EKSA_SIM_JOURNAL', 'export EKSA_SIM_URL', 'export EKSA_SIM_SCENARIO',
      'export EKSA_SIM_WORKDIR', 'export KUBECACHEDIR', 'export EKSA_SAFE_UPGRADE_RELEASE_MANIFEST',
    ]);
    expect(up.stdout).toContain(`export EKSA_SAFE_UPGRADE_RELEASE_MANIFEST='${path.join(dir, '.sim', 'release-manifest.yaml')}'`);
    const manifest = YAML.parse(readFileSync(path.join(dir, '.sim', 'release-manifest.yaml'), 'utf8'));
    expect(manifest.spec.releases.map((r: any) => [r.version, r.bundleManifestUrl])).toEqual([
      ['v0.21.0', 'bundles-210.yaml'], ['v0.22.0', 'bundles-220.yaml'], ['v0.23.0', 'bundles-230.yaml'],
    ]);
    expect(statSync(path.join(dir, '.sim', 'bundles-230.yaml')).isFile()).toBe(true);
    const state = JSON.parse(readFileSync(path.join(dir, '.sim', 'state.json'), 'utf8'));
    expect(isAlive(state.pid)).toBe(true);

    for (const name of ['mgmt', 'w01', 'w02', 'w03']) {
      const kubeconfig = path.join(dir, name, `${name}-eks-a-cluster.kubeconfig`);
      expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
      expect(YAML.parse(readFileSync(kubeconfig, 'utf8')).clusters[0].cluster.server).toBe(state.url);
      const docs = YAML.parseAllDocuments(readFileSync(path.join(dir, name, `${name}-eks-a-cluster.yaml`), 'utf8')).map((d) => d.toJS());
      expect(docs[0]).toMatchObject({ kind: 'Cluster', metadata: { name }, spec: { kubernetesVersion: '1.32', eksaVersion: 'v0.23.0', managementCluster: { name: 'mgmt' } } });
      expect(docs.slice(1).map((d) => d.kind)).toContain('VSphereDatacenterConfig');
    }

    const script = [
      `eval "$(cat <<'EXPORTS'\n${up.stdout}\nEXPORTS\n)"`,
      'kubectl get clusters.anywhere.eks.amazonaws.com -o name',
      'eksctl anywhere version | head -1',
      'command -v eksctl',
      'echo "cache=$KUBECACHEDIR"',
    ].join('\n');
    const shell = await execa('sh', ['-c', script], { reject: false, env: { PATH: process.env.PATH ?? '' }, extendEnv: false, cwd: dir });
    expect(shell.stderr).toBe('');
    expect(shell.stdout.split('\n')).toEqual([
      'cluster.anywhere.eks.amazonaws.com/mgmt', 'cluster.anywhere.eks.amazonaws.com/w01',
      'cluster.anywhere.eks.amazonaws.com/w02', 'cluster.anywhere.eks.amazonaws.com/w03',
      'Version: v0.23.0',
      path.resolve('sim/bin/eksctl'),
      `cache=${path.join(dir, '.sim', 'kube-cache')}`,
    ]);
    expect(statSync(path.join(dir, '.sim', 'kube-cache')).isDirectory()).toBe(true);
    const journal = readFileSync(path.join(dir, '.sim', 'journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(journal).toEqual([expect.objectContaining({ source: 'eksctl', argv: ['eksctl', 'anywhere', 'version'] })]);

    const again = await sim(['up', '--scenario', 'healthy', '--workdir', dir]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('a simulator already runs');

    const down = await sim(['down', '--workdir', dir]);
    expect(down.exitCode).toBe(0);
    expect(down.stderr).toContain(`stopped pid ${state.pid}`);
    expect(isAlive(state.pid)).toBe(false);
    await expect(fetch(`${state.url}/version`)).rejects.toThrow();
    expect((await sim(['down', '--workdir', dir])).stderr).toContain('no simulator running');
  });

  it('fails up with the scenario error and leaves nothing running', async () => {
    const dir = freshWorkdir();
    const up = await sim(['up', '--scenario', 'no-such-scenario', '--workdir', dir]);
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toMatch(/sim: cannot read scenario .*no-such-scenario\.yaml/);
    expect(up.stdout).toBe('');
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, `extends: ${path.resolve('sim/scenarios/healthy.yaml')}\npatches:\n  - { kind: Machine, name: nope, patch: {} }\n`);
    const patchError = await sim(['up', '--scenario', broken, '--workdir', path.join(dir, 'w')]);
    expect(patchError.exitCode).toBe(1);
    expect(patchError.stderr).toContain('the simulator exited during start-up');
    expect(patchError.stderr).toContain('no Machine.cluster.x-k8s.io named "nope"');
    const usage = await sim(['up', '--workdir', dir]);
    expect(usage.exitCode).toBe(1);
    expect(usage.stderr).toContain('usage:');
  });

  it('up --workloads 500 serves a whole-tree inventory within seconds', async () => {
    const dir = freshWorkdir();
    const startedUp = Date.now();
    const up = await sim(['up', '--scenario', 'healthy', '--workdir', dir, '--workloads', '500']);
    const upMs = Date.now() - startedUp;
    expect(up.exitCode).toBe(0);
    const env = Object.fromEntries([...up.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));

    const started = Date.now();
    const r = await execa('kubectl', ['get', 'clusters.anywhere.eks.amazonaws.com,clusters.cluster.x-k8s.io,kubeadmcontrolplanes.controlplane.cluster.x-k8s.io,etcdadmclusters.etcdcluster.cluster.x-k8s.io,machinedeployments.cluster.x-k8s.io,machines.cluster.x-k8s.io', '-A', '-o', 'json'], {
      env: { ...process.env, ...env }, reject: false, maxBuffer: 512 * 1024 * 1024,
    });
    const kubectlMs = Date.now() - started;
    expect(r.exitCode).toBe(0);
    const items = JSON.parse(r.stdout).items;
    // 504 clusters: EKS-A + CAPI Cluster + KCP + MD each, 2 EtcdadmClusters, 18 + 1000 Machines
    expect(items).toHaveLength(504 * 4 + 2 + 18 + 1000);
    console.info(`up --workloads 500: ${upMs} ms; kubectl get 6 kinds (${items.length} objects): ${kubectlMs} ms`);
    // A guard against pathological slowness only: kubectl's own JSON decoding dominates, and the
    // two cores are shared with other suites (the server's share is asserted in scale.test.ts).
    expect(kubectlMs).toBeLessThan(30_000);
  }, 120_000);
});
