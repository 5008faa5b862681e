import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateEvidence } from '../../src/report/evidence.js';
import { assertNoSimSecret, binPath, readJournal, runBin } from '../helpers/run-bin.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import type { Sim } from '../helpers/sim.js';
import { orphansAfter } from '../reliability/helpers.js';
import { concurrentSims } from '../helpers/concurrent-sims.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
// The etcd half has its own end-to-end tests against real etcd and sshd.
const NO_ETCD = ['--skip-etcd-backup', '--reason', 'cluster flow tests: etcd is covered by etcd-backup tests'];
const FAST = ['--confirm-interval', '1s'];

// Each test is a few runs of the CLI in worlds of its own: chains of short child processes and polls, mostly
// waiting. Two tests at a time overlap those waits. Every suite is concurrent, so a test may wait for a slot
// behind most of the file: its timeout is that long (each run of the CLI keeps its own bound).
const { isolated, sim: ownSim } = concurrentSims(2);
const TEST_TIMEOUT_MS = 600_000;
const sim = (scenario: string, options: { workloads?: number; realEtcd?: boolean } = {}): Promise<Sim> => ownSim({ scenario, ...options });

function objects(s: Sim): any[] {
  return (s.server.store as any).all();
}
const lease = (s: Sim) => objects(s).find((o) => o.kind === 'Lease' && o.metadata.name === 'eksa-safe-upgrade');
const eksctlUpgrades = (s: Sim) => s.journal().filter((e) => e.source === 'eksctl' && e.argv.includes('upgrade') && !e.argv.includes('plan'));
const sets = (s: Sim) => readdirSync(path.join(s.workdir, 'mgmt')).filter((n) => n.includes('-backup-'));

/** Runs `cluster` and checks its evidence record against the schema, whatever the outcome. */
async function upgrade(s: Sim, args: string[], spec = s.specFile()) {
  const report = path.join(s.workdir, `report-${Math.random().toString(36).slice(2)}.json`);
  const r = await runBin(['cluster', '-f', spec, '--cli-tools-image', IMAGE, '--report', report, ...FAST, ...(args.includes('--confirm-timeout') ? [] : ['--confirm-timeout', '60s']), ...args], { env: s.env, cwd: s.workdir, timeoutMs: 120_000 });
  const evidence = JSON.parse(readFileSync(report, 'utf8'));
  const valid = validateEvidence(evidence);
  expect(valid.ok ? [] : valid.issues).toEqual([]);
  expect(evidence.exitCode).toBe(r.exitCode);
  return { ...r, evidence };
}

describe.concurrent('cluster on the healthy tree', { timeout: TEST_TIMEOUT_MS }, () => {
  it('backs up (CAPI + real etcd over real ssh), hands off with the argv exactly as given, confirms, releases the lock, exit 0', isolated(async () => {
    const s = await sim('healthy', { realEtcd: true });
    // A real Bundles file (the simulator's, for the target v0.23.0): the fake eksctl reads it as the real one does.
    const bundles = path.join('.sim', 'bundles-230.yaml');
    expect(existsSync(path.join(s.workdir, bundles))).toBe(true);
    const r = await upgrade(s, ['--skip-validations=pod-disruption', '--skip-validations', 'eksa-version-skew', '--', '--bundles-override', bundles]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.exitCode).toBe(0);
    const [name] = sets(s);
    expect(name).toMatch(/^mgmt-backup-[0-9T_-]+$/);
    const [call] = eksctlUpgrades(s);
    expect(call!.argv).toEqual([
      'eksctl', 'anywhere', 'upgrade', 'cluster', '-f', s.specFile(),
      '--skip-validations=pod-disruption', '--skip-validations=eksa-version-skew',
      '--bundles-override', bundles,
    ]);
    expect(r.evidence).toMatchObject({ outcome: 'upgraded', backup: { state: 'complete' }, confirm: { confirmed: true }, lock: { released: true } });
    expect(r.evidence.backup.etcd.map((e: any) => e.cluster).sort()).toEqual(['mgmt', 'w01', 'w02', 'w03']);
    const manifest = JSON.parse(readFileSync(path.join(r.evidence.backup.dir, 'manifest.json'), 'utf8'));
    expect(manifest.etcd.map((e: any) => `${e.cluster}:${e.topology}:${e.os}`).sort()).toEqual([
      'mgmt:external:ubuntu', 'w01:stacked:ubuntu', 'w02:external:bottlerocket', 'w03:stacked:bottlerocket',
    ]);
    expect(r.evidence.plan.components.map((c: any) => c.name)).toContain('kubernetes');
    // eksctl's own output during the hand-off is progress: on stderr, with ours.
    expect(r.stdout).not.toMatch(/[✔❯]|Hand off to eksctl/);
    expect(lease(s)).toBeUndefined();
    const mgmt = objects(s).find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('anywhere') && o.metadata.name === 'mgmt');
    expect(mgmt.spec.kubernetesVersion).toBe('1.32');
  }));

  it('prints the plan in --dry-run and writes nothing at all', isolated(async () => {
    const s = await sim('healthy');
    const journal = path.join(s.workdir, 'ours.ndjson');
    const r = await upgrade(s, [...NO_ETCD, '--dry-run', '--journal', journal]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/Dry run complete: nothing was changed\. The upgrade would run:\n\s+eksctl anywhere upgrade cluster -f \S+mgmt-eks-a-cluster\.yaml$/m);
    // The plan is the dry run's result: on stdout, every write at the margin in the order the real run makes it.
    const writes = r.stdout.split('\n').filter((l) => l.startsWith('! '));
    expect(writes.map((l) => l.split(' ').slice(1, 3).join(' '))).toEqual(['kubectl --kubeconfig', 'docker run', 'kubectl --kubeconfig', 'eksctl anywhere', 'kubectl --kubeconfig']);
    expect(writes[0]).toMatch(/ create -f - -o json$/);
    expect(writes[4]).toMatch(/ delete --raw \/apis\/coordination\.k8s\.io\/v1\/namespaces\/eksa-system\/leases\/eksa-safe-upgrade -f -$/);
    // The pause-state restore (a branch: a write per switch that differs after clusterctl), the file writes, the lock release.
    expect(r.stdout).toMatch(/^# Put every cluster back in the pause state it had before clusterctl/m);
    expect(r.stdout).toMatch(/^ {4}! kubectl .* patch clusters\.cluster\.x-k8s\.io w01 -n eksa-system --type=merge -p '\{"spec":\{"paused":null\}\}'$/m);
    expect(r.stdout).toMatch(/^ {4}! kubectl .* annotate clusters\.v1alpha1\.anywhere\.eks\.amazonaws\.com w01 -n default anywhere\.eks\.amazonaws\.com\/paused- --overwrite$/m);
    expect(r.stdout).toMatch(/^\+ mkdir \S+\/mgmt-backup-[0-9T_-]+\.partial \(0700\)/m);
    expect(r.stdout).toMatch(/^\+ write \S+\/mgmt-backup-[0-9T_-]+\.partial\/manifest\.json \(0600\)/m);
    expect(r.stdout).toMatch(/^\+ rename \S+\.partial to \S+\/mgmt-backup-[0-9T_-]+: complete/m);
    expect(r.stdout).toMatch(/^# \d+\. Release the upgrade lock/m);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('! '))).toEqual([]);
    // `--dry-run > audit.txt` keeps the audit and none of the progress: the steps are on stderr, each once.
    expect(r.stdout).not.toMatch(/[✔❯✖]/);
    expect(r.stdout).not.toMatch(/^.*Load the cluster spec/m);
    expect(r.stderr.split('\n').filter((l) => l.includes('Load the cluster spec'))).toHaveLength(1);
    expect(readJournal(journal).filter((e) => e.kind !== 'read' && !e.skipped)).toEqual([]);
    expect(s.journal().filter((e) => e.source === 'apiserver')).toEqual([]);
    expect(eksctlUpgrades(s)).toEqual([]);
    expect(sets(s)).toEqual([]);
    expect(r.evidence.outcome).toBe('dry-run');
  }));
});

describe.concurrent('cluster when something is wrong', { timeout: TEST_TIMEOUT_MS }, () => {
  it('an unready workload with fallback: management-only scope recorded, then the upgrade', isolated(async () => {
    const s = await sim('unready-workers-rolling-out');
    const r = await upgrade(s, NO_ETCD);
    expect(r.exitCode).toBe(0);
    expect(r.evidence.scope).toMatchObject({ kind: 'management-only', leftOut: [{ cluster: 'w02' }] });
    expect(eksctlUpgrades(s)).toHaveLength(1);
    // Said at the end, and the recheck does not call the tree "still ready".
    const code = r.evidence.scope.leftOut[0].reasons[0].code;
    expect(r.stdout.trim().split('\n').pop()).toMatch(new RegExp(`Backup kept: \\S+\\. w02 was not backed up: ${code}`));
    const recheck = r.stderr.split('\n').find((l) => l.includes('Check readiness again under the lock'));
    expect(recheck).toMatch(/mgmt, w01, w03 ready; left out of the backup: w02 not ready|mgmt ready; left out of the backup: w02 not ready/);
    expect(recheck).not.toMatch(/still ready/);
  }));

  it('-o json on a real (simulated) upgrade: stdout is the one JSON document, eksctl\'s output is on stderr', isolated(async () => {
    const s = await sim('healthy');
    const r = await upgrade(s, [...NO_ETCD, '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ outcome: 'upgraded', exitCode: 0 });
    expect(doc).toEqual(r.evidence);
    expect(eksctlUpgrades(s)).toHaveLength(1);
    expect(r.stderr).toMatch(/^\$ eksctl anywhere upgrade cluster/m);
  }));

  it('--on-unready=fail: no backup, no eksctl, the not-ready code', isolated(async () => {
    const s = await sim('unready-workers-rolling-out');
    const r = await upgrade(s, [...NO_ETCD, '--on-unready', 'fail']);
    expect(r.exitCode).toBe(4);
    expect(sets(s)).toEqual([]);
    expect(eksctlUpgrades(s)).toEqual([]);
    expect(lease(s)).toBeUndefined();
  }));

  it('eksctl fails: distinct code, the restore runbook\'s path and first steps printed, the backup kept', isolated(async () => {
    const s = await sim(scenarioExtending('healthy', { eksctl: { upgrade: { outcome: 'fail' } } }));
    const r = await upgrade(s, NO_ETCD);
    expect(r.exitCode).toBe(10);
    expect(r.stderr).toMatch(/Backup of this run: \S+mgmt-backup-/);
    // The path and the first steps (verify, which procedure), not the whole runbook (issue 17: it scrolled eksctl's last words away).
    expect(r.stderr).toMatch(/Restore runbook: \S+mgmt-backup-\S+\/RESTORE\.md/);
    expect(r.stderr).toMatch(/1\. check the backup: eksa-safe-upgrade verify \S+mgmt-backup-/);
    expect(r.stderr).toMatch(/\| `w01`'s objects are gone from the management cluster/);
    expect(r.stderr).not.toMatch(/move --namespace eksa-system --filter-cluster w01[\s\\]+--from-directory/);
    // Ours is kept and complete (eksctl leaves its own backup folder beside it on failure, as the real one does).
    expect(JSON.parse(readFileSync(path.join(r.evidence.backup.dir, 'manifest.json'), 'utf8')).state).toBe('complete');
    expect(lease(s)).toBeUndefined();
    expect(r.evidence.handoff.exitCode).not.toBe(0);
  }));

  it('eksctl exits 0 but the cluster never reports Ready: the not-confirmed code', isolated(async () => {
    const s = await sim(scenarioExtending('healthy', { eksctl: { upgrade: { outcome: 'exit-early-not-ready' } } }));
    const r = await upgrade(s, [...NO_ETCD, '--confirm-timeout', '4s']);
    expect(r.exitCode).toBe(11);
    expect(r.stderr).toMatch(/not confirmed/);
    // The wait is visible in CI: a line per change of state, not one per poll.
    const polls = r.stderr.split('\n').filter((l) => /mgmt: Ready \S+.*observed generation/.test(l) && l.includes('waited'));
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls.length).toBeLessThan(r.evidence.confirm.polls + 1);
    expect(r.stderr).toMatch(/eksa-safe-upgrade restore-plan \S+mgmt-backup-/);
    expect(r.stderr).not.toMatch(/## Which procedure|## Variables/);
    expect(r.evidence.confirm.confirmed).toBe(false);
  }));

  it('an eksctl flag eksctl would refuse stops the run after the read-only gate: no lock, no backup, no write', isolated(async () => {
    const s = await sim('healthy');
    const r = await upgrade(s, [...NO_ETCD, '--', '--kubeconfig', 'other.kubeconfig']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^Error: --kubeconfig after -- would make eksctl upgrade another spec or cluster/m);
    expect(s.journal().filter((e) => e.method !== undefined)).toEqual([]);
    expect(s.journal().filter((e) => e.source === 'clusterctl' || e.source === 'docker')).toEqual([]);
    expect(sets(s)).toEqual([]);
    expect(eksctlUpgrades(s)).toEqual([]);
  }));

  it('a lock deleted during the backup is found before the hand-off: locked, eksctl never runs, the backup is kept', isolated(async () => {
    const s = await sim('healthy');
    s.server.setFaults([{ latencyMs: 20 }]); // the move takes a few seconds: time for the delete to land
    const deleted = (async () => {
      for (let i = 0; i < 600 && !s.journal().some((e) => e.source === 'clusterctl'); i++) await new Promise((r) => setTimeout(r, 50));
      // Another operator's --force-unlock, while our clusterctl move runs.
      await execa('kubectl', ['--kubeconfig', s.kubeconfig, 'delete', 'lease', 'eksa-safe-upgrade', '-n', 'eksa-system'], { env: s.env });
    })();
    const r = await upgrade(s, NO_ETCD);
    await deleted;
    s.server.setFaults([]);
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/^Error: lost the upgrade lock: the upgrade lock was deleted/m);
    expect(eksctlUpgrades(s)).toEqual([]);
    expect(sets(s).filter((n) => !n.endsWith('.failed') && !n.endsWith('.partial'))).toHaveLength(1);
    expect(r.evidence.lock.lost).toMatch(/lost the upgrade lock/);
    expect(lease(s)).toBeUndefined();
  }));

  it('a second run while the lock is held: locked, naming the holder', isolated(async () => {
    const s = await sim('healthy');
    const now = new Date().toISOString().replace(/\.\d+Z$/, '.000000Z');
    const leaseFile = path.join(s.workdir, 'lease.json');
    writeFileSync(leaseFile, JSON.stringify({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name: 'eksa-safe-upgrade', namespace: 'eksa-system' },
      spec: { holderIdentity: 'ops@bastion pid 4242', acquireTime: now, renewTime: now, leaseDurationSeconds: 300 },
    }));
    await execa('kubectl', ['--kubeconfig', s.kubeconfig, 'create', '-f', leaseFile], { env: s.env });
    const r = await upgrade(s, NO_ETCD);
    expect(r.exitCode).toBe(6);
    expect(r.stderr).toMatch(/locked by ops@bastion pid 4242 since/);
    expect(r.stderr).toMatch(/--force-unlock/);
    expect(sets(s)).toEqual([]);
    expect(lease(s).spec.holderIdentity).toBe('ops@bastion pid 4242');
  }));

  it('SIGINT during the hand-off: eksctl stopped, lock released, interrupted code', isolated(async () => {
    const s = await sim(scenarioExtending('healthy', { eksctl: { upgrade: { outcome: 'hang' } } }));
    const marker = `esu-e2e-${Math.random().toString(36).slice(2)}`;
    const journal = path.join(s.workdir, 'ours.ndjson');
    const child = execa(process.execPath, [binPath, 'cluster', '-f', s.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD, ...FAST, '--journal', journal], {
      env: { ...s.env, CI: '1', NO_COLOR: '1', EKSA_RELIABILITY_RUN: marker }, cwd: s.workdir, reject: false,
    });
    for (let i = 0; i < 600 && eksctlUpgrades(s).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(eksctlUpgrades(s)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    const r = await child;
    assertNoSimSecret({ stdout: String(r.stdout), stderr: String(r.stderr) }, ['cluster']);
    expect(r.exitCode).toBe(130);
    expect(lease(s)).toBeUndefined();
    expect(String(r.stderr)).toMatch(/interrupted/);
    // eksctl stopped: the hand-off got our SIGINT and ended (journaled with its exit), and no eksctl (nor any
    // other child of the run) is alive afterwards. The hanging fake would otherwise run on for ever.
    const handoff = readJournal(journal).filter((e) => e.kind === 'handoff');
    expect(handoff).toHaveLength(1);
    expect(handoff[0]!.forwardedSignals).toContain('SIGINT');
    expect(handoff[0]!.exitCode).not.toBe(0);
    expect(await orphansAfter(marker, s.workdir)).toEqual([]);
    // The state, the set and restore-plan; not the runbook.
    expect(String(r.stderr)).toMatch(/Interrupted during eksctl \(it exited \d+\)/);
    expect(String(r.stderr)).toMatch(/eksa-safe-upgrade restore-plan \S+mgmt-backup-/);
    expect(String(r.stderr)).not.toMatch(/## Which procedure|## Variables/);
  }));

  it('SIGTERM during the backup: child stopped, pause state restored, no complete set, lock released', isolated(async () => {
    const s = await sim('healthy');
    s.server.setFaults([{ latencyMs: 150 }]);
    const marker = `esu-e2e-${Math.random().toString(36).slice(2)}`;
    const journal = path.join(s.workdir, 'ours.ndjson');
    const child = execa(process.execPath, [binPath, 'cluster', '-f', s.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD, ...FAST, '--journal', journal], {
      env: { ...s.env, CI: '1', NO_COLOR: '1', EKSA_RELIABILITY_RUN: marker }, cwd: s.workdir, reject: false,
    });
    for (let i = 0; i < 600 && !s.journal().some((e) => e.source === 'clusterctl'); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGTERM');
    const r = await child;
    assertNoSimSecret({ stdout: String(r.stdout), stderr: String(r.stderr) }, ['cluster']);
    s.server.setFaults([]);
    expect(r.exitCode).toBe(130);
    expect(sets(s).every((n) => n.endsWith('.failed'))).toBe(true);
    for (const c of objects(s).filter((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('cluster.x-k8s.io'))) expect(c.spec?.paused).toBeUndefined();
    expect(lease(s)).toBeUndefined();
    expect(eksctlUpgrades(s)).toEqual([]);
    // The child stopped: clusterctl's move is journaled as ended by the signal (not finished), and no child
    // of the run outlives it.
    const moves = readJournal(journal).filter((e) => /back up the Cluster API objects/.test(String(e.why)));
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.at(-1)!.exitCode).not.toBe(0);
    expect(await orphansAfter(marker, s.workdir)).toEqual([]);
  }));
});

describe.concurrent('cluster for a workload cluster spec', { timeout: TEST_TIMEOUT_MS }, () => {
  it('gates it and its management cluster, backs up that cluster alone, hands eksctl the management kubeconfig', isolated(async () => {
    const s = await sim('healthy');
    const spec = path.join(s.workdir, 'w01', 'w01-upgrade.yaml');
    writeFileSync(spec, readFileSync(s.specFile('w01'), 'utf8').replace(/eksaVersion: v0\.23\.0/, 'eksaVersion: v0.22.0'));
    // The management cluster is still at v0.22.0: the fake eksctl, like the real one, refuses a newer CLI here.
    s.env.EKSA_SIM_EKSCTL_VERSION = 'v0.22.0';
    const r = await upgrade(s, NO_ETCD, spec);
    expect(r.exitCode).toBe(0);
    expect(r.evidence.verdicts.map((v: any) => v.name)).toEqual(['mgmt', 'w01', 'w02', 'w03']);
    expect(r.evidence.scope).toMatchObject({ kind: 'workload', clusters: ['w01'] });
    expect(sets(s)[0]).toMatch(/^w01-backup-/);
    expect(eksctlUpgrades(s)[0]!.argv).toEqual(['eksctl', 'anywhere', 'upgrade', 'cluster', '-f', spec, '--kubeconfig', s.kubeconfig]);
  }));
});

describe.concurrent('cluster --max-backup-age', { timeout: TEST_TIMEOUT_MS }, () => {
  it('reuses a complete, verified set younger than the limit, and refuses an older one', isolated(async () => {
    const s = await sim('healthy');
    const taken = await runBin(['backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD], { env: s.env, cwd: s.workdir });
    expect(taken.exitCode).toBe(0);
    const [first] = sets(s);
    const reused = await upgrade(s, [...NO_ETCD, '--max-backup-age', '1h', '--dry-run']);
    expect(reused.exitCode).toBe(0);
    expect(reused.evidence.backup).toMatchObject({ dir: path.join(s.workdir, 'mgmt', first!), reused: true, state: 'complete' });
    expect(sets(s)).toEqual([first]);

    await new Promise((r) => setTimeout(r, 2100));
    const refused = await upgrade(s, [...NO_ETCD, '--max-backup-age', '1s']);
    expect(refused.exitCode).toBe(0);
    expect(refused.evidence.backup.reused).toBeUndefined();
    expect(refused.evidence.backup.dir).not.toBe(path.join(s.workdir, 'mgmt', first!));
  }));
});

describe.concurrent('cluster on an unready management cluster', { timeout: TEST_TIMEOUT_MS }, () => {
  it('exits 4 before any write: no Lease created, nothing backed up, eksctl never asked to upgrade', isolated(async () => {
    const s = await sim('unready-management');
    const r = await upgrade(s, NO_ETCD);
    expect(r.exitCode).toBe(4);
    expect(s.journal().filter((e) => e.source === 'apiserver')).toEqual([]);
    expect(lease(s)).toBeUndefined();
    expect(sets(s)).toEqual([]);
    expect(eksctlUpgrades(s)).toEqual([]);
  }));
});

describe.concurrent('a reviewed plan: --dry-run --plan-out, then --plan', { timeout: TEST_TIMEOUT_MS }, () => {
  it('applies the reviewed plan unchanged on an unchanged tree, and records it', isolated(async () => {
    const s = await sim('healthy');
    const planFile = path.join(s.workdir, 'reviewed.json');
    const planned = await upgrade(s, [...NO_ETCD, '--dry-run', '--plan-out', planFile]);
    expect(planned.exitCode).toBe(0);
    const plan = JSON.parse(readFileSync(planFile, 'utf8'));
    expect(plan).toMatchObject({ schemaVersion: 1, command: 'cluster', cluster: { name: 'mgmt' } });
    expect(plan.actions.map((a: any) => a.op)).toEqual(['acquire-lock', 'backup', 'recheck', 'renew-lock', 'handoff', 'confirm']);
    expect(plan.fingerprint.objects.length).toBeGreaterThan(10);
    expect(planned.evidence.runPlan).toMatchObject({ appliedFrom: null });

    const applied = await upgrade(s, [...NO_ETCD, '--plan', planFile]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(applied.evidence.runPlan).toMatchObject({ appliedFrom: planFile, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(applied.evidence.runPlan.fingerprintSha256).toBe(planned.evidence.runPlan.fingerprintSha256);
    expect(eksctlUpgrades(s)).toHaveLength(1);
    expect(eksctlUpgrades(s)[0]!.argv).toEqual(plan.actions.find((a: any) => a.op === 'handoff').command.argv);
    // The set is named by when the plan was applied, and it is complete.
    const [set] = sets(s);
    expect(JSON.parse(readFileSync(path.join(s.workdir, 'mgmt', set!, 'manifest.json'), 'utf8')).state).toBe('complete');
    expect(lease(s)).toBeUndefined();
  }));

  it('refuses a plan whose tree changed (kubectl annotate a Machine): exit 12, naming the change, nothing written', isolated(async () => {
    const s = await sim('healthy');
    const planFile = path.join(s.workdir, 'reviewed.json');
    expect((await upgrade(s, [...NO_ETCD, '--dry-run', '--plan-out', planFile])).exitCode).toBe(0);
    const machine = objects(s).find((o) => o.kind === 'Machine' && o.metadata.name.startsWith('w01'));
    const annotate = await execa('kubectl', ['--kubeconfig', s.kubeconfig, 'annotate', 'machines.cluster.x-k8s.io', machine.metadata.name, '-n', machine.metadata.namespace, 'audit/touched=yes'], { env: s.env, reject: false });
    expect(annotate.exitCode, annotate.stderr).toBe(0);
    const writesBefore = s.journal().filter((e) => e.source === 'apiserver').length;
    const r = await upgrade(s, [...NO_ETCD, '--plan', planFile]);
    expect(r.exitCode).toBe(12);
    expect(r.stderr).toMatch(new RegExp(`^Error: plan is stale: Machine\\.cluster\\.x-k8s\\.io eksa-system/${machine.metadata.name} changed \\(resourceVersion \\d+ → \\d+\\)`, 'm'));
    expect(r.evidence.outcome).toBe('plan-stale');
    expect(s.journal().filter((e) => e.source === 'apiserver')).toHaveLength(writesBefore);
    expect(lease(s)).toBeUndefined();
    expect(sets(s)).toEqual([]);
    expect(eksctlUpgrades(s)).toEqual([]);
  }));

  it('refuses a plan made with other flags, and a file that is not a plan', isolated(async () => {
    const s = await sim('healthy');
    const planFile = path.join(s.workdir, 'reviewed.json');
    expect((await upgrade(s, [...NO_ETCD, '--dry-run', '--plan-out', planFile])).exitCode).toBe(0);
    const other = await upgrade(s, [...NO_ETCD, '--plan', planFile, '--lock-ttl', '9m']);
    expect(other.exitCode).toBe(12);
    expect(other.stderr).toMatch(/^Error: plan is stale: flag leaseSeconds is 540, the plan was made with 300/m);
    writeFileSync(planFile, '{"schemaVersion": 1, "command": "cluster"}');
    const bad = await upgrade(s, [...NO_ETCD, '--plan', planFile]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/is not a plan this tool can apply/);
    expect(s.journal().filter((e) => e.source === 'apiserver')).toEqual([]);
  }));
});

describe.concurrent('--skip-etcd-backup --reason in the report (issue 15, finding 19)', { timeout: TEST_TIMEOUT_MS }, () => {
  it('is recorded in the evidence, also when the reason comes from EKSA_SAFE_UPGRADE_REASON', isolated(async () => {
    const s = await sim('healthy');
    const reason = 'etcd backed up by the platform team at 09:00 (ticket OPS-42)';
    const report = path.join(s.workdir, 'report-env.json');
    const r = await runBin(['cluster', '-f', s.specFile(), '--cli-tools-image', IMAGE, '--report', report, ...FAST, '--confirm-timeout', '60s', '--skip-etcd-backup'], {
      env: { ...s.env, EKSA_SAFE_UPGRADE_REASON: reason },
      cwd: s.workdir,
      timeoutMs: 120_000,
    });
    expect(r.exitCode).toBe(0);
    const evidence = JSON.parse(readFileSync(report, 'utf8'));
    expect(validateEvidence(evidence).ok).toBe(true);
    expect(evidence.inputs.etcdSkipped).toEqual({ reason });
    expect(evidence.inputs.flags).not.toContain(reason);
  }));

  it('is recorded from the flag too, and absent when etcd was backed up', isolated(async () => {
    const s = await sim('healthy');
    const r = await upgrade(s, NO_ETCD);
    expect(r.evidence.inputs.etcdSkipped).toEqual({ reason: NO_ETCD[2] });
  }));
});
