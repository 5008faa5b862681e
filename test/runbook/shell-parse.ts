// Reads RESTORE.md back the way an operator's shell would: the commands of its ```bash blocks, and each
// command's words as bash itself splits and expands them (so quoting is checked by the real shell).
import { execFileSync } from 'node:child_process';

/** Every command of the bash blocks: continuation lines joined, heredoc bodies and comment lines left out. */
export function commandsOf(markdown: string): string[] {
  const commands: string[] = [];
  let inBlock = false;
  let heredoc: string | undefined;
  let pending = '';
  for (const line of markdown.split('\n')) {
    if (!inBlock) {
      if (line === '```bash') inBlock = true;
      continue;
    }
    if (heredoc !== undefined) {
      if (line === heredoc) heredoc = undefined;
      continue;
    }
    if (line === '```') {
      inBlock = false;
      continue;
    }
    if (pending === '' && line.trimStart().startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const command = (pending + line).trim();
    pending = '';
    if (command === '') continue;
    commands.push(command);
    const tag = /<<'(\w+)'/.exec(command);
    if (tag) heredoc = tag[1];
  }
  return commands;
}

/** The words bash makes of one simple command, with the given variables set. */
export function isSimple(command: string): boolean {
  return !/[|;&]|\s>|<</.test(command.replace(/'[^']*'/g, "''").replace(/"[^"]*"/g, '""'));
}

export function argvOf(command: string, env: Record<string, string> = {}): string[] {
  if (!isSimple(command)) throw new Error(`not a simple command: ${command}`);
  const out = execFileSync('bash', ['--noprofile', '--norc', '-c', `words() { printf '%s\\0' "$@"; }\nwords ${command}`], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
  });
  return out.split('\0').slice(0, -1);
}

/** The simple commands starting with `program` (after any VAR=value words), parsed; pipelines are left out. */
export function invocations(markdown: string, program: string, env: Record<string, string> = {}): string[][] {
  return commandsOf(markdown)
    .filter((c) => isSimple(c) && new RegExp(`^(\\w+=\\S+ )*${program}( |$)`).test(c))
    .map((c) => argvOf(c, env))
    .map((argv) => argv.slice(argv.findIndex((w) => !/^\w+=/.test(w))));
}

/** The value after a flag, in `--flag value` or `--flag=value` form. */
export function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((w) => w.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** Every value of a repeated flag. */
export function flags(argv: readonly string[], name: string): string[] {
  return argv.flatMap((w, i) => (w === name && argv[i + 1] !== undefined ? [argv[i + 1]!] : w.startsWith(`${name}=`) ? [w.slice(name.length + 1)] : []));
}

/** The text of the first bash block holding `needle`, to run as written. */
export function blockContaining(markdown: string, needle: string): string {
  const blocks = [...markdown.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  const found = blocks.find((b) => b.includes(needle));
  if (found === undefined) throw new Error(`no bash block holds ${needle}`);
  return found;
}
