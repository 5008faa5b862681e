// What `npm publish` would ship, checked from a clean copy of the tree (no dist/): `npm pack` must build it
// (prepack), the tarball must hold the CLI and nothing of the development tree, and it must install into an
// empty folder with runtime dependencies only and run there.
import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import semver from 'semver';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-bin.js';
import { startSim, type Sim } from '../helpers/sim.js';

const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

// Never part of a pack: build output, installed modules, local state (.gitignore's entries).
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', 'coverage', '.sim-work', path.join('bench', 'out')]);

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

let work: string;
let tree: string;
let app: string;
let packed: PackResult;

/** npm, without the settings of the npm that may be running these tests (npm test sets npm_config_*). */
function npmEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

/** The installed CLI through npx; offline, so a missing local bin fails instead of being fetched. */
function npx(args: string[], env: Record<string, string> = {}) {
  return execa('npx', ['eksa-safe-upgrade', ...args], { cwd: app, env: npmEnv({ npm_config_offline: 'true', ...env }), extendEnv: false, reject: false, stdin: 'ignore' });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'eksa-pack-'));
  tree = path.join(work, 'tree');
  cpSync(repoRoot, tree, { recursive: true, filter: (src) => !NOT_COPIED.has(path.relative(repoRoot, src)) && !src.endsWith('.log') });
  // tsc (prepack) needs the dev dependencies; the tarball never sees them.
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
  const out = path.join(work, 'out');
  mkdirSync(out);
  const pack = await execa('npm', ['pack', '--json', '--pack-destination', out], { cwd: tree, env: npmEnv(), extendEnv: false, stdin: 'ignore' });
  packed = (JSON.parse(pack.stdout) as PackResult[])[0]!;

  app = path.join(work, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'pack-test', private: true })}\n`);
  await execa('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', path.join(out, packed.filename)], {
    cwd: app,
    env: npmEnv(),
    extendEnv: false,
    stdin: 'ignore',
  });
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('builds dist/ itself (prepack) from a tree without one', () => {
    expect(existsSync(path.join(tree, 'dist', 'cli.js'))).toBe(true);
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'bin/eksa-safe-upgrade.js', 'dist/cli.js', 'dist/cli.bundle.mjs', 'README.md', 'CHANGELOG.md', 'schema/evidence-report.v1.schema.json']));
    // The bin's command modules, split out of the bundle to load when their command runs.
    expect(paths.filter((p) => /^dist\/chunks\/preflight-[\w-]+\.mjs$/.test(p))).not.toEqual([]);
  });

  it('ships no source, tests, simulator, scripts or source maps', () => {
    const unwanted = packed.files.map((f) => f.path).filter((p) => /^(src|test|sim|scripts|bench|examples|docs|\.ci)\//.test(p) || p.endsWith('.map') || p.endsWith('.ts'));
    expect(unwanted).toEqual([]);
  });

  it('ships only compiled modules whose source exists (no stale dist/ files)', () => {
    const stale = packed.files
      .map((f) => f.path)
      .filter((p) => p.startsWith('dist/'))
      // The bundle (scripts/bundle.mjs) is built from those modules: its entry and chunks have no source of their own.
      .filter((p) => p !== 'dist/cli.bundle.mjs' && !/^dist\/chunks\/[\w-]+\.mjs$/.test(p))
      .filter((p) => !existsSync(path.join(tree, 'src', p.slice('dist/'.length).replace(/\.js$/, '.ts'))));
    expect(stale).toEqual([]);
  });
});

describe('the installed package', () => {
  const installed = () => path.join(app, 'node_modules', 'eksa-safe-upgrade');

  it('installs the bin where npx finds it, without any dev dependency', () => {
    expect(existsSync(path.join(app, 'node_modules', '.bin', 'eksa-safe-upgrade'))).toBe(true);
    const present = Object.keys(pkg.devDependencies).filter((name) => existsSync(path.join(app, 'node_modules', name)));
    expect(present).toEqual([]);
  });

  it('imports nothing at run time but Node built-ins and its declared dependencies', () => {
    const dist = path.join(installed(), 'dist');
    const files = (readdirSync(dist, { recursive: true }) as string[]).filter((f) => f.endsWith('.js') || f.endsWith('.mjs'));
    const builtins = new Set(builtinModules);
    const undeclared = new Set<string>();
    for (const file of [...files.map((f) => path.join(dist, f)), path.join(installed(), 'bin', 'eksa-safe-upgrade.js')]) {
      // TypeScript's own scanner: static imports, re-exports and import() calls, never text inside strings.
      for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!(name in pkg.dependencies)) undeclared.add(`${name} (${path.relative(installed(), file)})`);
      }
    }
    expect(files.length).toBeGreaterThan(50);
    expect([...undeclared]).toEqual([]);
  });

  it('declares an engines range every runtime dependency supports, and this Node is in it', () => {
    const modules = path.join(app, 'node_modules');
    const names = readdirSync(modules).flatMap((n) => (n.startsWith('@') ? readdirSync(path.join(modules, n)).map((s) => `${n}/${s}`) : n.startsWith('.') ? [] : [n]));
    const narrower: string[] = [];
    for (const name of names) {
      const engines = (JSON.parse(readFileSync(path.join(modules, name, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node;
      if (engines && !semver.subset(pkg.engines.node, engines)) narrower.push(`${name}: ${engines}`);
    }
    expect(names.length).toBeGreaterThan(Object.keys(pkg.dependencies).length);
    expect(narrower).toEqual([]);
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
  });

  it('npx eksa-safe-upgrade --help lists every command', async () => {
    const r = await npx(['--help']);
    expect(r.exitCode).toBe(0);
    for (const command of ['preflight', 'backup', 'verify <dir>', 'cluster', 'management-components', 'backups', 'restore-plan <dir>', 'completion']) {
      expect(r.stdout).toContain(`eksa-safe-upgrade ${command} `);
    }
  });

  it('npx eksa-safe-upgrade --version prints the package version', async () => {
    const r = await npx(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('npx eksa-safe-upgrade version -o json runs its command chunk and prints the package version', async () => {
    const r = await npx(['version', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ eksaSafeUpgrade: pkg.version });
  });

  it('loads a command module on demand: a missing spec is a usage error (2), not a missing module (1)', async () => {
    const r = await npx(['preflight', '-f', 'no-such-spec.yaml']);
    expect(r.stderr).toContain('cluster spec no-such-spec.yaml does not exist');
    expect(r.exitCode).toBe(2);
  });

  describe('against the simulated fleet', () => {
    let sim: Sim;
    beforeAll(async () => {
      sim = await startSim({ scenario: 'healthy' });
    });
    afterAll(async () => sim?.close());

    it('runs preflight from the installed package: every cluster ready, exit 0', async () => {
      const r = await execa(path.join(app, 'node_modules', '.bin', 'eksa-safe-upgrade'), ['preflight', '-f', sim.specFile(), '-o', 'json'], {
        cwd: sim.workdir,
        env: { ...sim.env, NO_COLOR: '1', CI: '1' },
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
      });
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ command: 'preflight', outcome: 'ready', scope: { kind: 'whole-tree' } });
    });
  });
});
