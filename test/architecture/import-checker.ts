// Reads the static imports of src/ and checks the layering rules against them. The rule functions take
// plain import lists, so the test can also run them on made-up graphs and show that they do fail.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** One import of one file: `file` and `target` are paths relative to the repository, with `/`. */
export interface ImportEdge {
  readonly file: string;
  /** The module text as written: `../runner/runner.js`, `execa`, `node:fs`. */
  readonly specifier: string;
  /** The file (or folder) a relative import resolves to; undefined for a package or `node:` module. */
  readonly target?: string | undefined;
}

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly rule: string;
}

/** Folders whose code decides and renders, never acts: they must not reach the process, disk or commands. */
export const PURE_CORES = ['spec', 'kube', 'readiness', 'skew', 'policy', 'runbook', 'plan'] as const;
/** src/ folders a pure core must not import. */
export const FORBIDDEN_FOLDERS = ['runner', 'commands', 'steps'] as const;
/** Modules a pure core must not import. */
export const FORBIDDEN_MODULES = ['node:fs', 'node:fs/promises', 'node:child_process', 'fs', 'fs/promises', 'child_process', 'execa'] as const;

const toPosix = (p: string) => p.split(path.sep).join('/');

/** Every `.ts` file under `dir`, relative to `root`, sorted. */
export function sourceFiles(root: string, dir = 'src'): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.ts')) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

/** The module texts of `import … from`, `export … from`, `import '…'` and `import('…')` with a string literal. */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** A relative import as a file (`x.js` → `x.ts`, `x` → `x.ts` or `x/index.ts`) or folder; undefined if none exists. */
export function resolveRelative(root: string, fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(root, path.dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, path.join(base, 'index.ts')];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? (existsSync(base) && statSync(base).isDirectory() ? base : undefined);
  return found === undefined ? undefined : toPosix(path.relative(root, found));
}

/** The imports of every `src/**\/*.ts` file; a relative import that resolves to nothing is an error. */
export function readSourceImports(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(root)) {
    for (const specifier of importSpecifiers(readFileSync(path.join(root, file), 'utf8'))) {
      if (!specifier.startsWith('.')) {
        edges.push({ file, specifier });
        continue;
      }
      const target = resolveRelative(root, file, specifier);
      if (target === undefined) throw new Error(`${file}: import '${specifier}' resolves to no file`);
      edges.push({ file, specifier, target });
    }
  }
  return edges;
}

/** The node of the folder graph a path belongs to: `src/kube/types.ts` → `kube`, `src/cli.ts` → `cli.ts`. */
export function folderOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'src' || parts.length < 2) return undefined;
  return parts[1];
}

const isModule = (specifier: string, name: string) => specifier === name || specifier.startsWith(`${name}/`);

/** Files outside src/runner/ that import execa. */
export function execaOutsideRunner(edges: readonly ImportEdge[]): Violation[] {
  return edges
    .filter((e) => isModule(e.specifier, 'execa') && folderOf(e.file) !== 'runner')
    .map((e) => ({ file: e.file, specifier: e.specifier, rule: 'execa is imported only under src/runner/' }));
}

/** Imports of a pure core folder that reach I/O: a forbidden module or a forbidden src/ folder. */
export function pureCoreViolations(edges: readonly ImportEdge[]): Violation[] {
  const pure = new Set<string>(PURE_CORES);
  const out: Violation[] = [];
  for (const e of edges) {
    const from = folderOf(e.file);
    if (from === undefined || !pure.has(from)) continue;
    const module = FORBIDDEN_MODULES.find((m) => m === e.specifier || (m === 'execa' && isModule(e.specifier, m)));
    const folder = e.target === undefined ? undefined : FORBIDDEN_FOLDERS.find((f) => folderOf(e.target!) === f);
    if (module) out.push({ file: e.file, specifier: e.specifier, rule: `pure core src/${from}/ must not import ${module}` });
    else if (folder) out.push({ file: e.file, specifier: e.specifier, rule: `pure core src/${from}/ must not import src/${folder}/` });
  }
  return out;
}

/** One cycle of the folder graph, as `a → b → … → a`, each step with the import that makes it. */
export interface FolderCycle {
  /** Every folder of the strongly connected group the cycle was taken from. */
  readonly knot: readonly string[];
  readonly folders: readonly string[];
  readonly steps: readonly string[];
}

/**
 * Cycles between src/ folders (each direct subfolder, and each file directly in src/, is a node):
 * one concrete cycle per strongly connected group of folders, so every knot is reported once.
 */
export function folderCycles(edges: readonly ImportEdge[]): FolderCycle[] {
  const graph = new Map<string, Map<string, ImportEdge>>();
  for (const e of edges) {
    const from = folderOf(e.file);
    const to = e.target === undefined ? undefined : folderOf(e.target);
    if (from === undefined || to === undefined) continue;
    if (!graph.has(from)) graph.set(from, new Map());
    if (!graph.has(to)) graph.set(to, new Map());
    if (from !== to && !graph.get(from)!.has(to)) graph.get(from)!.set(to, e);
  }
  const nodes = [...graph.keys()].sort();
  const next = (n: string) => [...graph.get(n)!.keys()].sort();

  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);

  return groups.map((group) => {
    // The shortest way back to the group's first folder, found breadth-first inside the group.
    const members = new Set(group);
    const start = group[0]!;
    const cameFrom = new Map<string, string>();
    const queue = next(start).filter((n) => members.has(n));
    for (const n of queue) cameFrom.set(n, start);
    for (let i = 0; i < queue.length && !cameFrom.has(start); i += 1) {
      const n = queue[i]!;
      for (const m of next(n)) {
        if (!members.has(m) || cameFrom.has(m)) continue;
        cameFrom.set(m, n);
        queue.push(m);
      }
    }
    const cycle: string[] = [start];
    for (let n = cameFrom.get(start)!; n !== start; n = cameFrom.get(n)!) cycle.unshift(n);
    cycle.unshift(start);
    const steps = cycle.slice(1).map((to, i) => {
      const e = graph.get(cycle[i]!)!.get(to)!;
      return `${cycle[i]} → ${to} (${e.file} imports '${e.specifier}')`;
    });
    return { knot: group, folders: cycle, steps };
  });
}

export function describeViolation(v: Violation): string {
  return `${v.file} imports '${v.specifier}': ${v.rule}`;
}

export function describeCycle(c: FolderCycle): string {
  const knot = c.knot.length > c.folders.length - 1 ? ` (one path through the knot ${c.knot.join(', ')})` : '';
  return `${c.folders.join(' → ')}${knot}\n    ${c.steps.join('\n    ')}`;
}
