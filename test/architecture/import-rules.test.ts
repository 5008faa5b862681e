import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-bin.js';
import {
  describeCycle,
  describeViolation,
  execaOutsideRunner,
  folderCycles,
  folderOf,
  importSpecifiers,
  pureCoreViolations,
  readSourceImports,
  type ImportEdge,
} from './import-checker.js';

const edges = readSourceImports(repoRoot);

describe('import rules of src/', () => {
  it('reads the imports of every source file', () => {
    // A parser that silently found nothing would make every rule below pass.
    expect(new Set(edges.map((e) => e.file)).size).toBeGreaterThan(50);
    expect(edges).toContainEqual({ file: 'src/runner/runner.ts', specifier: 'execa' });
    expect(edges).toContainEqual({ file: 'src/cli.ts', specifier: './errors.js', target: 'src/errors.ts' });
  });

  it('imports execa only under src/runner/, and there in one file: the execution core', () => {
    expect(execaOutsideRunner(edges).map(describeViolation)).toEqual([]);
    expect([...new Set(edges.filter((e) => e.specifier === 'execa').map((e) => e.file))]).toEqual(['src/runner/runner.ts']);
  });

  it('keeps the pure cores free of the runner, commands, steps, the file system and child processes', () => {
    expect(pureCoreViolations(edges).map(describeViolation)).toEqual([]);
  });

  it('has no cycle between the folders of src/', () => {
    expect(folderCycles(edges).map(describeCycle)).toEqual([]);
  });
});

describe('the import checker itself', () => {
  const edge = (file: string, specifier: string, target?: string): ImportEdge => ({ file, specifier, target });

  it.each([
    ["import { a } from './a.js';", ['./a.js']],
    ["import type { A } from '../x/a.js';", ['../x/a.js']],
    ["import {\n  a,\n  b,\n} from './multi.js';", ['./multi.js']],
    ["export { a } from './a.js';\nexport * from './b.js';", ['./a.js', './b.js']],
    ["import './side-effect.js';", ['./side-effect.js']],
    ["const m = await import('./lazy.js');", ['./lazy.js']],
    ["import { execa } from 'execa';\nimport fs from 'node:fs';", ['execa', 'node:fs']],
    ["// import { a } from './commented.js';\nconst s = \"import x from './in-a-string.js'\";", []],
  ])('reads the imports of %j', (text, expected) => {
    expect(importSpecifiers(text)).toEqual(expected);
  });

  it.each([
    ['src/kube/types.ts', 'kube'],
    ['src/cli.ts', 'cli.ts'],
    ['src/a/b/c.ts', 'a'],
    ['test/x.ts', undefined],
  ])('puts %s in folder %s', (file, folder) => {
    expect(folderOf(file)).toBe(folder);
  });

  it('finds a cycle between folders and names each import on it', () => {
    const cycles = folderCycles([
      edge('src/a/x.ts', '../b/y.js', 'src/b/y.ts'),
      edge('src/b/y.ts', '../c.js', 'src/c.ts'),
      edge('src/c.ts', './a/z.js', 'src/a/z.ts'),
      edge('src/a/z.ts', './x.js', 'src/a/x.ts'),
      edge('src/d/w.ts', '../a/x.js', 'src/a/x.ts'),
    ]);
    expect(cycles).toEqual([
      {
        knot: ['a', 'b', 'c.ts'],
        folders: ['a', 'b', 'c.ts', 'a'],
        steps: [
          "a → b (src/a/x.ts imports '../b/y.js')",
          "b → c.ts (src/b/y.ts imports '../c.js')",
          "c.ts → a (src/c.ts imports './a/z.js')",
        ],
      },
    ]);
  });

  it('finds a two-folder cycle made of type imports', () => {
    const cycles = folderCycles([edge('src/spec/types.ts', '../kube/kinds.js', 'src/kube/kinds.ts'), edge('src/kube/kinds.ts', '../spec/types.js', 'src/spec/types.ts')]);
    expect(cycles.map((c) => c.folders)).toEqual([['kube', 'spec', 'kube']]);
  });

  it('passes a layered graph', () => {
    const clean = [
      edge('src/cli.ts', './commands/run.js', 'src/commands/run.ts'),
      edge('src/commands/run.ts', '../runner/runner.js', 'src/runner/runner.ts'),
      edge('src/commands/run.ts', '../kube/types.js', 'src/kube/types.ts'),
      edge('src/runner/runner.ts', 'execa'),
      edge('src/runner/runner.ts', '../errors.js', 'src/errors.ts'),
      edge('src/kube/types.ts', '../errors.js', 'src/errors.ts'),
      edge('src/kube/kinds.ts', './types.js', 'src/kube/types.ts'),
      edge('src/kubectl/kubectl.ts', 'node:child_process'),
    ];
    expect(folderCycles(clean)).toEqual([]);
    expect(pureCoreViolations(clean)).toEqual([]);
    expect(execaOutsideRunner(clean)).toEqual([]);
  });

  it('finds execa outside src/runner/', () => {
    expect(execaOutsideRunner([edge('src/handoff/h.ts', 'execa'), edge('src/runner/r.ts', 'execa'), edge('src/cli.ts', 'execa/sub')]).map(describeViolation)).toEqual([
      "src/handoff/h.ts imports 'execa': execa is imported only under src/runner/",
      "src/cli.ts imports 'execa/sub': execa is imported only under src/runner/",
    ]);
  });

  it.each([
    [edge('src/spec/load.ts', 'node:fs/promises'), 'pure core src/spec/ must not import node:fs/promises'],
    [edge('src/kube/client.ts', 'node:child_process'), 'pure core src/kube/ must not import node:child_process'],
    [edge('src/readiness/x.ts', 'fs'), 'pure core src/readiness/ must not import fs'],
    [edge('src/runbook/x.ts', '../runner/command.js', 'src/runner/command.ts'), 'pure core src/runbook/ must not import src/runner/'],
    [edge('src/skew/x.ts', '../commands/io.js', 'src/commands/io.ts'), 'pure core src/skew/ must not import src/commands/'],
    [edge('src/policy/x.ts', '../steps/gate.js', 'src/steps/gate.ts'), 'pure core src/policy/ must not import src/steps/'],
    [edge('src/plan/x.ts', 'execa'), 'pure core src/plan/ must not import execa'],
  ])('finds the forbidden import %j', (e, rule) => {
    expect(pureCoreViolations([e])).toEqual([{ file: e.file, specifier: e.specifier, rule }]);
  });

  it('lets the edges import what the pure cores may not', () => {
    expect(pureCoreViolations([edge('src/steps/x.ts', 'node:fs'), edge('src/backup/x.ts', '../runner/runner.js', 'src/runner/runner.ts'), edge('src/kube/x.ts', 'node:net'), edge('src/kube/x.ts', 'yaml')])).toEqual([]);
  });
});
