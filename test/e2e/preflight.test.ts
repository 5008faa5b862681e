import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal, runBin } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { slots } from '../helpers/slots.js';

const REASONS = [
  'eksa-not-ready',
  'failure-message',
  'generation-behind',
  'paused',
  'capi-cluster-missing',
  'capi-not-provisioned',
  'control-plane-not-ready',
  'etcd-not-ready',
  'workers-rolling-out',
  'machine-failed',
] as const;

async function preflight(sim: Sim, args: string[] = [], env: Record<string, string> = {}) {
  return runBin(['preflight', '-f', sim.specFile(), ...args], { env: { ...sim.env, ...env }, cwd: sim.workdir });
}

describe('preflight on the healthy fleet', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ scenario: 'healthy' });
  });
  afterAll(async () => sim.close());

  it('passes with every cluster ready and the whole tree in scope', async () => {
    const r = await preflight(sim);
    // Progress is on stderr (issue 17): no error there, and nothing but the report on stdout.
    expect(r.stderr).not.toMatch(/Error|✖/);
    expect(r.exitCode).toBe(0);
    for (const name of ['mgmt', 'w01', 'w02', 'w03']) expect(r.stdout).toMatch(new RegExp(`^${name}\\s+\\S+\\s+1\\.31\\s+v0\\.22\\.0\\s+yes\\s+-$`, 'm'));
    expect(r.stdout).toContain('Backup scope: whole tree');
    expect(r.stdout).toContain('Preflight passed');
  });

  it('prints one JSON document with -o json and changes nothing', async () => {
    const before = sim.journal().filter((e) => e.source === 'apiserver').length;
    const r = await preflight(sim, ['-o', 'json']);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ command: 'preflight', outcome: 'ready', exitCode: 0, spec: { cluster: 'mgmt', role: 'management' }, scope: { kind: 'whole-tree' } });
    expect(report.clusters.map((c: any) => c.name)).toEqual(['mgmt', 'w01', 'w02', 'w03']);
    expect(report.tools.eksctl).toBe('v0.23.0');
    expect(sim.journal().filter((e) => e.source === 'apiserver').length).toBe(before);
  });

  it('takes flags from EKSA_SAFE_UPGRADE_* environment variables', async () => {
    // A variable meant for another command (ssh-key belongs to backup) must not be an unknown argument here.
    const r = await preflight(sim, [], { EKSA_SAFE_UPGRADE_OUTPUT: 'json', EKSA_SAFE_UPGRADE_SSH_KEY: '/nowhere' });
    expect(JSON.parse(r.stdout).outcome).toBe('ready');
  });

  it('gates a workload cluster spec on that cluster and its management cluster', async () => {
    // The workload stays at the management cluster's EKS-A version: a workload may never be ahead of it. The
    // target is eksctl's own version (EKS-A replaces the spec's), so this takes an eksctl of that version.
    const file = path.join(sim.workdir, 'w01', 'same-eksa.yaml');
    writeFileSync(file, readFileSync(sim.specFile('w01'), 'utf8').replace(/eksaVersion: v0\.23\.0/, 'eksaVersion: v0.22.0'));
    const r = await runBin(['preflight', '-f', file, '-o', 'json'], { env: { ...sim.env, EKSA_SIM_EKSCTL_VERSION: 'v0.22.0' }, cwd: sim.workdir });
    // One control-plane node: eksctl warns (validateControlPlaneReplicas) and goes on; so does preflight.
    expect(r.stderr).toBe('warning: the recommended number of control plane nodes is 3 or 5 (eksctl warns the same and goes on)');
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.spec).toMatchObject({ cluster: 'w01', role: 'workload', managementCluster: 'mgmt' });
    expect(report.clusters.map((c: any) => c.name)).toEqual(['mgmt', 'w01']);
    expect(report.scope.kind).toBe('workload');
  });

  it('prints every command it runs at -v 1, on stderr', async () => {
    const r = await preflight(sim, ['-v', '1', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^\$ kubectl --kubeconfig \S+ --request-timeout=30s get clusters\.v1alpha1\.anywhere\.eks\.amazonaws\.com,/m);
    expect(r.stderr).toMatch(/^\$ eksctl anywhere version$/m);
  });

  describe('version skew', () => {
    const withSpec = (mutate: (text: string) => string) => {
      const file = path.join(sim.workdir, 'mgmt', `skew-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, mutate(readFileSync(sim.specFile(), 'utf8')));
      return file;
    };
    // The target EKS-A version is eksctl's own (EKS-A replaces spec.eksaVersion with it: FileSpecBuilder.Build),
    // so an EKS-A step is set by the eksctl that runs (EKSA_SIM_EKSCTL_VERSION), the spec's value following it.
    it.each([
      ['two Kubernetes minors at once', (t: string) => t.replace('kubernetesVersion: "1.32"', 'kubernetesVersion: "1.33"'), 'kubernetes-minor-step', undefined],
      ['a Kubernetes downgrade', (t: string) => t.replace('kubernetesVersion: "1.32"', 'kubernetesVersion: "1.30"'), 'kubernetes-downgrade', undefined],
      ['two EKS-A minors at once', (t: string) => t.replace(/eksaVersion: v0\.23\.0/, 'eksaVersion: v0.24.0'), 'eksa-minor-step', 'v0.24.0'],
      ['an EKS-A downgrade', (t: string) => t.replace(/eksaVersion: v0\.23\.0/, 'eksaVersion: v0.21.0'), 'eksa-downgrade', 'v0.21.0'],
    ])('refuses %s with the skew exit code', async (_what, mutate, rule, eksctl) => {
      const file = withSpec(mutate);
      expect(readFileSync(file, 'utf8')).not.toBe(readFileSync(sim.specFile(), 'utf8'));
      const env = eksctl === undefined ? sim.env : { ...sim.env, EKSA_SIM_EKSCTL_VERSION: eksctl };
      const r = await runBin(['preflight', '-f', file, '-o', 'json'], { env, cwd: sim.workdir });
      expect(r.exitCode).toBe(5);
      const report = JSON.parse(r.stdout);
      expect(report.outcome).toBe('skew');
      expect(report.skew.map((s: any) => s.rule)).toContain(rule);
    });

    it('refuses a workload cluster ahead of its management cluster', async () => {
      expect(readFileSync(sim.specFile('w01'), 'utf8')).toMatch(/eksaVersion: v0\.23\.0/);
      const r = await runBin(['preflight', '-f', sim.specFile('w01'), '-o', 'json'], { env: sim.env, cwd: sim.workdir });
      expect(r.exitCode).toBe(5);
      expect(JSON.parse(r.stdout).skew.map((s: any) => s.rule)).toContain('management-behind-workload');
    });
  });

  describe('bad input', () => {
    it.each([
      ['a missing spec file', ['preflight', '-f', 'nope.yaml'], 2, /cluster spec nope.yaml does not exist/],
      ['no -f at all', ['preflight'], 2, /pass -f with the EKS-A cluster spec/],
      ['an unknown flag', ['preflight', '-f', 'x.yaml', '--frobnicate'], 2, /Unknown argument: frobnicate/],
      ['an unknown command', ['upgrade-everything'], 2, /unknown command: upgrade-everything/],
      ['a bad --output', ['preflight', '-f', 'x.yaml', '-o', 'yaml'], 2, /Invalid values/],
    ])('%s → exit %s and one clear line', async (_what, args, code, message) => {
      const r = await runBin(args, { env: sim.env, cwd: sim.workdir });
      expect(r.exitCode).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });

    it.each([
      ['malformed YAML', 'apiVersion: v1\nkind: [\n', /is not valid YAML at line \d+, column \d+/],
      ['no Cluster document', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n', /has no EKS Anywhere Cluster document/],
      ['a hostile cluster name', null, /cluster name "mgmt;rm -rf \/" is not a valid name/],
    ])('%s → exit 2', async (_what, text, message) => {
      const file = path.join(sim.workdir, `bad-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, text ?? readFileSync(sim.specFile(), 'utf8').replace(/^  name: mgmt$/m, '  name: "mgmt;rm -rf /"'));
      const r = await runBin(['preflight', '-f', file], { env: sim.env, cwd: sim.workdir });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/hint: /);
    });

    it('a missing kubeconfig → exit 3 naming --kubeconfig', async () => {
      const r = await preflight(sim, ['--kubeconfig', path.join(sim.workdir, 'none.kubeconfig')]);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/kubeconfig of management cluster mgmt not found/);
      expect(r.stderr).toMatch(/hint: pass --kubeconfig/);
    });

    it('a missing eksctl → exit 3 naming the tool', async () => {
      const bin = path.dirname(process.execPath);
      const kubectlDir = '/usr/bin';
      const r = await preflight(sim, [], { PATH: [bin, kubectlDir].join(':') });
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/eksctl not found on PATH/);
    });

    it('shows the stack trace only with -v', async () => {
      const r = await runBin(['preflight', '-f', 'nope.yaml', '-v', '1'], { env: sim.env, cwd: sim.workdir });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^\s+at /m);
    });
  });
});

describe('spec warnings: eksctl warns and goes on, so do preflight and cluster', () => {
  // validateEtcdReplicas (pkg/api/v1alpha1/cluster.go): one external etcd member is valid, 3 or 5 recommended.
  const WARNING = 'warning: the recommended size of an external etcd cluster is 3 or 5 (eksctl warns the same and goes on)';
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ scenario: 'spec-etcd-count-one' });
  });
  afterAll(async () => sim.close());

  it('preflight: the warning on stderr, in the JSON report, and the spec accepted', async () => {
    const table = await preflight(sim);
    expect(table.exitCode, table.stderr).toBe(0);
    expect(table.stderr.split('\n')).toContain(WARNING);
    expect(table.stdout).not.toContain('warning:');
    const json = await preflight(sim, ['-o', 'json']);
    expect(json.exitCode).toBe(0);
    expect(json.stderr).toBe(WARNING);
    expect(JSON.parse(json.stdout).spec.warnings).toEqual(['the recommended size of an external etcd cluster is 3 or 5']);
  });

  it('cluster --dry-run: the warning on stderr before the plan, and in the evidence record', async () => {
    const report = path.join(sim.workdir, '.sim', 'warn-report.json');
    const r = await runBin(['cluster', '-f', sim.specFile(), '--dry-run', '--skip-etcd-backup', '--reason', 'warning test', '--report', report], { env: sim.env, cwd: sim.workdir });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l === WARNING)).toHaveLength(1);
    expect(JSON.parse(readFileSync(report, 'utf8')).inputs.specWarnings).toEqual(['the recommended size of an external etcd cluster is 3 or 5']);
  });
});

describe('a CAPI-only pause (rule 7: a deliberate difference from eksctl)', () => {
  it('names w02 paused by its CAPI Cluster alone and leaves it out of the backup', async () => {
    const sim = await startSim({ scenario: 'paused-capi-only' });
    try {
      const r = await preflight(sim, ['-o', 'json']);
      expect(r.exitCode, r.stderr).toBe(4);
      const report = JSON.parse(r.stdout);
      const w02 = report.clusters.find((c: any) => c.name === 'w02');
      expect(w02.paused).toEqual({ eksa: false, capi: true });
      expect(w02.reasons).toEqual([expect.objectContaining({ code: 'paused', message: expect.stringContaining('spec.paused=true') })]);
      expect(report.scope).toMatchObject({ kind: 'management-only', leftOut: [{ cluster: 'w02' }] });
    } finally {
      await sim.close();
    }
  });
});

// Each case is three runs of preflight in a world of its own, mostly waiting on child processes: two cases at a
// time overlap those waits (a case's time includes its wait for a slot).
const unreadySlot = slots(2);
describe.concurrent('preflight names every unready reason', () => {
  it.each(REASONS)('%s → named in table and JSON, exit 4', (reason) => unreadySlot(async () => {
    const sim = await startSim({ scenario: `unready-${reason}` });
    try {
      const table = await preflight(sim);
      expect(table.exitCode).toBe(4);
      // w02's row and its continuation lines: a state CAPI can produce may carry more than one reason
      // (a failed Machine also leaves its MachineDeployment short of ready replicas).
      const row = /^w02\s.*\sno\s.*(?:\n\s+\S.*)*/m.exec(table.stdout)?.[0] ?? '';
      expect(row).toMatch(new RegExp(`(?:\\sno\\s+|\\n\\s+)${reason}: `));
      expect(table.stdout).toMatch(/Backup scope: management only/);
      const json = await preflight(sim, ['-o', 'json']);
      expect(json.exitCode).toBe(4);
      const report = JSON.parse(json.stdout);
      const w02 = report.clusters.find((c: any) => c.name === 'w02');
      expect(w02.ready).toBe(false);
      expect(w02.reasons.map((r: any) => r.code)).toContain(reason);
      for (const other of report.clusters.filter((c: any) => c.name !== 'w02')) expect(other.ready).toBe(true);
      expect(report.scope).toMatchObject({ kind: 'management-only', leftOut: [{ cluster: 'w02' }] });
      const fail = await preflight(sim, ['-o', 'json', '--on-unready', 'fail']);
      expect(fail.exitCode).toBe(4);
      expect(JSON.parse(fail.stdout).scope.kind).toBe('stop');
    } finally {
      await sim.close();
    }
  }));

  it('an unready management cluster stops the scope', () => unreadySlot(async () => {
    const sim = await startSim({ scenario: 'unready-management' });
    try {
      const r = await preflight(sim, ['-o', 'json']);
      expect(r.exitCode).toBe(4);
      const report = JSON.parse(r.stdout);
      expect(report.clusters[0]).toMatchObject({ name: 'mgmt', ready: false });
      expect(report.scope.kind).toBe('stop');
    } finally {
      await sim.close();
    }
  }));

  it('reads the CAPI v1beta1 status shape too', () => unreadySlot(async () => {
    const sim = await startSim({ scenario: 'v1beta1-shape' });
    try {
      const r = await preflight(sim, ['-o', 'json']);
      expect(JSON.parse(r.stdout).clusters.filter((c: any) => !c.ready)).toEqual([]);
      expect(r.exitCode).toBe(0);
    } finally {
      await sim.close();
    }
  }));
});

describe('preflight when the API misbehaves', () => {
  it('an unreachable API server → exit 3, one line', async () => {
    const sim = await startSim({ scenario: 'healthy' });
    await sim.server.close();
    try {
      const r = await preflight(sim, ['--request-timeout', '5s']);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/the Kubernetes API did not answer/);
    } finally {
      await sim.close().catch(() => undefined);
    }
  });

  it('a 5xx on a resource → exit 3 with the server message', async () => {
    const sim = await startSim({ scenario: 'healthy', faults: [{ resource: 'machines', status: 500, message: 'etcdserver: leader changed' }] });
    try {
      const r = await preflight(sim);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/etcdserver: leader changed/);
    } finally {
      await sim.close();
    }
  });

  it('a hanging resource → exit 3 after --request-timeout, not a hang', async () => {
    const sim = await startSim({ scenario: 'healthy', faults: [{ resource: 'kubeadmcontrolplanes', hang: true }] });
    try {
      const started = Date.now();
      const r = await preflight(sim, ['--request-timeout', '2s']);
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/did not answer/);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await sim.close();
    }
  });
});

describe('preflight at fleet scale', () => {
  it('reads 500 workload clusters with at most 3 kubectl calls', async () => {
    const sim = await startSim({ scenario: 'healthy', workloads: 500 });
    try {
      const journal = path.join(sim.workdir, 'journal.ndjson');
      const r = await preflight(sim, ['-o', 'json', '--journal', journal]);
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout).clusters).toHaveLength(504);
      const kubectlCalls = readJournal(journal).filter((e) => e.argv[0] === 'kubectl');
      expect(kubectlCalls.length).toBeGreaterThan(0);
      expect(kubectlCalls.length).toBeLessThanOrEqual(3);
    } finally {
      await sim.close();
    }
  }, 120_000);
});
