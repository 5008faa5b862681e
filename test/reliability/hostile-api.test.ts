// Hostile input from the API: a compromised or broken API server answers with cluster names, namespaces,
// object names, machine addresses and SSH users no sound one returns. Each is refused before it reaches a
// path, a command, the runbook or the terminal: checked per value through the parsing cores, and end to end
// through the built CLI against the simulator (the values put straight into its store).
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SafeUpgradeError, UsageError } from '../../src/errors.js';
import { selectEksaObjects } from '../../src/backup/eksa-export.js';
import { expectedEksaObjects } from '../../src/backup/object-graph.js';
import { planEtcdSnapshot } from '../../src/etcd/snapshot-plan.js';
import { assembleInventory } from '../../src/kube/inventory.js';
import type { KubeObject } from '../../src/kube/types.js';
import { loadScenario } from '../../sim/index.js';
import { readJournal } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { IMAGE, NO_ETCD, backupSets, expectNoSecrets, pauseState, runOutputs, simSecrets, smallScenario, startCli } from './helpers.js';
import { HOSTILE_VALUES, canary, triedHostile, withCanary, type Canary } from './hostile.js';

const EKSA_CLUSTERS = 'clusters.anywhere.eks.amazonaws.com';
const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
/** The small world's objects, as one `kubectl get -A -o json` lists them: what the parsing cores are given. */
const SMALL = loadScenario(smallScenario()).objects as unknown as KubeObject[];
const objects = (): KubeObject[] => clone(SMALL);
const find = (all: KubeObject[], kind: string, name: string) => all.find((o) => o.kind === kind && o.metadata.name === name && (kind !== 'Cluster' || o.apiVersion.startsWith('anywhere')))!;

let sims: Sim[] = [];
let canaries: Canary[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  for (const c of canaries) c.remove();
  sims = [];
  canaries = [];
});
const track = (c: Canary): Canary => (canaries.push(c), c);
async function world(): Promise<{ sim: Sim; c: Canary }> {
  const sim = await startSim({ scenario: smallScenario() });
  sims.push(sim);
  return { sim, c: track(canary()) };
}

/** A workload EKS-A Cluster like w01, under another name or namespace. */
function workloadLike(w01: KubeObject, name: string, namespace = 'default'): KubeObject {
  return { ...clone(w01), metadata: { ...clone(w01.metadata), name, namespace, uid: `${w01.metadata.uid ?? 'w01'}-${Math.random()}` } as KubeObject['metadata'] };
}
function workloadNamed(sim: Sim, name: string): void {
  const w01 = sim.server.store.get(EKSA_CLUSTERS, 'default', 'w01')! as unknown as KubeObject;
  sim.server.store.load([workloadLike(w01, name) as never], { adopt: true });
}

/** The tool's run, and what it must never have done whatever the value. */
async function runAgainst(sim: Sim, c: Canary, args: readonly string[]) {
  const journal = path.join(sim.workdir, `journal-${Math.random().toString(36).slice(2)}.ndjson`);
  const before = pauseState(sim);
  const r = await startCli([...args, '--journal', journal], { env: sim.env, cwd: sim.workdir, timeoutMs: 90_000 }).done;
  c.expectUntouched();
  expect(r.stdout + r.stderr, 'no raw control characters reach the terminal').not.toMatch(/[\0\u001b]/);
  expect(pauseState(sim)).toEqual(before);
  expectNoSecrets(runOutputs(r, { journal }), simSecrets(sim));
  const last = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('  hint:')).at(-1) ?? '';
  return { r, last, journal: readJournal(journal) };
}

describe('cluster names and namespaces from the API', () => {
  it.each(HOSTILE_VALUES)('hostile API: workload cluster name with %s', (_label, value) => {
    const c = track(canary());
    const all = objects();
    all.push(workloadLike(find(all, 'Cluster', 'w01'), withCanary(value, c)));
    const error = catching(() => assembleInventory(all, 'mgmt', 1));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/returned an EKS-A cluster named .* is not a valid Kubernetes object name/);
    expect(error.message).not.toMatch(/[\0\n\u001b]/);
    c.expectUntouched();
    triedHostile('api', 'in-process', value);
  });

  it.each(HOSTILE_VALUES)('hostile API: workload cluster namespace with %s', (_label, value) => {
    const c = track(canary());
    const all = objects();
    all.push(workloadLike(find(all, 'Cluster', 'w01'), 'w99', withCanary(value, c)));
    const error = catching(() => assembleInventory(all, 'mgmt', 1));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/returned EKS-A cluster w99 in namespace .* is not a valid name/);
    c.expectUntouched();
    triedHostile('api', 'in-process', value);
  });

  it('hostile API: every hostile cluster name at once, end to end: refused before any write', async () => {
    const { sim, c } = await world();
    for (const [, value] of HOSTILE_VALUES) workloadNamed(sim, withCanary(value, c));
    const { r, last, journal } = await runAgainst(sim, c, ['cluster', '-f', sim.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(last).toMatch(/^Error: the management cluster returned an EKS-A cluster named /);
    expect(journal.length).toBeGreaterThan(0);
    expect(journal.every((e) => e.kind === 'read'), 'only reads ran').toBe(true);
    expect(sim.journal().filter((e) => e.source === 'apiserver'), 'nothing was written to the API').toEqual([]);
    expect(backupSets(path.join(sim.workdir, 'mgmt'))).toEqual([]);
    for (const [, value] of HOSTILE_VALUES) triedHostile('api', 'cli', value);
  });
});

describe('EKS-A object names from the API become file names of the backup set', () => {
  it.each(HOSTILE_VALUES)('hostile API: machine config name with %s', (_label, value) => {
    const c = track(canary());
    const name = withCanary(value, c);
    const all = objects();
    const mgmt = find(all, 'Cluster', 'mgmt');
    const config = find(all, 'VSphereMachineConfig', mgmt.spec!.controlPlaneConfiguration.machineGroupRef.name);
    mgmt.spec!.controlPlaneConfiguration.machineGroupRef.name = name;
    config.metadata.name = name;
    const inventory = assembleInventory(all, 'mgmt', 1);
    const error = catching(() => selectEksaObjects(all, inventory.clusters.flatMap(expectedEksaObjects)));
    expect(error).toBeInstanceOf(SafeUpgradeError);
    expect((error as SafeUpgradeError).exit).toBe('BackupFailed');
    expect(error.message).toMatch(/not a valid Kubernetes object name/);
    c.expectUntouched();
    triedHostile('api', 'in-process', value);
  });

  it.each(['parent directories', 'an absolute path', 'a newline'])('hostile API: machine config name with %s, end to end: no file outside the set', async (label) => {
    const { sim, c } = await world();
    const name = withCanary(HOSTILE_VALUES.find(([l]) => l === label)![1], c);
    const store = sim.server.store;
    const mgmt = store.get(EKSA_CLUSTERS, 'default', 'mgmt')!;
    const config = clone(store.get('vspheremachineconfigs', 'default', mgmt.spec.controlPlaneConfiguration.machineGroupRef.name)!);
    store.load([{ ...config, metadata: { ...config.metadata, name, uid: `${config.metadata.uid}-x` } }], { adopt: true });
    store.patch(EKSA_CLUSTERS, 'default', 'mgmt', 'merge', { spec: { controlPlaneConfiguration: { machineGroupRef: { name } } } });
    const { r, last } = await runAgainst(sim, c, ['backup', '-f', sim.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD]);
    expect(r.exitCode, r.stderr).toBe(7);
    expect(last).toMatch(/^Error: the cluster returned VSphereMachineConfig .* not a valid Kubernetes object name/);
    const sets = backupSets(path.join(sim.workdir, 'mgmt'));
    expect(sets.map((s) => s.state)).toEqual(['failed']);
    // Nothing but clusterctl's files, written by clusterctl, landed anywhere.
    expect(readdirSync(path.join(sets[0]!.dir, 'eksa'))).toEqual([]);
    expect(existsSync(`${c.file}.yaml`)).toBe(false);
    triedHostile('api', 'cli', HOSTILE_VALUES.find(([l]) => l === label)![1]);
  });
});

describe('machine addresses and SSH users from the API reach ssh', () => {
  it('hostile API: every hostile etcd machine address at once: skipped by name, no ssh runs, nothing injected', async () => {
    const { sim, c } = await world();
    const store = sim.server.store;
    const members = store.list('machines').filter((m) => m.metadata.labels?.['cluster.x-k8s.io/etcd-cluster'] === 'mgmt-etcd');
    const template = clone(members[0]!);
    const hostile = HOSTILE_VALUES.map(([, value], i) => ({
      ...clone(template),
      metadata: { ...template.metadata, name: `mgmt-etcd-hostile-${i}`, uid: `hostile-${i}` },
      status: { ...template.status, addresses: [{ type: 'ExternalIP', address: withCanary(value, c) }, { type: 'InternalIP', address: withCanary(value, c) }] },
    }));
    store.load(hostile, { adopt: true });
    for (const m of members) store.delete('machines', m.metadata.namespace, m.metadata.name);
    const key = path.join(sim.workdir, 'id_test');
    writeFileSync(key, 'not used: no member is ever reached\n', { mode: 0o600 });
    // The management cluster alone: its members are the hostile ones.
    const { r, last, journal } = await runAgainst(sim, c, ['backup', '-f', sim.specFile(), '--cli-tools-image', IMAGE, '--ssh-key', key, '--on-unready', 'fallback']);
    expect(r.exitCode, r.stderr).toBe(8);
    expect(last).toMatch(/^Error: .*cluster mgmt: no etcd member to snapshot \(mgmt-etcd-hostile-0: address .* is not an IP or host name/);
    expect(last.length).toBeLessThan(4000);
    const ssh = journal.filter((e) => e.argv[0] === 'ssh');
    expect(ssh.every((e) => !JSON.stringify(e.argv).includes(c.dir)), 'no hostile address reached ssh').toBe(true);
    for (const [, value] of HOSTILE_VALUES) triedHostile('api', 'cli', value);
  });

  it.each(HOSTILE_VALUES)('hostile API: SSH user of the etcd machine config with %s', (_label, value) => {
    const c = track(canary());
    const all = objects();
    find(all, 'VSphereMachineConfig', 'mgmt-etcd').spec!.users = [{ name: withCanary(value, c), sshAuthorizedKeys: ['ssh-ed25519 AAAA test'] }];
    const mgmt = assembleInventory(all, 'mgmt', 1).clusters[0]!;
    const error = catching(() => planEtcdSnapshot(mgmt, { sshKey: '/dev/null' }, { backupDir: c.dir, cwd: c.dir }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/invalid SSH user name/);
    c.expectUntouched();
    triedHostile('api', 'in-process', value);
  });

  it('hostile API: an SSH user with a semicolon, end to end: refused before any ssh runs', async () => {
    const { sim, c } = await world();
    sim.server.store.patch('vspheremachineconfigs', 'default', 'mgmt-etcd', 'merge', { spec: { users: [{ name: `capv;touch ${c.file}`, sshAuthorizedKeys: ['ssh-ed25519 AAAA test'] }] } });
    const key = path.join(sim.workdir, 'id_test');
    writeFileSync(key, 'not used\n', { mode: 0o600 });
    const { r, last, journal } = await runAgainst(sim, c, ['backup', '-f', sim.specFile(), '--cli-tools-image', IMAGE, '--ssh-key', key]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(last).toMatch(/^Error: cluster mgmt: invalid SSH user name "capv;touch /);
    expect(journal.filter((e) => e.argv[0] === 'ssh')).toEqual([]);
    expect(backupSets(path.join(sim.workdir, 'mgmt')).filter((s) => s.state === 'complete')).toEqual([]);
    triedHostile('api', 'cli', 'capv;touch CANARY');
  });
});

function catching(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal, got none');
}
