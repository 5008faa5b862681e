// Hostile and malformed output from every tool: clusterctl's output folder (symlinks out of the set, names
// that are not clusterctl's, FIFOs, files that do not parse or hold another object), its stderr; kubectl and
// eksctl printing what is not JSON or not what they promise; release and bundle manifests that are not
// YAML or point elsewhere; a kubeconfig that is not one; a tampered backup set. Each ends in its documented
// exit code with one line naming the cause; nothing outside the set is read or changed.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { ExitCode, type ExitCodeName } from '../../src/exit-codes.js';
import { IMAGE, NO_ETCD, backupSets, expectNoSecrets, pauseState, runOutputs, simSecrets, smallScenario, startCli } from './helpers.js';
import { triedHostile } from './hostile.js';

let outside: string;
const OUTSIDE_TEXT = 'outside the backup set: never read, never changed\n';
beforeAll(() => {
  outside = path.join(mkdtempSync(path.join(tmpdir(), 'esu-outside-')), 'precious.yaml');
  writeFileSync(outside, OUTSIDE_TEXT, { mode: 0o644 });
  chmodSync(outside, 0o644);
});
afterAll(() => rmSync(path.dirname(outside), { recursive: true, force: true }));

const FAKE_CLUSTERCTL = path.join(repoRoot, 'sim', 'bin', 'clusterctl');
/** A clusterctl that does the real (simulated) move, then leaves `extra` in its output folder. */
const clusterctlThen = (extra: string) => `#!/bin/sh
"${process.execPath}" "${FAKE_CLUSTERCTL}" "$@" || exit $?
prev=; for a; do [ "$prev" = --to-directory ] && D=$a; prev=$a; done
cd "$D" || exit 1
${extra}
`;

interface ToolCase {
  readonly name: string;
  /** A script per tool name, first on PATH (`clusterctl` is passed with --clusterctl instead). */
  readonly scripts: (sim: Sim) => Record<string, string>;
  readonly command?: (sim: Sim, bin: string) => string[];
  readonly exit: ExitCodeName;
  readonly message: RegExp;
}

const backupWith = (sim: Sim, bin: string) => ['backup', '-f', sim.specFile(), '--clusterctl', path.join(bin, 'clusterctl'), ...NO_ETCD];

const CLUSTERCTL_CASES: ToolCase[] = [
  { name: 'a symlink out of the set', scripts: () => ({ clusterctl: clusterctlThen(`ln -s "${outside}" Secret_eksa-system_mgmt-extra.yaml`) }), exit: 'BackupFailed', message: /"Secret_eksa-system_mgmt-extra\.yaml" is not a regular file/ },
  { name: 'a file name with a newline', scripts: () => ({ clusterctl: clusterctlThen(`printf '{}' > "$(printf 'Secret_eksa-system_a\\nb.yaml')"`) }), exit: 'BackupFailed', message: /"Secret_eksa-system_a\\nb\.yaml" is not a clusterctl object file name/ },
  { name: 'a file name that is not UTF-8', scripts: () => ({ clusterctl: clusterctlThen(`printf '{}' > "$(printf 'Secret_eksa-system_\\377.yaml')"`) }), exit: 'BackupFailed', message: /clusterctl wrote a file whose name is not UTF-8: "Secret_eksa-system_ÿ\.yaml"/ },
  { name: 'a very long file name', scripts: () => ({ clusterctl: clusterctlThen(`printf '{}' > "${'x'.repeat(240)}.yaml"`) }), exit: 'BackupFailed', message: /"x{77}\.\.\." is not a clusterctl object file name/ },
  { name: 'a file name like an option', scripts: () => ({ clusterctl: clusterctlThen(`printf '{}' > ./--rf.yaml`) }), exit: 'BackupFailed', message: /"--rf\.yaml" is not a clusterctl object file name/ },
  { name: 'a FIFO', scripts: () => ({ clusterctl: clusterctlThen('mkfifo Secret_eksa-system_fifo.yaml') }), exit: 'BackupFailed', message: /"Secret_eksa-system_fifo\.yaml" is not a regular file/ },
  { name: 'a directory', scripts: () => ({ clusterctl: clusterctlThen('mkdir Cluster_eksa-system_sub.yaml') }), exit: 'BackupFailed', message: /"Cluster_eksa-system_sub\.yaml" is not a regular file/ },
  { name: 'malformed JSON', scripts: () => ({ clusterctl: clusterctlThen(`printf '{"kind": "Cluster", "metadata": {' > Cluster_eksa-system_mgmt.yaml`) }), exit: 'BackupFailed', message: /"Cluster_eksa-system_mgmt\.yaml" does not parse/ },
  { name: 'malformed YAML', scripts: () => ({ clusterctl: clusterctlThen(`printf 'kind: [Cluster\\n\\t- : :\\n' > Cluster_eksa-system_mgmt.yaml`) }), exit: 'BackupFailed', message: /"Cluster_eksa-system_mgmt\.yaml" does not parse/ },
  { name: 'another object than its name says', scripts: () => ({ clusterctl: clusterctlThen(`printf '{"kind":"Secret","metadata":{"namespace":"kube-system","name":"other"}}' > Cluster_eksa-system_mgmt.yaml`) }), exit: 'BackupFailed', message: /"Cluster_eksa-system_mgmt\.yaml" holds Secret kube-system\/other, not the object its name says/ },
  {
    name: 'a megabyte of binary junk and terminal escapes on stderr, then exit 1',
    scripts: () => ({ clusterctl: `#!/bin/sh\nprintf 'Error: \\033]0;pwned\\007\\033[2J boom\\n' >&2\nhead -c 1048576 /dev/urandom >&2\nexit 1\n` }),
    exit: 'BackupFailed', message: /clusterctl move failed: Error: \?\]0;pwned\?\?\[2J boom/,
  },
];

const realKubectl = () => {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const file = path.join(dir, 'kubectl');
    try {
      if (statSync(file).isFile() && !dir.startsWith(repoRoot)) return file;
    } catch {
      // not here
    }
  }
  throw new Error('kubectl not found on PATH');
};
/** kubectl that answers `get` with `output`, and is the real one otherwise. */
const kubectlGetPrints = (output: string) => ({
  kubectl: `#!/bin/sh\ncase " $* " in *" get "*) printf '%s' '${output}'; exit 0;; esac\nexec "${realKubectl()}" "$@"\n`,
});
/** eksctl that answers `pattern` with `output`, and is the fake one otherwise. */
const eksctlPrints = (words: string, output: string) => ({
  eksctl: `#!/bin/sh\ncase "$*" in "${words}"*) printf '%s' '${output}'; exit 0;; esac\nexec "${process.execPath}" "${path.join(repoRoot, 'sim', 'bin', 'eksctl')}" "$@"\n`,
});
const preflightWith = (sim: Sim) => ['preflight', '-f', sim.specFile()];
const clusterWith = (sim: Sim) => ['cluster', '-f', sim.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD];

const MALFORMED_CASES: ToolCase[] = [
  { name: 'kubectl: not JSON', scripts: () => kubectlGetPrints('this is not json'), command: preflightWith, exit: 'Environment', message: /kubectl printed output that is not JSON/ },
  { name: 'kubectl: JSON cut short', scripts: () => kubectlGetPrints('{"apiVersion":"v1","items":[{"kind":"Cluster",'), command: preflightWith, exit: 'Environment', message: /kubectl printed output that is not JSON/ },
  { name: 'kubectl: JSON without items', scripts: () => kubectlGetPrints('{"apiVersion":"v1","kind":"List"}'), command: preflightWith, exit: 'Environment', message: /kubectl printed JSON without items/ },
  { name: 'kubectl: YAML instead of JSON', scripts: () => kubectlGetPrints('apiVersion: v1\nitems: []\n'), command: preflightWith, exit: 'Environment', message: /kubectl printed output that is not JSON/ },
  { name: 'eksctl: a version that is not one', scripts: () => eksctlPrints('anywhere version', 'Version: banana\n'), command: preflightWith, exit: 'Environment', message: /eksctl|version/i },
  { name: 'eksctl: an upgrade plan that is not JSON', scripts: () => eksctlPrints('anywhere upgrade plan', '{"components": [tru'), command: clusterWith, exit: 'Environment', message: /upgrade plan/ },
  {
    name: 'release manifest: not YAML', scripts: () => ({}),
    command: (sim) => {
      const file = path.join(sim.workdir, 'release-manifest.yaml');
      writeFileSync(file, 'spec: {releases: [\n  - : : :\n');
      return ['backup', '-f', sim.specFile(), '--release-manifest', file, ...NO_ETCD];
    },
    exit: 'Usage', message: /release manifest .*(YAML|parse)/i,
  },
  {
    name: 'release manifest: a bundle URL pointing at a file outside', scripts: () => ({}),
    command: (sim) => {
      const file = path.join(sim.workdir, 'release-manifest.yaml');
      writeFileSync(file, `apiVersion: distro.eks.amazonaws.com/v1alpha1\nkind: Release\nspec:\n  releases:\n  - version: v0.23.0\n    bundleManifestUrl: ${outside}\n`);
      return ['backup', '-f', sim.specFile(), '--release-manifest', file, ...NO_ETCD];
    },
    exit: 'Usage', message: /the bundle manifest .* has no \.spec\.versionsBundles/,
  },
  {
    name: 'kubeconfig: not YAML', scripts: () => ({}),
    command: (sim) => {
      const file = path.join(sim.workdir, 'broken.kubeconfig');
      writeFileSync(file, 'clusters: [\n  token: sim-secret-never-printed\n');
      return ['preflight', '-f', sim.specFile(), '--kubeconfig', file];
    },
    exit: 'Usage', message: /kubeconfig .* is not valid YAML/,
  },
];

let sim: Sim;
beforeAll(async () => {
  sim = await startSim({ scenario: smallScenario() });
});
afterAll(async () => sim.close());

async function runCase(c: ToolCase, defaultCommand: (sim: Sim, bin: string) => string[]) {
  const bin = mkdtempSync(path.join(sim.workdir, 'bin-'));
  for (const [name, text] of Object.entries(c.scripts(sim))) writeFileSync(path.join(bin, name), text, { mode: 0o755 });
  const before = pauseState(sim);
  const setsBefore = backupSets(path.join(sim.workdir, 'mgmt')).map((s) => s.name);
  const r = await startCli((c.command ?? defaultCommand)(sim, bin), { env: { ...sim.env, PATH: `${bin}:${sim.env.PATH}` }, cwd: sim.workdir, timeoutMs: 60_000 }).done;
  const context = `exit ${r.exitCode}\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`;
  expect(r.timedOut, context).toBe(false);
  expect(r.exitCode, context).toBe(ExitCode[c.exit]);
  const last = r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('  hint:')).at(-1) ?? '';
  expect(last, context).toMatch(/^Error: /);
  expect(last, context).toMatch(c.message);
  expect(last.length).toBeLessThan(4000);
  expect(r.stdout + r.stderr, 'no raw control characters reach the terminal').not.toMatch(/[\0\u001b\u0007]/);
  expect(r.stdout + r.stderr).not.toContain(OUTSIDE_TEXT.trim());
  expect(r.stdout + r.stderr).not.toContain('sim-secret-never-printed');
  expect(readFileSync(outside, 'utf8'), 'nothing outside the set changed').toBe(OUTSIDE_TEXT);
  expect(statSync(outside).mode & 0o777).toBe(0o644);
  expect(pauseState(sim)).toEqual(before);
  const added = backupSets(path.join(sim.workdir, 'mgmt')).filter((s) => !setsBefore.includes(s.name));
  expect(added.filter((s) => s.state === 'complete'), 'no set claims to be complete').toEqual([]);
  expectNoSecrets(runOutputs(r), simSecrets(sim));
  // Failed sets of one case must not be mistaken for the next case's.
  for (const s of added) rmSync(s.dir, { recursive: true, force: true });
}

describe('hostile output from clusterctl', () => {
  it.each(CLUSTERCTL_CASES.map((c) => [`hostile clusterctl output: ${c.name}`, c] as const))('%s', async (_title, c) => {
    await runCase(c, backupWith);
    triedHostile('clusterctl', 'cli', `clusterctl: ${c.name}`);
  });
});

describe('malformed output from every tool', () => {
  it.each(MALFORMED_CASES.map((c) => [`hostile tool output: ${c.name}`, c] as const))('%s', async (_title, c) => {
    await runCase(c, backupWith);
    triedHostile('tool', 'cli', `tool: ${c.name}`);
  });

  it('hostile tool output: a tampered manifest.json listing paths outside the set: reported, never read', async () => {
    const r0 = await startCli(['backup', '-f', sim.specFile(), '--cli-tools-image', IMAGE, ...NO_ETCD], { env: sim.env, cwd: sim.workdir, timeoutMs: 60_000 }).done;
    expect(r0.exitCode, r0.stderr).toBe(0);
    const [set] = backupSets(path.join(sim.workdir, 'mgmt')).filter((s) => s.state === 'complete');
    const manifestFile = path.join(set!.dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    const rel = path.relative(set!.dir, outside);
    manifest.files.push({ path: rel, size: OUTSIDE_TEXT.length, sha256: '0'.repeat(64) }, { path: outside, size: 1, sha256: '0'.repeat(64) });
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const r = await startCli(['verify', set!.dir, '-o', 'json'], { env: sim.env, cwd: sim.workdir, timeoutMs: 60_000 }).done;
    expect(r.exitCode).toBe(9);
    const files = JSON.parse(r.stdout).files as Array<{ path: string; status: string }>;
    expect(files.filter((f) => f.path === rel || f.path === outside).map((f) => f.status)).toEqual(['missing', 'missing']);
    writeFileSync(manifestFile, '{"schemaVersion": 1, "files": [');
    const broken = await startCli(['verify', set!.dir], { env: sim.env, cwd: sim.workdir, timeoutMs: 60_000 }).done;
    expect(broken.exitCode).toBe(9);
    expect(broken.stdout + broken.stderr).toMatch(/manifest\.json that does not parse/);
    expect(readFileSync(outside, 'utf8')).toBe(OUTSIDE_TEXT);
    rmSync(set!.dir, { recursive: true, force: true });
    triedHostile('tool', 'cli', 'manifest.json: paths outside the set');
    triedHostile('tool', 'cli', 'manifest.json: truncated JSON');
  });
});

