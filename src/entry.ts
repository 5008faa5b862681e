// What bin/eksa-safe-upgrade.js needs, in one module: the root of the bundle `npm run build` writes
// (dist/cli.bundle.mjs), so a start resolves and compiles one file instead of a graph of them.
export { describeFailure, isVerbose, main } from './cli.js';
export { processIo } from './commands/io.js';
export { printable } from './errors.js';
export { redactUrls } from './command.js';
export { ExitCode } from './exit-codes.js';
