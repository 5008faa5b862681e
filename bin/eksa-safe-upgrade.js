#!/usr/bin/env node
// The only place that turns outcomes and errors into a process exit code (see src/exit-codes.ts).
import { statSync } from 'node:fs';

// The bundle `npm run build` writes (scripts/bundle.mjs: one file to start, each command loaded when it runs),
// unless tsc rebuilt dist/ after it: then the modules tsc wrote, so a `tsc`-only build never runs stale code.
const dist = new URL('../dist/', import.meta.url);
const modified = (name) => {
  try {
    return statSync(new URL(name, dist)).mtimeMs;
  } catch {
    return undefined;
  }
};
const bundle = modified('cli.bundle.mjs');
const modules = modified('entry.js');
const entry = bundle !== undefined && (modules === undefined || bundle >= modules) ? 'cli.bundle.mjs' : 'entry.js';
const { ExitCode, describeFailure, isVerbose, main, printable, processIo, redactUrls } = await import(new URL(entry, dist).href);

const args = process.argv.slice(2);
try {
  const outcome = await main(args, processIo());
  process.exitCode = ExitCode[outcome];
} catch (error) {
  const { text, exit } = describeFailure(error, isVerbose(args, process.env));
  // Error text carries values from the API, tools and manifests: the terminal sink, control characters visible.
  process.stderr.write(`${printable(redactUrls(text))}\n`);
  process.exitCode = ExitCode[exit];
}
