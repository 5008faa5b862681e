// Hostile input from the spec (-f): every name, version and reference the tool reads from it, set to each
// hostile value, must be refused with the usage exit code before any command runs or any file is written.
// And hostile paths (the working directory, the spec's folder, --kubeconfig, --report, --journal) must be
// harmless: used as they are, never read by a shell, here or when the operator pastes a printed command.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { UsageError } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { readJournal } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { IMAGE, NO_ETCD, expectNoSecrets, runOutputs, simSecrets, smallScenario, startCli } from './helpers.js';
import { HOSTILE_VALUES, canary, triedHostile, withCanary } from './hostile.js';

type Docs = Array<Record<string, any>>;
/** Where a hostile value goes in the spec, and the words the refusal must use. */
const SPEC_FIELDS: ReadonlyArray<readonly [field: string, set: (docs: Docs, value: string) => void, message: RegExp]> = [
  ['metadata.name', (d, v) => (cluster(d).metadata.name = v), /cluster name .* is not a valid name/],
  ['metadata.namespace', (d, v) => (cluster(d).metadata.namespace = v), /cluster namespace .* is not a valid name/],
  ['spec.managementCluster.name', (d, v) => (cluster(d).spec.managementCluster = { name: v }), /managementCluster\.name .* is not a valid name/],
  ['a worker node group name', (d, v) => (cluster(d).spec.workerNodeGroupConfigurations[0].name = v), /worker node group name .* is not a valid name/],
  ['a machine config name', (d, v) => {
    const ref = cluster(d).spec.controlPlaneConfiguration.machineGroupRef;
    d.find((x) => x.kind === ref.kind && x.metadata.name === ref.name)!.metadata.name = v;
    ref.name = v;
  }, /VSphereMachineConfig name .* is not a valid name/],
  ['the datacenter name', (d, v) => {
    const ref = cluster(d).spec.datacenterRef;
    d.find((x) => x.kind === ref.kind && x.metadata.name === ref.name)!.metadata.name = v;
    ref.name = v;
  }, /VSphereDatacenterConfig name .* is not a valid name/],
  ['spec.kubernetesVersion', (d, v) => (cluster(d).spec.kubernetesVersion = v), /spec\.kubernetesVersion .* is not a Kubernetes version/],
  ['spec.eksaVersion', (d, v) => (cluster(d).spec.eksaVersion = v), /spec\.eksaVersion .* is not a semantic version/],
];
const cluster = (docs: Docs) => docs.find((d) => d.kind === 'Cluster')!;

/** The spec as YAML bytes; U+FFFD becomes a byte that is not UTF-8 at all. */
function specBytes(docs: Docs): Buffer {
  const text = docs.map((d) => stringify(d)).join('---\n');
  const bytes = Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0xef && bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) {
      out.push(0xff);
      i += 2;
    } else out.push(bytes[i]!);
  }
  return Buffer.from(out);
}

let sim: Sim;
beforeAll(async () => {
  sim = await startSim({ scenario: smallScenario() });
});
afterAll(async () => sim.close());

// End to end for the cluster name, which becomes the backup folder's name and an argument of every tool;
// every field (that one too) through the same parser in-process.
const E2E_FIELDS = new Set(['metadata.name']);
const cases = (e2e: boolean) =>
  SPEC_FIELDS.filter(([field]) => !e2e || E2E_FIELDS.has(field)).flatMap(([field, set, message]) =>
    HOSTILE_VALUES.map(([label, value]) => [`hostile spec${e2e ? ', end to end' : ''}: ${field} with ${label}`, field, set, message, value] as const));
const hostileDocs = (set: (docs: Docs, value: string) => void, value: string): Docs => {
  const docs = parseAllDocuments(readFileSync(sim.specFile(), 'utf8')).map((d) => d.toJS() as Record<string, any>);
  set(docs, value);
  return docs;
};

describe('hostile values in every field of the spec are refused by the spec parser', () => {
  it.each(cases(false))('%s', (_title, _field, set, message, value) => {
    const c = canary();
    try {
      const text = specBytes(hostileDocs(set, withCanary(value, c))).toString('utf8');
      let error: unknown;
      try {
        parseSpec(text, 'spec.yaml');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toMatch(/[\0\n\u001b]/);
      c.expectUntouched();
      triedHostile('spec', 'in-process', value);
    } finally {
      c.remove();
    }
  });
});

describe.concurrent('hostile values in the spec are refused before anything runs', () => {
  it.each(cases(true))('%s', async (_title, field, set, message, value) => {
    const c = canary();
    try {
      const docs = hostileDocs(set, withCanary(value, c));
      const dir = path.join(sim.workdir, 'hostile', `${field.replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2)}`);
      mkdirSync(dir, { recursive: true });
      const spec = path.join(dir, 'spec.yaml');
      writeFileSync(spec, specBytes(docs));
      const journal = path.join(dir, 'journal.ndjson');
      const before = readdirSync(path.join(sim.workdir, 'mgmt')).sort();
      const run = startCli(['cluster', '-f', spec, '--kubeconfig', sim.kubeconfig, '--cli-tools-image', IMAGE, ...NO_ETCD, '--journal', journal, '--report', path.join(dir, 'report.json')], { env: sim.env, cwd: sim.workdir, timeoutMs: 30_000 });
      const r = await run.done;
      expect(r.exitCode, `stderr: ${r.stderr}\nstdout: ${r.stdout}\nsignal: ${r.signal}`).toBe(2);
      const last = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('  hint:')).at(-1)!;
      expect(last).toMatch(/^Error: /);
      expect(last).toMatch(message);
      expect(last.length).toBeLessThan(400);
      // The value is shown escaped: no raw newline, NUL or escape byte reaches the terminal.
      expect(r.stderr).not.toMatch(/[\0\u001b]/);
      expect(readJournal(journal), 'no command ran').toEqual([]);
      expect(readdirSync(path.join(sim.workdir, 'mgmt')).sort(), 'nothing was written').toEqual(before);
      c.expectUntouched();
      expectNoSecrets(runOutputs(r), simSecrets(sim));
      triedHostile('spec', 'cli', value);
    } finally {
      c.remove();
    }
  });
});

describe('hostile paths are used as they are, never read by a shell', () => {
  it('hostile paths: a working directory, spec folder, --kubeconfig, --report and --journal full of shell syntax', async () => {
    const c = canary();
    try {
      // No ':' (docker -v separates with it) and no newline (ssh and docker refuse those outright).
      const nasty = `w d;touch ${c.file};$(touch ${c.file})\`touch ${c.file}\`'"|&<>*?`;
      const base = path.join(sim.workdir, nasty);
      const name = (what: string) => path.join(base, `${what} ;$(id)\`id\`'"|&<>*?`);
      mkdirSync(base, { recursive: true });
      cpSync(path.join(sim.workdir, 'mgmt'), path.join(base, 'mgmt'), { recursive: true, filter: (src) => !src.includes('-backup-') });
      const kubeconfig = name('kubeconfig');
      cpSync(sim.kubeconfig, kubeconfig);
      const report = name('report');
      const journal = name('journal');
      const args = ['backup', '-f', path.join(base, 'mgmt', 'mgmt-eks-a-cluster.yaml'), '--kubeconfig', kubeconfig, '--cli-tools-image', IMAGE, ...NO_ETCD, '--journal', journal];

      // Dry run: every printed command, pasted into a real shell, gives back exactly the argv that runs.
      const dry = await startCli([...args, '--dry-run'], { env: sim.env, cwd: base, timeoutMs: 60_000 }).done;
      expect(dry.exitCode, dry.stderr).toBe(0);
      const printed = dry.stdout.split('\n').filter((l) => l.startsWith('! '));
      expect(printed.length).toBeGreaterThan(0);
      const skipped = readJournal(journal).filter((e) => e.skipped);
      for (const [i, line] of printed.entries()) {
        const words = execFileSync('sh', ['-c', `printf '%s\\0' ${line.slice(2)}`]).toString().split('\0').slice(0, -1);
        expect(words).toEqual(skipped[i]!.argv);
      }
      c.expectUntouched();

      const r = await startCli(args, { env: sim.env, cwd: base, timeoutMs: 60_000 }).done;
      expect(r.exitCode, r.stderr).toBe(0);
      const sets = readdirSync(path.join(base, 'mgmt')).filter((n) => n.includes('-backup-'));
      expect(sets).toHaveLength(1);
      expect(existsSync(path.join(base, 'mgmt', sets[0]!, 'manifest.json'))).toBe(true);
      const cluster = await startCli(['cluster', ...args.slice(1), '--dry-run', '--report', report], { env: sim.env, cwd: base, timeoutMs: 60_000 }).done;
      expect(cluster.exitCode, cluster.stderr).toBe(0);
      expect(JSON.parse(readFileSync(report, 'utf8')).command).toBe('cluster');
      c.expectUntouched();
      triedHostile('path', 'cli', 'a working directory, spec folder, kubeconfig, report and journal path full of shell syntax');
    } finally {
      c.remove();
    }
  });
});
