#!/usr/bin/env node
// The only place that turns outcomes and errors into a process exit code (see src/exit-codes.ts).
// It loads the bundle `npm run build` writes (scripts/bundle.mjs): one file to start, commands loaded when run.
import { ExitCode, describeFailure, isVerbose, main, printable, processIo, redactUrls } from '../dist/cli.bundle.mjs';

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
