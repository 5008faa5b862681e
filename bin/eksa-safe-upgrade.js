#!/usr/bin/env node
// The only place that turns outcomes and errors into a process exit code (see src/exit-codes.ts).
import { describeFailure, isVerbose, main } from '../dist/cli.js';
import { processIo } from '../dist/commands/io.js';
import { printable } from '../dist/errors.js';
import { redactUrls } from '../dist/command.js';
import { ExitCode } from '../dist/exit-codes.js';

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
