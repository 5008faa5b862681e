// --push on backup and cluster: the copy is a step of the plan (the dry run shows it), after verification and
// before the hand-off; a failed push stops the run before eksctl with exit 7 unless --push-optional.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OciClient } from '../../src/offsite/oci-client.js';
import { validateEvidence } from '../../src/report/evidence.js';
import { registryAvailable, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { freePort } from '../helpers/testbed.js';
import { ageKey } from '../offsite/fixtures.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const NO_ETCD = ['--skip-etcd-backup', '--reason', 'push tests: etcd is covered by the etcd backup tests'];

let sims: Sim[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});
async function sim(): Promise<Sim> {
  const s = await startSim({ scenario: 'healthy' });
  sims.push(s);
  return s;
}
const sets = (s: Sim) => readdirSync(path.join(s.workdir, 'mgmt')).filter((n) => /-backup-[^.]*$/.test(n));
const eksctlUpgrades = (s: Sim) => s.journal().filter((e) => e.source === 'eksctl' && e.argv.includes('upgrade') && !e.argv.includes('plan'));

describe.skipIf(!registryAvailable())('--push', () => {
  let registry: TestRegistry;
  let dockerConfig: string;
  beforeAll(async () => {
    registry = await startRegistry({ tls: false });
    dockerConfig = registry.dockerConfig();
  });
  afterAll(async () => registry?.stop());

  it('backup --push: the dry run shows the push and pushes nothing; the real run pushes the verified set and records it', async () => {
    const s = await sim();
    const key = ageKey();
    const url = `oci://${registry.host}/e2e/backup`;
    const env = { ...s.env, DOCKER_CONFIG: dockerConfig };
    const push = ['--push', url, '--insecure-registry', '--encrypt-to', key.recipient];
    const dry = await runBin(['backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD, ...push, '--dry-run'], { env, cwd: s.workdir });
    expect(dry.exitCode).toBe(0);
    const planText = `${dry.stdout}\n${dry.stderr}`;
    expect(planText).toMatch(new RegExp(`# \\d+\\. Copy the verified set off-site to ${url.replace(/[.]/g, '\\.')}, encrypted with age to ${key.recipient}; a failure stops the run here, before eksctl \\(exit 7\\)`));
    const client = new OciClient({ host: registry.host, repository: 'e2e/backup', insecure: true, credentials: { username: registry.user, password: registry.password } });
    expect(await client.listTags()).toEqual([]);

    const r = await runBin(['backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD, ...push, '-o', 'json'], { env, cwd: s.workdir });
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    const [name] = sets(s);
    expect(report.pushes).toEqual([{ url, ok: true, reference: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), encrypted: true, recipients: [key.recipient] }]);
    expect(await client.listTags()).toEqual([name]);
    const layers: { size: number }[] = JSON.parse((await client.getManifest(name!))!.body.toString()).layers;
    client.close();
    const manifest = JSON.parse(readFileSync(path.join(s.workdir, 'mgmt', name!, 'manifest.json'), 'utf8'));
    expect(manifest.pushes).toEqual([{ url, reference: report.pushes[0].reference, at: expect.any(String), durationMs: expect.any(Number), encrypted: true, recipients: [key.recipient] }]);
    // The manifest's push record does not break the set's verification.
    const verify = await runBin(['verify', path.join(s.workdir, 'mgmt', name!)], { env, cwd: s.workdir });
    expect(verify.exitCode).toBe(0);
    // restore-plan names the pull; the remote lists the set; prune never removes a cluster's newest set.
    const restore = await runBin(['restore-plan', path.join(s.workdir, 'mgmt', name!)], { env, cwd: s.workdir });
    expect(restore.stdout).toContain(`eksa-safe-upgrade backups pull ${url}:${name} --dir <management folder> --identity <age identity file>`);
    const list = await runBin(['backups', 'list', '--remote', url, '--insecure-registry', '-o', 'json'], { env, cwd: s.workdir });
    expect(list.exitCode).toBe(0);
    expect(JSON.parse(list.stdout).sets).toMatchObject([{ name, cluster: 'mgmt', scope: 'whole-tree', encrypted: true, reference: report.pushes[0].reference }]);
    // The stored size is what the registry holds: the layers, the pack's tar framing included.
    expect(JSON.parse(list.stdout).sets[0].bytes).toBe(layers.reduce((n, l) => n + l.size, 0));
    // As text: the table of `backups list`, its times and sizes written the same way.
    const text = await runBin(['backups', 'list', '--remote', url, '--insecure-registry'], { env, cwd: s.workdir });
    expect(text.stdout).toMatch(/^NAME +CLUSTER +SCOPE +CREATED +STORED +ENCRYPTED +REFERENCE$/m);
    expect(text.stdout).toMatch(new RegExp(`^${name} +mgmt +whole-tree +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +\\d+(\\.\\d)? (KiB|MiB) +age +sha256:[0-9a-f]{12}$`, 'm'));
    const prune = await runBin(['backups', 'prune', '--remote', url, '--insecure-registry', '--keep', '0', '--older-than', '1s'], { env, cwd: s.workdir });
    expect(prune.exitCode).toBe(0);
    expect(prune.stdout).toContain(`kept ${name}: `);
    expect(prune.stdout).toContain('Nothing to prune.');
  }, 180_000);

  it('backup --push without --encrypt-to is refused before anything runs', async () => {
    const s = await sim();
    const r = await runBin(['backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD, '--push', `oci://${registry.host}/e2e/x`], { env: s.env, cwd: s.workdir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^Error: --push without --encrypt-to would send every Secret/m);
    expect(sets(s)).toEqual([]);
  }, 180_000);

  it('cluster --push to a registry that is not there: exit 7 before eksctl; with --push-optional, a recorded warning and the upgrade goes on', async () => {
    const s = await sim();
    const key = ageKey();
    const dead = `oci://127.0.0.1:${await freePort()}/e2e/cluster`;
    const report = path.join(s.workdir, 'report.json');
    const args = ['cluster', '-f', s.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD, '--confirm-interval', '1s', '--confirm-timeout', '60s', '--push', dead, '--insecure-registry', '--encrypt-to', key.recipient, '--report', report];
    const failed = await runBin(args, { env: { ...s.env, DOCKER_CONFIG: dockerConfig }, cwd: s.workdir, timeoutMs: 120_000 });
    expect(failed.exitCode).toBe(7);
    expect(failed.stderr).toMatch(/^Error: push to oci:\/\/127\.0\.0\.1:\d+\/e2e\/cluster failed: .*ECONNREFUSED/m);
    expect(eksctlUpgrades(s)).toEqual([]);
    const evidence = JSON.parse(readFileSync(report, 'utf8'));
    expect(validateEvidence(evidence)).toMatchObject({ ok: true });
    expect(evidence.outcome).toBe('backup-failed');

    const optional = await runBin([...args, '--push-optional'], { env: { ...s.env, DOCKER_CONFIG: dockerConfig }, cwd: s.workdir, timeoutMs: 120_000 });
    expect(optional.exitCode).toBe(0);
    expect(optional.stderr).toContain('--push-optional: the copy to');
    expect(eksctlUpgrades(s).length).toBe(1);
    const recorded = JSON.parse(readFileSync(report, 'utf8'));
    expect(validateEvidence(recorded)).toMatchObject({ ok: true });
    expect(recorded.backup.pushes).toEqual([{ url: dead, ok: false, encrypted: true, recipients: [key.recipient], error: expect.stringContaining('ECONNREFUSED') }]);
  }, 180_000);
});
