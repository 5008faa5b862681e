import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { concurrentSims } from '../helpers/concurrent-sims.js';
import { assertNoSimSecret, binPath, readJournal, runBin } from '../helpers/run-bin.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import type { Sim } from '../helpers/sim.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
// These tests are about the CAPI half; the etcd half has its own tests against real etcd and sshd.
const NO_ETCD = ['--skip-etcd-backup', '--reason', 'CAPI backup tests: etcd is tested in etcd-backup.test.ts'];
// Each test is a few runs of the CLI in worlds of its own, mostly waiting on child processes: two tests at a
// time overlap those waits (test/helpers/concurrent-sims.ts). A test may wait for a slot behind most of the file:
// its timeout is that long (each run of the CLI keeps its own bound).
const { isolated, sim: ownSim } = concurrentSims(2);
const TEST_TIMEOUT_MS = 600_000;
const sim = (scenario: string): Promise<Sim> => ownSim({ scenario });
async function backup(s: Sim, args: string[] = [], spec = s.specFile()) {
  return runBin(['backup', '-f', spec, '--cli-tools-image', IMAGE, ...NO_ETCD, ...args], { env: s.env, cwd: s.workdir });
}
const mgmtDir = (s: Sim) => path.join(s.workdir, 'mgmt');
const sets = (s: Sim) => readdirSync(mgmtDir(s)).filter((n) => n.includes('-backup-')).sort();
const manifestOf = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
const capiClusters = (s: Sim) =>
  (s.server.store.list ? undefined : undefined, JSON.parse(JSON.stringify(allObjects(s))).filter((o: any) => o.kind === 'Cluster' && o.apiVersion.startsWith('cluster.x-k8s.io')));
function allObjects(s: Sim): any[] {
  const store: any = s.server.store;
  return typeof store.all === 'function' ? store.all() : [...store.values()];
}

describe.concurrent('backup of the healthy tree', { timeout: TEST_TIMEOUT_MS }, () => {
  it('writes a complete, verified set: capi/ only clusterctl files, eksa/ the EKS-A objects', isolated(async () => {
    const s = await sim('healthy');
    const r = await backup(s, ['-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ command: 'backup', state: 'complete', scope: { kind: 'whole-tree', clusters: ['mgmt', 'w01', 'w02', 'w03'] } });
    const [name] = sets(s);
    expect(name).toMatch(/^mgmt-backup-\d{4}-\d{2}-\d{2}T\d{2}_\d{2}_\d{2}$/);
    const dir = path.join(mgmtDir(s), name!);
    expect(report.dir).toBe(dir);

    const capi = readdirSync(path.join(dir, 'capi'));
    expect(capi.every((f) => /^[A-Za-z]+_[a-z0-9-]*_[a-z0-9.-]+\.yaml$/.test(f))).toBe(true);
    for (const c of ['mgmt', 'w01', 'w02', 'w03']) {
      expect(capi).toContain(`Cluster_eksa-system_${c}.yaml`);
      expect(capi).toContain(`KubeadmControlPlane_eksa-system_${c}.yaml`);
      expect(capi).toContain(`Secret_eksa-system_${c}-kubeconfig.yaml`);
    }
    expect(capi).toContain('EtcdadmCluster_eksa-system_mgmt-etcd.yaml');
    expect(capi.some((f) => f.startsWith('VSphereMachineConfig'))).toBe(false);
    const savedCluster = JSON.parse(readFileSync(path.join(dir, 'capi', 'Cluster_eksa-system_w01.yaml'), 'utf8'));
    expect(savedCluster.spec.paused).toBe(true);

    const eksa = readdirSync(path.join(dir, 'eksa'));
    for (const c of ['mgmt', 'w01', 'w02', 'w03']) {
      expect(eksa).toContain(`Cluster_default_${c}.yaml`);
      expect(eksa).toContain(`VSphereDatacenterConfig_default_${c}.yaml`);
      expect(eksa).toContain(`VSphereMachineConfig_default_${c}-cp.yaml`);
    }
    expect(readFileSync(path.join(dir, 'eksa', 'Cluster_default_w01.yaml'), 'utf8')).not.toMatch(/resourceVersion|uid:|status:/);
    expect(readdirSync(path.join(dir, 'spec'))).toEqual(['mgmt-eks-a-cluster.yaml']);

    const manifest = manifestOf(dir);
    expect(manifest).toMatchObject({ schemaVersion: 1, state: 'complete', managementCluster: 'mgmt', clusterctl: { source: 'image', image: IMAGE } });
    expect(manifest.clusterctl.argv).not.toContain('--dry-run');
    expect(manifest.clusterctl.argv).not.toContain('--filter-cluster');
    expect(manifest.etcd).toEqual([]);
    expect(manifest.etcdSkipped.reason).toMatch(/CAPI backup tests/);
    expect(manifest.files.length).toBe(capi.length + eksa.length + 2);
    expect(manifest.files.map((f: any) => f.path)).toContain('RESTORE.md');
    expect(readFileSync(path.join(dir, 'RESTORE.md'), 'utf8')).toContain(`--filter-cluster w01`);
    // clusterctl resumed every Cluster and nothing else touched pause state.
    for (const c of capiClusters(s)) expect(c.spec?.paused).toBeUndefined();

    const verify = await runBin(['verify', dir], { env: s.env, cwd: s.workdir });
    expect(verify.exitCode).toBe(0);
    expect(verify.stdout).toContain(`Verified: ${dir}`);
  }));

  it('an etcd flag it cannot use stops the backup before clusterctl runs: no set, nothing paused', isolated(async () => {
    const s = await sim('healthy');
    const key = path.join(s.workdir, 'id_test');
    writeFileSync(key, 'not used\n', { mode: 0o600 });
    const r = await runBin(['backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, '--ssh-key', key, '--ssh-option', 'RequestTTY=yes'], { env: s.env, cwd: s.workdir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^Error: --ssh-option RequestTTY is not allowed/m);
    expect(s.journal().filter((e) => e.source === 'clusterctl' || e.source === 'docker' || e.method !== undefined)).toEqual([]);
    expect(sets(s)).toEqual([]);
  }));

  it('keeps folders 0700 and files 0600 whatever the umask', isolated(async () => {
    const s = await sim('healthy');
    const r = await execa('sh', ['-c', 'umask 000; exec "$@"', 'sh', process.execPath, binPath, 'backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD], {
      env: { ...s.env, CI: '1' },
      cwd: s.workdir,
      reject: false,
    });
    expect(r.exitCode).toBe(0);
    assertNoSimSecret({ stdout: String(r.stdout), stderr: String(r.stderr) }, ['backup']);
    const dir = path.join(mgmtDir(s), sets(s)[0]!);
    const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(path.join(d, n)).isDirectory() ? [path.join(d, n), ...walk(path.join(d, n))] : [path.join(d, n)]));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const p of walk(dir)) expect([p, statSync(p).mode & 0o777]).toEqual([p, statSync(p).isDirectory() ? 0o700 : 0o600]);
  }));

  it('verify catches a flipped byte, a removed file and an object removed from a file', isolated(async () => {
    const s = await sim('healthy');
    expect((await backup(s)).exitCode).toBe(0);
    const dir = path.join(mgmtDir(s), sets(s)[0]!);
    const verify = () => runBin(['verify', dir, '-o', 'json'], { env: s.env, cwd: s.workdir });

    const kcp = path.join(dir, 'capi', 'KubeadmControlPlane_eksa-system_w02.yaml');
    const original = readFileSync(kcp);
    const flipped = Buffer.from(original);
    flipped[10] = flipped[10]! ^ 0x01;
    writeFileSync(kcp, flipped);
    let r = await verify();
    expect(r.exitCode).toBe(9);
    expect(JSON.parse(r.stdout).files).toContainEqual(expect.objectContaining({ path: 'capi/KubeadmControlPlane_eksa-system_w02.yaml', status: 'changed' }));
    writeFileSync(kcp, original);
    expect((await verify()).exitCode).toBe(0);

    const secret = path.join(dir, 'capi', 'Secret_eksa-system_w01-ca.yaml');
    const secretText = readFileSync(secret);
    rmSync(secret);
    r = await verify();
    expect(r.exitCode).toBe(9);
    const report = JSON.parse(r.stdout);
    expect(report.files).toContainEqual({ path: 'capi/Secret_eksa-system_w01-ca.yaml', status: 'missing' });
    expect(report.problems.join('\n')).toMatch(/missing from capi\/: w01: Secret\/eksa-system\/w01-ca/);
    writeFileSync(secret, secretText);

    const md = path.join(dir, 'capi', 'MachineDeployment_eksa-system_w03-md-0.yaml');
    writeFileSync(md, '{}\n');
    r = await verify();
    expect(r.exitCode).toBe(9);
    expect(JSON.parse(r.stdout).problems.join('\n')).toMatch(/MachineDeployment_eksa-system_w03-md-0.yaml" holds \? \/\?/);
  }));

  it('dry-run prints the exact clusterctl command and writes nothing', isolated(async () => {
    const s = await sim('healthy');
    const journal = path.join(s.workdir, 'our-journal.ndjson');
    const before = readdirSync(mgmtDir(s));
    const r = await backup(s, ['--dry-run', '--journal', journal]);
    expect(r.exitCode).toBe(0);
    // The plan is the dry run's result: stdout.
    expect(r.stdout).toMatch(new RegExp(`^! docker run -i --network host -w \\S+ -v \\S+ --entrypoint clusterctl ${IMAGE.replace(/\./g, '\\.')} move --namespace eksa-system --kubeconfig \\S+ --to-directory \\S+/mgmt-backup-[0-9T_-]+\\.partial/capi$`, 'm'));
    expect(r.stdout).toMatch(/Dry run: nothing was written/);
    expect(readdirSync(mgmtDir(s))).toEqual(before);
    const ours = readJournal(journal);
    expect(ours.filter((e) => e.kind !== 'read').every((e) => e.skipped === true)).toBe(true);
    expect(ours.some((e) => e.argv[0] === 'docker' && e.skipped)).toBe(true);
    expect(s.journal().filter((e) => e.source === 'apiserver' || e.source === 'docker' || e.source === 'clusterctl')).toEqual([]);
  }));
});

describe.concurrent('going on without etcd', { timeout: TEST_TIMEOUT_MS }, () => {
  it('--skip-etcd-backup needs a --reason', isolated(async () => {
    const s = await sim('healthy');
    const r = await runBin(['backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, '--skip-etcd-backup'], { env: s.env, cwd: s.workdir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--skip-etcd-backup needs --reason/);
    expect(sets(s)).toEqual([]);
  }));
});

describe.concurrent('backup scope policy', { timeout: TEST_TIMEOUT_MS }, () => {
  it('falls back to the management cluster when a workload is not ready, and records why', isolated(async () => {
    const s = await sim('unready-control-plane-not-ready');
    const r = await backup(s);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Scope: MANAGEMENT CLUSTER ONLY \(mgmt\)/);
    expect(r.stdout).toMatch(/left out: w02\n\s+control-plane-not-ready: /);
    const manifest = manifestOf(path.join(mgmtDir(s), sets(s)[0]!));
    expect(manifest.scope).toMatchObject({ kind: 'management-only', clusters: ['mgmt'], leftOut: [{ cluster: 'w02', reasons: [expect.objectContaining({ code: 'control-plane-not-ready' })] }] });
    expect(manifest.clusterctl.argv.slice(-2)).toEqual(['--filter-cluster', 'mgmt']);
    expect(Object.keys(manifest.expected)).toEqual(['mgmt']);
  }));

  it('a paused workload is a named reason and the backup covers the management cluster only', isolated(async () => {
    const s = await sim('unready-paused');
    const r = await backup(s, ['-o', 'json']);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.scope.kind).toBe('management-only');
    expect(report.scope.leftOut[0].reasons.map((x: any) => x.code)).toContain('paused');
    const w02 = capiClusters(s).find((c: any) => c.metadata.name === 'w02');
    expect(w02.spec.paused).toBe(true);
  }));

  it('--on-unready=fail stops with the not-ready code and writes no folder', isolated(async () => {
    const s = await sim('unready-workers-rolling-out');
    const r = await backup(s, ['--on-unready', 'fail']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/not backing up: /);
    expect(r.stderr).toMatch(/hint: .*--on-unready=fallback/);
    expect(sets(s)).toEqual([]);
  }));

  it('a whole-tree move that fails although all looked ready falls back and records the error', isolated(async () => {
    const s = await sim(scenarioExtending('healthy', { clusterctl: { failWhenUnfiltered: true } }));
    const r = await backup(s);
    expect(r.exitCode).toBe(0);
    const manifest = manifestOf(path.join(mgmtDir(s), sets(s)[0]!));
    expect(manifest.scope.kind).toBe('management-only');
    expect(manifest.scope.fallbackFrom.error.length).toBeGreaterThan(0);
    expect(manifest.scope.leftOut.map((l: any) => l.cluster)).toEqual(['w01', 'w02', 'w03']);
    expect(manifest.clusterctl.argv.slice(-2)).toEqual(['--filter-cluster', 'mgmt']);
    for (const c of capiClusters(s)) expect(c.spec?.paused).toBeUndefined();
  }));

  it('backs up a workload cluster alone into the management folder, as EKS-A names it', isolated(async () => {
    const s = await sim('healthy');
    const r = await backup(s, ['-o', 'json'], s.specFile('w01'));
    expect(r.exitCode).toBe(0);
    const [name] = sets(s);
    expect(name).toMatch(/^w01-backup-/);
    const manifest = manifestOf(path.join(mgmtDir(s), name!));
    expect(manifest.scope).toMatchObject({ kind: 'workload', clusters: ['w01'] });
    expect(manifest.clusterctl.argv.slice(-2)).toEqual(['--filter-cluster', 'w01']);
    expect(readdirSync(path.join(mgmtDir(s), name!, 'capi')).every((f) => !/_(mgmt|w02|w03)[-.]/.test(f))).toBe(true);
  }));
});

describe.concurrent('backup failures never look complete', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a move that fails after pausing puts every cluster back in its recorded pause state', isolated(async () => {
    const s = await sim(scenarioExtending('healthy', { clusterctl: { failAfterPause: true } }));
    const r = await backup(s, ['-o', 'json']);
    expect(r.exitCode).toBe(7);
    expect(r.stderr).toMatch(/clusterctl move failed/);
    for (const c of capiClusters(s)) expect([c.metadata.name, c.spec?.paused]).toEqual([c.metadata.name, undefined]);
    const names = sets(s);
    expect(names.every((n) => n.endsWith('.failed'))).toBe(true);
    expect(names.length).toBeGreaterThan(0);
    const manifest = manifestOf(path.join(mgmtDir(s), names[0]!));
    expect(manifest.state).toBe('failed');
    expect(manifest.pauseRestore.length).toBeGreaterThan(0);
  }));

  it('a clusterctl failure half-way leaves only a .failed set (or nothing with --clean-failed)', isolated(async () => {
    const s = await sim(scenarioExtending('healthy', { clusterctl: { failAfterFiles: 5 } }));
    let r = await backup(s);
    expect(r.exitCode).toBe(7);
    expect(sets(s)).toHaveLength(1);
    expect(sets(s)[0]).toMatch(/\.failed$/);
    const failedDir = path.join(mgmtDir(s), sets(s)[0]!);
    expect(manifestOf(failedDir)).toMatchObject({ state: 'failed' });
    expect((await runBin(['verify', failedDir], { env: s.env, cwd: s.workdir })).exitCode).toBe(9);
    rmSync(failedDir, { recursive: true });
    r = await backup(s, ['--clean-failed']);
    expect(r.exitCode).toBe(7);
    expect(sets(s)).toEqual([]);
    expect(existsSync(mgmtDir(s))).toBe(true);
  }));
});

describe.concurrent('a planted `<set>.partial` symlink (issue 15, finding 10)', { timeout: TEST_TIMEOUT_MS }, () => {
  it('is refused: the backup fails before the move and writes nothing through it', isolated(async () => {
    const s = await sim('healthy');
    const { mkdirSync, symlinkSync } = await import('node:fs');
    const { backupDirName } = await import('../../src/backup/naming.js');
    const target = path.join(s.workdir, 'elsewhere');
    mkdirSync(target);
    mkdirSync(mgmtDir(s), { recursive: true });
    // Every name the run could pick in the next minute.
    const now = Date.now();
    for (let i = 0; i < 60; i++) symlinkSync(target, path.join(mgmtDir(s), `${backupDirName('mgmt', new Date(now + i * 1000))}.partial`));
    const r = await backup(s);
    expect(r.exitCode).toBe(7);
    expect(r.stderr).toMatch(/already exists as a symlink/);
    expect(readdirSync(target)).toEqual([]);
    expect(s.journal().filter((e) => e.source === 'docker' || e.source === 'clusterctl')).toEqual([]);
  }));
});
