// Every `eksa-safe-upgrade …` command line of a Markdown file (bash/sh code blocks) or a CI file
// (GitHub Actions `run:`, GitLab `script:`), with the variables it expands and the EKSA_SAFE_UPGRADE_*
// environment it runs with.
import { parse as parseYaml } from 'yaml';
import { toolInvocation, tokenize, type ShellVars } from './shell-words.js';

export interface ExampleCommand {
  /** File and line (Markdown) or file and YAML path (CI), for the failure message. */
  readonly where: string;
  readonly args: string[];
  /** EKSA_SAFE_UPGRADE_* variables in effect, which the CLI reads as flags. */
  readonly env: Record<string, string>;
}

export interface Extracted {
  readonly commands: ExampleCommand[];
  readonly errors: string[];
}

/** Variables with a parent scope; a scope's own values win. */
export class Scope implements ShellVars {
  private readonly own = new Map<string, string>();
  constructor(private readonly parent?: Scope) {}
  get(name: string): string | undefined {
    return this.own.get(name) ?? this.parent?.get(name);
  }
  set(name: string, value: string): void {
    this.own.set(name, value);
  }
  child(): Scope {
    return new Scope(this);
  }
  entries(): Record<string, string> {
    return { ...this.parent?.entries(), ...Object.fromEntries(this.own) };
  }
}

function toolEnv(scope: Scope, own: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...scope.entries(), ...own }).filter(([k]) => k.startsWith('EKSA_SAFE_UPGRADE_')));
}

function collect(text: string, scope: Scope, where: string, out: { commands: ExampleCommand[]; errors: string[] }): void {
  const { commands, errors } = tokenize(text, scope);
  out.errors.push(...errors.map((e) => `${where}: ${e}`));
  for (const words of commands) {
    const call = toolInvocation(words);
    if (call) out.commands.push({ where, args: call.args, env: toolEnv(scope, call.env) });
  }
}

const SHELL_LANGUAGES = new Set(['bash', 'sh', 'shell']);

/** bash/sh code blocks, in order, in one shell: a variable set in one block holds in the next. */
export function commandsInMarkdown(file: string, text: string, base: Scope): Extracted {
  const out = { commands: [] as ExampleCommand[], errors: [] as string[] };
  const scope = base.child();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const open = /^(\s*)(```+|~~~+)\s*([\w-]*)/.exec(lines[n]!);
    if (!open) continue;
    const fence = open[2]!;
    const start = n + 1;
    const body: string[] = [];
    for (n += 1; n < lines.length && !lines[n]!.trimStart().startsWith(fence); n++) body.push(lines[n]!);
    if (SHELL_LANGUAGES.has(open[3]!)) collect(body.join('\n'), scope, `${file}:${start + 1}`, out);
  }
  return out;
}

/**
 * A GitHub Actions workflow or a GitLab CI file: `env:` / `variables:` scopes from the top down, then every
 * `run:`, `script:`, `before_script:`, `after_script:`. GitHub `${{ … }}` expressions are allowed in `env:`
 * values only (inside `run:` they would be pasted into the script unquoted).
 */
export function commandsInCiFile(file: string, text: string, base: Scope): Extracted {
  const doc = parseYaml(text) as Record<string, unknown>;
  const out = { commands: [] as ExampleCommand[], errors: [] as string[] };
  const evaluate = (value: string, where: string, scope: Scope): string =>
    value
      .replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
        const result = githubExpression(expr, doc);
        if (result === undefined) out.errors.push(`${where}: no sample value for the expression \${{ ${expr} }}`);
        return result ?? '';
      })
      .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, name: string) => scope.get(name) ?? m);

  const walk = (node: unknown, scope: Scope, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, scope, `${path}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    const inner = scope.child();
    for (const key of ['env', 'variables']) {
      const vars = object[key];
      if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) continue;
      for (const [name, raw] of Object.entries(vars as Record<string, unknown>)) {
        const value = raw !== null && typeof raw === 'object' ? (raw as { value?: unknown }).value : raw;
        inner.set(name, evaluate(String(value ?? ''), `${file} ${path}.${key}.${name}`, inner));
      }
    }
    // GitLab `parallel: matrix:`: each job of the matrix gets one value; the first stands for all.
    const matrix = (object.parallel as { matrix?: unknown } | undefined)?.matrix;
    if (Array.isArray(matrix)) {
      for (const entry of matrix as Array<Record<string, unknown>>) {
        for (const [name, values] of Object.entries(entry)) inner.set(name, String(Array.isArray(values) ? values[0] : values));
      }
    }
    for (const [key, value] of Object.entries(object)) {
      const where = `${file} ${path ? `${path}.` : ''}${key}`;
      if (key === 'run' || key === 'script' || key === 'before_script' || key === 'after_script') {
        // One shell per run:/script: list, so assignments carry on within it only.
        const shell = inner.child();
        for (const [i, script] of (Array.isArray(value) ? value : [value]).entries()) {
          if (typeof script !== 'string') continue;
          const at = Array.isArray(value) ? `${where}[${i}]` : where;
          if (script.includes('${{')) out.errors.push(`${at}: a \${{ }} expression inside a script; pass it through env: instead`);
          collect(script, shell, at, out);
        }
      } else if (key !== 'env' && key !== 'variables') {
        walk(value, inner, path ? `${path}.${key}` : key);
      }
    }
  };
  walk(doc, base, '');
  return out;
}

/** A sample value for the GitHub expressions an example may use in env:, from the workflow itself where it can. */
function githubExpression(expr: string, workflow: Record<string, unknown>): string | undefined {
  const input = /^(?:github\.event\.)?inputs\.([\w-]+)$/.exec(expr);
  if (input) {
    const on = (workflow.on ?? workflow[true as unknown as string]) as Record<string, any> | undefined;
    const spec = on?.workflow_dispatch?.inputs?.[input[1]!];
    if (spec === undefined) return undefined;
    return String(spec.default ?? spec.options?.[0] ?? (spec.type === 'boolean' ? false : 'sample'));
  }
  const matrix = /^matrix\.([\w-]+)$/.exec(expr);
  if (matrix) {
    for (const job of Object.values((workflow.jobs ?? {}) as Record<string, any>)) {
      const values = job?.strategy?.matrix?.[matrix[1]!];
      if (Array.isArray(values)) return String(values[0]);
    }
    return undefined;
  }
  if (/^(secrets|vars)\.[\w-]+$/.test(expr)) return 'redacted';
  if (expr === 'runner.temp') return '/home/runner/work/_temp';
  if (expr === 'github.workspace') return '/home/runner/work/fleet/fleet';
  return undefined;
}
