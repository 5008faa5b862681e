// Every `eksa-safe-upgrade …` command line of the examples and the README parses with the CLI's own parser
// (flags, choices, durations, required options), without running anything.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseOnly } from '../../src/cli.js';
import type { CommandIo } from '../../src/commands/io.js';
import { repoRoot } from '../helpers/run-bin.js';
import { Scope, commandsInCiFile, commandsInMarkdown, type ExampleCommand } from './example-commands.js';
import { SUBSTITUTED, tokenize, toolInvocation } from './shell-words.js';

/** What the shell or the CI system provides before the first line of an example runs. */
function runtimeScope(): Scope {
  const scope = new Scope();
  const provided: Record<string, string> = {
    HOME: '/home/admin',
    PWD: '/home/admin/eksa',
    RUNNER_TEMP: '/home/runner/work/_temp',
    GITHUB_WORKSPACE: '/home/runner/work/fleet/fleet',
    GITHUB_PATH: '/home/runner/work/_temp/_runner_file_commands/add_path',
    GITHUB_STEP_SUMMARY: '/home/runner/work/_temp/_runner_file_commands/step_summary',
    CI_PROJECT_DIR: '/builds/ops/fleet',
    CI_PIPELINE_SOURCE: 'web',
    // GitLab's predefined variables the upgrade job uses to fetch the reviewed plan of the audit job.
    CI_JOB_TOKEN: 'job-token',
    CI_API_V4_URL: 'https://gitlab.example/api/v4',
    CI_PROJECT_ID: '42',
    PATH: '/usr/local/bin:/usr/bin:/bin',
  };
  for (const [k, v] of Object.entries(provided)) scope.set(k, v);
  return scope;
}

function exampleFiles(): string[] {
  const dir = path.join(repoRoot, 'examples');
  const files = (readdirSync(dir, { recursive: true }) as string[]).map((f) => path.join('examples', f));
  // Cluster specs are YAML too, but hold no command lines.
  const ci = files.filter((f) => /\.ya?ml$/.test(f) && !f.startsWith(path.join('examples', 'specs')));
  return [...files.filter((f) => f.endsWith('.md')), ...ci, 'README.md'].sort();
}

function extract(file: string) {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  return file.endsWith('.md') ? commandsInMarkdown(file, text, runtimeScope()) : commandsInCiFile(file, text, runtimeScope());
}

function io(env: Record<string, string>): CommandIo {
  return { env, cwd: '/home/admin/eksa', isTTY: false, stdout: () => {}, stderr: () => {} };
}

/** These print (help, version, the completion script) instead of calling a command. */
const PRINTS = (args: readonly string[]) => args[0] === 'completion' || args.includes('--help') || args.includes('-h') || args[0] === '--version';

describe('shell words', () => {
  const vars = () => {
    const s = new Scope();
    s.set('SPEC', 'mgmt/mgmt-eks-a-cluster.yaml');
    return s;
  };
  it.each([
    ['plain words', 'eksa-safe-upgrade preflight -f x.yaml', [['eksa-safe-upgrade', 'preflight', '-f', 'x.yaml']]],
    ['quotes and variables', `eksa-safe-upgrade preflight -f "$SPEC" --journal 'a b'`, [['eksa-safe-upgrade', 'preflight', '-f', 'mgmt/mgmt-eks-a-cluster.yaml', '--journal', 'a b']]],
    ['continuations', 'eksa-safe-upgrade cluster \\\n  -f "${SPEC}" \\\n  --dry-run', [['eksa-safe-upgrade', 'cluster', '-f', 'mgmt/mgmt-eks-a-cluster.yaml', '--dry-run']]],
    ['comments, separators, redirections', 'a 2>&1 | tee log # note\nb > out.md; c && d', [['a'], ['tee', 'log'], ['b'], ['c'], ['d']]],
    ['a command substitution inside quotes', 'eval "$(eksa-safe-upgrade completion)"', [['eksa-safe-upgrade', 'completion'], ['eval', SUBSTITUTED]]],
    ['assignments hold for later commands', 'S=$SPEC-2\nx "$S"', [['S=mgmt/mgmt-eks-a-cluster.yaml-2'], ['x', 'mgmt/mgmt-eks-a-cluster.yaml-2']]],
    ['a default for an unset variable', 'cd "${NOPE:-/tmp}"', [['cd', '/tmp']]],
  ])('%s', (_name, text, expected) => {
    const result = tokenize(text, vars());
    expect(result.errors).toEqual([]);
    expect(result.commands).toEqual(expected);
  });

  it('names a variable nobody set', () => {
    expect(tokenize('eksa-safe-upgrade verify "$SET"', vars()).errors).toEqual(['unknown variable $SET']);
  });

  it.each([
    [['eksa-safe-upgrade', 'verify', 'd'], ['verify', 'd']],
    [['if', '!', 'eksa-safe-upgrade', 'preflight'], ['preflight']],
    [['EKSA_SAFE_UPGRADE_OUTPUT=json', 'eksa-safe-upgrade', 'preflight'], ['preflight']],
    [['node', '/x/bin/eksa-safe-upgrade.js', 'backup'], ['backup']],
    [['/opt/tool/node_modules/.bin/eksa-safe-upgrade', 'cluster'], ['cluster']],
  ])('finds the tool in %j', (words, args) => {
    expect(toolInvocation(words)?.args).toEqual(args);
  });

  it('ignores other programs and mentions in arguments', () => {
    expect(toolInvocation(['npm', 'install', 'eksa-safe-upgrade'])).toBeUndefined();
    expect(toolInvocation(['echo', 'eksa-safe-upgrade'])).toBeUndefined();
  });
});

describe('CI files', () => {
  it('take variables from env:, variables: and matrices, and refuse ${{ }} inside a script', () => {
    const workflow = [
      'on: { workflow_dispatch: { inputs: { cluster: { type: choice, options: [w01, w02] } } } }',
      'env: { MGMT: mgmt }',
      'jobs:',
      '  a:',
      '    strategy: { matrix: { c: [x1, x2] } }',
      '    steps:',
      '      - env: { CLUSTER: "${{ inputs.cluster }}", M: "${{ matrix.c }}" }',
      '        run: eksa-safe-upgrade preflight -f "$CLUSTER/$CLUSTER-eks-a-cluster.yaml" --kubeconfig "$MGMT/$M"',
      '      - run: eksa-safe-upgrade preflight -f ${{ inputs.cluster }}',
    ].join('\n');
    const result = commandsInCiFile('w.yml', workflow, new Scope());
    expect(result.commands[0]?.args).toEqual(['preflight', '-f', 'w01/w01-eks-a-cluster.yaml', '--kubeconfig', 'mgmt/x1']);
    expect(result.errors).toEqual(['w.yml jobs.a.steps[1].run: a ${{ }} expression inside a script; pass it through env: instead']);
  });

  it('hands EKSA_SAFE_UPGRADE_* variables to the command as its environment', () => {
    const gitlab = 'variables: { EKSA_SAFE_UPGRADE_ON_UNREADY: fail, OTHER: x }\njob:\n  script:\n    - eksa-safe-upgrade preflight -f s.yaml\n';
    expect(commandsInCiFile('g.yml', gitlab, new Scope()).commands[0]?.env).toEqual({ EKSA_SAFE_UPGRADE_ON_UNREADY: 'fail' });
  });
});

describe('the example command lines', () => {
  afterEach(() => vi.restoreAllMocks());

  const all = exampleFiles().map((file) => ({ file, ...extract(file) }));
  const commands: ExampleCommand[] = all.flatMap((f) => f.commands);

  it('read without shell errors or unknown variables', () => {
    expect(all.flatMap((f) => f.errors)).toEqual([]);
  });

  it('cover every command and both CI systems', () => {
    const used = [...new Set(commands.map((c) => (c.args[0] === "backups" ? `backups ${c.args[1]}` : c.args[0])))];
    for (const command of ['preflight', 'backup', 'verify', 'cluster', 'management-components', 'backups list', 'backups prune', 'restore-plan', 'completion']) {
      expect(used, command).toContain(command);
    }
    for (const file of ['examples/runbook.md', 'examples/github-actions/upgrade.yml', 'examples/gitlab-ci/.gitlab-ci.yml']) {
      expect(commands.filter((c) => c.where.startsWith(file)).length, file).toBeGreaterThan(2);
    }
    expect(commands.some((c) => c.args[0] === 'cluster' && c.args.includes('--dry-run'))).toBe(true);
  });

  it('would catch a wrong line: the parser is strict about flags, choices and required values', async () => {
    await expect(parseOnly(['cluster', '-f', 's.yaml', '--dry-rn'], io({}))).rejects.toThrow(/Unknown arguments?: dry-rn/);
    await expect(parseOnly(['preflight', '-f', 's.yaml', '--on-unready', 'maybe'], io({}))).rejects.toThrow(/Invalid values/);
    await expect(parseOnly(['backups', 'prune', '--keep', '3'], io({}))).rejects.toThrow(/--older-than/);
    await expect(parseOnly(['cluster', '-f', 's.yaml', '--confirm-timeout', 'soon'], io({}))).rejects.toThrow(/confirm-timeout/);
    await expect(parseOnly(['preflight', '-f', 's.yaml'], io({ EKSA_SAFE_UPGRADE_ON_UNREADY: 'maybe' }))).rejects.toThrow(/Invalid values/);
  });

  it.each(commands.map((c) => [`${c.where}: eksa-safe-upgrade ${c.args.join(' ')}`, c] as const))('%s', async (_title, command) => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const parsed = await parseOnly(command.args, io(command.env));
    if (PRINTS(command.args)) expect(parsed).toBeUndefined();
    else expect(parsed?.options).toBeDefined();
  });
});
