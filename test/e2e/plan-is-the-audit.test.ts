// The dry run is the audit only if it stops where the real run stops. For every bundled scenario and for
// every input that can be known before the first write, the dry run and the real run end with the same exit
// code and the same first error line, and a real run that stops there has written nothing: not in our own
// journal, not in the simulated API server, not through clusterctl, docker or eksctl.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LEASE_ANNOTATIONS, LEASE_NAME, LEASE_NAMESPACE, microTime } from '../../src/lock/lease.js';
import { readJournal, repoRoot, runBin } from '../helpers/run-bin.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { scenarioExit } from '../helpers/scenario-exit.js';
import { slots } from '../helpers/slots.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const NO_ETCD = ['--skip-etcd-backup', '--reason', 'plan audit table: etcd has its own tests'];
const FAST = ['--confirm-interval', '1s', '--confirm-timeout', '60s', '--cli-tools-image', IMAGE];

interface Case {
  readonly name: string;
  /** A bundled scenario name, or a function making a scenario file. */
  readonly scenario: string | (() => string);
  readonly command?: 'cluster' | 'management-components' | 'backup';
  /** Our arguments after `-f SPEC`; `{dir}` is the sim's working directory. */
  readonly args: readonly string[];
  /** Words after `--`, handed to eksctl. */
  readonly extra?: readonly string[];
  /** The spec file, relative to the workdir (default: the management cluster's). */
  readonly spec?: string;
  /** Run before both runs (a rival's lease, a changed tree…); returns extra args. */
  readonly prepare?: (sim: Sim, dir: string) => Promise<string[]> | string[];
  /** The exit the real run must end with. */
  readonly exit: number;
  /** A real run with this exit wrote nothing (true for every exit but a successful upgrade). */
  readonly writes?: boolean;
}

const bundled = readdirSync(path.join(repoRoot, 'sim', 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

function seedRivalLease(sim: Sim): void {
  const renewed = Date.now() - 5_000;
  sim.server.store.create('leases', LEASE_NAMESPACE, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: LEASE_NAME, namespace: LEASE_NAMESPACE, annotations: { [LEASE_ANNOTATIONS.cluster]: 'mgmt' } },
    spec: { holderIdentity: 'bob@host-b pid 2', leaseDurationSeconds: 300, acquireTime: microTime(renewed), renewTime: microTime(renewed) },
  });
}

const cases: Case[] = [
  ...bundled.map((scenario): Case => ({ name: `scenario ${scenario}`, scenario, args: NO_ETCD, exit: scenarioExit(scenario) })),
  { name: 'the SSH key does not exist', scenario: 'healthy', args: ['--ssh-key', '/does-not-exist'], exit: 2 },
  { name: 'the tree has no eks-a-id_rsa (the default key)', scenario: 'healthy', args: [], exit: 2 },
  { name: '--ssh-known-hosts names no file', scenario: 'healthy', args: ['--ssh-key', '{dir}/mgmt/mgmt-eks-a-cluster.kubeconfig', '--ssh-known-hosts', '/does-not-exist'], exit: 2 },
  { name: 'a reserved --ssh-option', scenario: 'healthy', args: ['--ssh-option', 'StrictHostKeyChecking=no'], exit: 2 },
  { name: 'a malformed --ssh-option', scenario: 'healthy', args: ['--ssh-option', 'not an option'], exit: 2 },
  { name: 'an unknown placeholder in --etcd-endpoint', scenario: 'healthy', args: ['--etcd-endpoint', 'https://{nope}:2379'], exit: 2 },
  { name: 'an unknown --skip-validations value', scenario: 'healthy', args: [...NO_ETCD, '--skip-validations', 'no-such-validation'], exit: 2 },
  { name: 'our --dry-run after --', scenario: 'healthy', args: NO_ETCD, extra: ['--dry-run'], exit: 2 },
  { name: 'our --report after --', scenario: 'healthy', args: NO_ETCD, extra: ['--report=x.json'], exit: 2 },
  { name: 'scope stop (--on-unready fail)', scenario: 'unready-workers-rolling-out', args: [...NO_ETCD, '--on-unready', 'fail'], exit: 4 },
  { name: 'scope stop for management-components', scenario: 'unready-management', command: 'management-components', args: NO_ETCD, exit: 4 },
  { name: 'scope stop for backup', scenario: 'unready-control-plane-not-ready', command: 'backup', args: [...NO_ETCD, '--on-unready', 'fail'], exit: 4 },
  { name: 'skew: two Kubernetes minors at once', scenario: () => scenarioExtending('healthy', { upgradeTo: { kubernetesVersion: '1.33' } }), args: NO_ETCD, exit: 5 },
  { name: 'the lock is held by another run', scenario: 'healthy', args: NO_ETCD, prepare: (sim) => (seedRivalLease(sim), []), exit: 6 },
  { name: 'nothing to upgrade', scenario: () => scenarioExtending('healthy', { upgradeTo: { kubernetesVersion: '1.31', eksaVersion: 'v0.22.0' } }), args: NO_ETCD, exit: 0, writes: false },
  { name: 'the --report folder does not exist', scenario: 'healthy', args: [...NO_ETCD, '--report', '{dir}/no/such/folder/report.json'], exit: 2 },
  { name: 'the kubeconfig does not exist', scenario: 'healthy', args: [...NO_ETCD, '--kubeconfig', '{dir}/nope.kubeconfig'], exit: 3 },
  { name: 'the spec file does not exist', scenario: 'healthy', args: NO_ETCD, spec: 'nope/nope-eks-a-cluster.yaml', exit: 2 },
  { name: 'a backup whose SSH key does not exist', scenario: 'healthy', command: 'backup', args: ['--ssh-key', '/does-not-exist'], exit: 2 },
  { name: '--drill with no etcd tooling (--etcd-binary names an empty place)', scenario: 'healthy', args: ['--drill', '--etcd-binary', '{dir}/no-etcd-here'], exit: 3 },
  { name: 'a backup with --drill and no etcd tooling', scenario: 'healthy', command: 'backup', args: ['--drill', '--etcd-binary', '{dir}/no-etcd-here'], exit: 3 },
  { name: '--drill with --skip-etcd-backup (nothing to drill)', scenario: 'healthy', args: [...NO_ETCD, '--drill'], exit: 2 },
  {
    name: 'a stale plan (a Machine annotated after planning)',
    scenario: 'healthy',
    args: NO_ETCD,
    prepare: async (sim, dir) => {
      const plan = path.join(dir, 'reviewed-plan.json');
      const made = await runBin(['cluster', '-f', sim.specFile(), ...FAST, ...NO_ETCD, '--dry-run', '--plan-out', plan], { env: sim.env, cwd: dir });
      expect(made.exitCode, made.stderr).toBe(0);
      const machine = (sim.server.store as any).all().find((o: any) => o.kind === 'Machine');
      sim.server.store.update('machines', machine.metadata.namespace, machine.metadata.name, { ...machine, metadata: { ...machine.metadata, resourceVersion: undefined, annotations: { ...machine.metadata.annotations, 'audit/touched': 'yes' } } });
      return ['--plan', plan];
    },
    exit: 12,
  },
];

/** The run's `Error:` line; durations counted in seconds (a lease's age) differ between two runs by design. */
const firstErrorLine = (stderr: string) => (stderr.split('\n').find((l) => l.startsWith('Error: ')) ?? '').replace(/\b\d+s\b/g, 'Ns');

// Each case is two runs of the CLI in a world of its own: chains of short child processes (kubectl, the fake
// eksctl, clusterctl and docker) and the confirmation's polls, mostly waiting. Two cases at a time overlap those
// waits; a case's time includes its wait for a slot, hence the longer test timeout (each run keeps its own 120s).
const slot = slots(2);
const CASE_TIMEOUT_MS = 300_000;

describe.concurrent('the dry run stops where the real run stops, and the real run has written nothing there', () => {
  it('covers every bundled scenario and at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.name.startsWith('scenario ')).length).toBe(bundled.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', { timeout: CASE_TIMEOUT_MS }, (_name, c) => slot(() => auditCase(c)));
});

async function auditCase(c: Case): Promise<void> {
  const sim = await startSim({ scenario: typeof c.scenario === 'string' ? c.scenario : c.scenario() });
  try {
    const dir = sim.workdir;
    const extraArgs = (await c.prepare?.(sim, dir)) ?? [];
    const spec = c.spec ? path.join(dir, c.spec) : sim.specFile();
    const args = [c.command ?? 'cluster', '-f', spec, ...(c.command === 'backup' ? ['--cli-tools-image', IMAGE] : FAST), ...c.args.map((a) => a.replace('{dir}', dir)), ...extraArgs];
    const withExtra = (more: string[]) => [...args, ...more, ...(c.extra ? ['--', ...c.extra] : [])];
    const apiWritesBefore = sim.journal().filter((e) => e.source === 'apiserver').length;

    const dryJournal = path.join(dir, '.sim', 'dry.ndjson');
    const dry = await runBin(withExtra(['--dry-run', '--journal', dryJournal]), { env: sim.env, cwd: dir, timeoutMs: 120_000 });
    expect(sim.journal().filter((e) => e.source === 'apiserver').length, 'the dry run wrote to the API').toBe(apiWritesBefore);

    const realJournal = path.join(dir, '.sim', 'real.ndjson');
    writeFileSync(realJournal, '');
    const real = await runBin(withExtra(['--journal', realJournal]), { env: sim.env, cwd: dir, timeoutMs: 120_000 });
    expect(real.exitCode, real.stderr).toBe(c.exit);

    if (c.exit !== 0 || c.writes === false) {
      // Stopped before its first write: the audit said the same, and nothing was written anywhere.
      expect(dry.exitCode, dry.stderr).toBe(real.exitCode);
      expect(firstErrorLine(dry.stderr)).toBe(firstErrorLine(real.stderr));
      const ours = readFileSync(realJournal, 'utf8').trim() === '' ? [] : readJournal(realJournal);
      expect(ours.filter((e) => e.kind !== 'read')).toEqual([]);
      const toolWrites = sim.journal().filter((e) => e.source === 'apiserver' || e.source === 'clusterctl' || e.source === 'docker' || (e.source === 'eksctl' && e.argv.includes('upgrade') && !e.argv.includes('plan')));
      expect(toolWrites).toEqual([]);
      expect(readdirSync(path.join(dir, 'mgmt')).filter((n) => n.includes('-backup-'))).toEqual([]);
    } else {
      // The upgrade ran: the audit had shown it, hand-off included.
      expect(dry.exitCode, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/^! (eksctl anywhere upgrade|docker run)/m);
    }
  } finally {
    await sim.close();
  }
}
