#!/usr/bin/env node
// The CLI as shipped: one ESM entry, dist/cli.bundle.mjs, that bin/eksa-safe-upgrade.js loads, built from
// tsc's dist/entry.js (so it is the same code the tests import) with the runtime dependencies inside.
// Each command's modules stay behind their dynamic import() in cli.ts and become chunks under dist/chunks/,
// loaded only when that command runs: `--help` loads the entry and the few chunks the parser needs
// instead of resolving and compiling ~60 files of ours and ~100 of yargs, execa, listr2, chalk, yaml, zod
// and semver. Why the dependencies are bundled and the chunks not inlined: bench/RESULTS.md (Notes).
//   node scripts/bundle.mjs     (after tsc; `npm run build` runs both)
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

// One string-width for the whole bundle: the one yargs itself depends on (8.x). cliui and wrap-ansi ask
// for ^7.2, whose per-character Intl.Segmenter and emoji regex make yargs' help rendering (which yargs runs
// on every command, not only for --help) several times slower; same API, same widths for our text.
// An npm `overrides` entry would do this only in a checkout of this repository; the bundle ships it.
const stringWidth = createRequire(path.join(root, 'node_modules', 'yargs', 'package.json')).resolve('string-width');

/**
 * Exact text replaced in one module while bundling. A replacement whose text is gone (a dependency or
 * cli.ts changed) fails the build: a patch must never be lost silently.
 */
const PATCHES = [
  {
    // Our version, written in: one file less to resolve and read at every start.
    file: (id) => id === path.join(dist, 'cli.js'),
    from: "createRequire(import.meta.url)('../package.json')",
    to: JSON.stringify({ version }),
  },
  {
    // string-width builds an Intl.Segmenter when it loads, which loads ICU's break-iterator data: 40-80 ms
    // of every start on the bench machine, although only text outside printable ASCII uses it (its own fast
    // path takes the rest, and all of our help is ASCII). Built on first use instead.
    file: (id) => /[\\/]string-width[\\/]index\.js$/.test(id),
    from: 'const segmenter = new Intl.Segmenter();',
    to: 'let built;\nconst segmenter = { segment: (text) => (built ??= new Intl.Segmenter()).segment(text) };',
  },
  {
    // yargs looks for its message translations three folders above its own file, which from the bundle is
    // outside this package. Our messages are English; so are yargs' built-in strings when no file is found.
    file: (id) => /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/.test(id),
    from: "resolve(__dirname, '../../../locales')",
    to: "resolve(__dirname, '../locales')",
  },
];

const patches = {
  name: 'eksa-safe-upgrade-patches',
  transform(code, id) {
    const mine = PATCHES.filter((p) => p.file(id));
    if (mine.length === 0) return null;
    let out = code;
    for (const p of mine) {
      if (!out.includes(p.from)) throw new Error(`${id} no longer contains ${JSON.stringify(p.from)}: update scripts/bundle.mjs`);
      out = out.replace(p.from, p.to);
      p.applied = true;
    }
    return out;
  },
};

rmSync(path.join(dist, 'chunks'), { recursive: true, force: true });
await build({
  input: path.join(dist, 'entry.js'),
  platform: 'node',
  resolve: { alias: { 'string-width': stringWidth } },
  plugins: [patches],
  external: [/^node:/],
  logLevel: 'warn',
  output: {
    dir: dist,
    format: 'esm',
    entryFileNames: 'cli.bundle.mjs',
    chunkFileNames: 'chunks/[name]-[hash].mjs',
    // Not minified: names and lines stay readable in the stack traces -v prints, and V8 parses lazily,
    // so a smaller file would save little.
    minify: false,
  },
});
const missed = PATCHES.filter((p) => !p.applied);
if (missed.length > 0) throw new Error(`patches not applied (module not bundled?): ${missed.map((p) => p.from).join('; ')}`);
