// Command-line habits operators bring from kubectl and eksctl (issue 17, item 5): help without arguments,
// completion for three shells, file completion after -f, `version`, did-you-mean, the command's own help.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closest, commandOf, main, normalizeArgs, parseOnly } from '../../src/cli.js';
import type { CommandIo } from '../../src/commands/io.js';
import { completionScript, dropLongSingleLetters, wantsPath } from '../../src/completion.js';
import { binPath, repoRoot } from '../helpers/run-bin.js';

const io = (): CommandIo & { out: string[]; err: string[] } => {
  const out: string[] = [];
  const err: string[] = [];
  return { env: {}, cwd: '/work', isTTY: false, out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) };
};
const bin = (args: string[], env: NodeJS.ProcessEnv = process.env) => execa(process.execPath, [binPath, ...args], { env: { ...env, NO_COLOR: '1' }, reject: false, stdin: 'ignore' });

describe('no arguments', () => {
  it('prints the help on stdout and succeeds, as kubectl and eksctl do', async () => {
    const o = io();
    await expect(main([], o)).resolves.toBe('Success');
    expect(o.out.join('\n')).toMatch(/^eksa-safe-upgrade <command> \[options\]/);
    expect(o.out.join('\n')).toMatch(/Commands:[\s\S]*preflight[\s\S]*version/);
    expect(o.err).toEqual([]);
  });
});

describe('completion', () => {
  it.each(['bash', 'zsh', 'fish'])('completion %s: the script on stdout, nothing on stderr, exit 0', async (shell) => {
    const r = await bin(['completion', shell]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('--get-yargs-completions');
    expect(r.stdout).toBe(completionScript(shell as 'bash', 'eksa-safe-upgrade'));
  });

  it('completion --help is help, not a script; an unknown shell is a usage error', async () => {
    const help = await bin(['completion', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^eksa-safe-upgrade completion \[bash\|zsh\|fish\]/);
    expect(help.stdout).not.toContain('--get-yargs-completions');
    const bad = await bin(['completion', 'tcsh']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/completion takes one shell: bash, zsh or fish/);
  });

  it('-f <TAB> offers nothing (the shell completes files); flags are offered without --f and --v', async () => {
    const file = await bin(['--get-yargs-completions', 'eksa-safe-upgrade', 'cluster', '-f', '']);
    expect(file.exitCode).toBe(0);
    expect(file.stdout).toBe('');
    const flags = await bin(['--get-yargs-completions', 'eksa-safe-upgrade', 'cluster', '--']);
    const offered = flags.stdout.split('\n');
    expect(offered).toContain('--filename');
    expect(offered).toContain('--kubeconfig');
    expect(offered.filter((f) => /^--.$/.test(f))).toEqual([]);
    expect(wantsPath(['eksa-safe-upgrade', 'backup', '--ssh-key', 'id'])).toBe(true);
    expect(wantsPath(['eksa-safe-upgrade', 'backup', '--concurrency', ''])).toBe(false);
    expect(dropLongSingleLetters(['--f', '--v:log level', '--filename', '-f'])).toEqual(['--filename', '-f']);
  });

  it('the bash script completes a file name after -f in a real bash', async () => {
    const script = completionScript('bash', 'eksa-safe-upgrade');
    const dir = path.join(repoRoot, 'test', 'cli');
    // A shim on PATH named like the tool, so the script's own call reaches the built CLI.
    const shim = `eksa-safe-upgrade() { node ${JSON.stringify(binPath)} "$@"; }; export -f eksa-safe-upgrade`;
    const r = await execa('bash', ['-c', `${shim}\n${script}\ncd ${JSON.stringify(dir)}\nCOMP_WORDS=(eksa-safe-upgrade cluster -f habits.te); COMP_CWORD=3\n_eksa_safe_upgrade_completions\nprintf '%s\\n' "\${#COMPREPLY[@]}"`], { reject: false });
    // No word from the CLI: bash falls back to file names (complete -o default).
    expect(r.stdout.trim().split('\n').pop()).toBe('0');
  });
});

describe('version', () => {
  it('version -o json: this tool, node, and the kubectl and eksctl anywhere found on PATH, through the runner', async () => {
    const simBin = path.join(repoRoot, 'sim', 'bin');
    const r = await bin(['version', '-o', 'json'], { ...process.env, PATH: `${simBin}:${process.env.PATH}`, EKSA_SIM_EKSCTL_VERSION: 'v0.23.0' });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.eksaSafeUpgrade).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
    expect(report.kubectl.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(report.eksctlAnywhere.version).toMatch(/^v\d+\.\d+\.\d+/);
  });

  it('a tool that is missing is reported, not fatal', async () => {
    const r = await bin(['version', '-o', 'json'], { ...process.env, PATH: path.dirname(process.execPath) });
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.eksctlAnywhere).toEqual({ version: null, error: 'eksctl not found on PATH' });
  });
});

describe('mistakes', () => {
  it('an unknown flag gets the nearest flag of its command, and the hint names that command\'s help', async () => {
    await expect(parseOnly(['preflight', '-f', 'm.yaml', '--kubeconfg', 'k'], io())).rejects.toMatchObject({
      message: 'Unknown argument: kubeconfg (did you mean --kubeconfig?)',
      hint: 'see eksa-safe-upgrade preflight --help',
    });
    await expect(parseOnly(['cluster', '-f', 'm.yaml', '--dryrun'], io())).rejects.toMatchObject({ message: 'Unknown argument: dryrun (did you mean --dry-run?)', hint: 'see eksa-safe-upgrade cluster --help' });
    await expect(parseOnly(['backups', 'list', '--bogus'], io())).rejects.toMatchObject({ message: 'Unknown argument: bogus', hint: 'see eksa-safe-upgrade backups list --help' });
  });

  it('an unknown command says it is unknown, with the nearest command', async () => {
    await expect(parseOnly(['clustr', '-f', 'm.yaml'], io())).rejects.toMatchObject({ message: 'unknown command: clustr (did you mean cluster?)', hint: 'see eksa-safe-upgrade --help' });
    await expect(parseOnly(['frobnicate'], io())).rejects.toMatchObject({ message: 'unknown command: frobnicate' });
  });

  it('finds the command of a command line past global flags', () => {
    expect(commandOf(['-v', '2', 'backups', 'prune', '--keep', '1'])).toBe('backups prune');
    expect(commandOf(['--', 'x'])).toBeUndefined();
    expect(closest('kubeconfg', ['kubeconfig', 'filename'])).toBe('kubeconfig');
    expect(closest('zzz', ['kubeconfig', 'filename'])).toBeUndefined();
  });
});

describe('-v alone', () => {
  it('means -v 1; a number after it is still its value; words after -- are left alone', async () => {
    expect(normalizeArgs(['preflight', '-v', '-f', 'm.yaml'])).toEqual(['preflight', '-v', '1', '-f', 'm.yaml']);
    expect(normalizeArgs(['preflight', '-f', 'm.yaml', '-v'])).toEqual(['preflight', '-f', 'm.yaml', '-v', '1']);
    expect(normalizeArgs(['cluster', '-v', '4', '--', '-v'])).toEqual(['cluster', '-v', '4', '--', '-v']);
    const parsed = await parseOnly(['preflight', '-v', '-f', 'm.yaml'], io());
    expect(parsed?.options).toMatchObject({ verbosity: 1, filename: 'm.yaml' });
  });
});
