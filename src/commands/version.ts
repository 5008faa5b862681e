import { createRequire } from 'node:module';
import { read } from '../command.js';
import type { OutputFormat } from '../context.js';
import type { ExitCodeName } from '../exit-codes.js';
import { createRunner } from '../runner/create-runner.js';
import type { Runner } from '../runner/runner.js';
import { parseEksctlAnywhereVersion, parseKubectlVersion } from '../tools/versions.js';
import type { CommandIo } from './io.js';

export interface VersionOptions {
  readonly output: OutputFormat;
  readonly verbosity: number;
}

/** One tool as found on PATH: its version, or why there is none. */
export interface FoundTool {
  readonly version: string | null;
  readonly error?: string;
}

export interface VersionReport {
  readonly eksaSafeUpgrade: string;
  readonly node: string;
  readonly kubectl: FoundTool;
  readonly eksctlAnywhere: FoundTool;
}

async function found(runner: Runner, argv: string[], why: string, parse: (stdout: string) => string): Promise<FoundTool> {
  try {
    return { version: parse((await runner.run(read(argv, why))).stdout) };
  } catch (error) {
    return { version: null, error: error instanceof Error ? error.message : String(error) };
  }
}

/** `version`: this tool's version and the kubectl and eksctl anywhere it finds (client side only; no cluster is read). */
export async function version(options: VersionOptions, io: CommandIo): Promise<ExitCodeName> {
  const runner = createRunner({ dryRun: false, verbosity: options.verbosity }, io);
  const [kubectl, eksctlAnywhere] = await Promise.all([
    found(runner, ['kubectl', 'version', '--client', '-o', 'json'], 'read the kubectl version', parseKubectlVersion),
    found(runner, ['eksctl', 'anywhere', 'version'], 'read the EKS Anywhere version of eksctl', parseEksctlAnywhereVersion),
  ]);
  const report: VersionReport = {
    eksaSafeUpgrade: (createRequire(import.meta.url)('../../package.json') as { version: string }).version,
    node: process.versions.node,
    kubectl,
    eksctlAnywhere,
  };
  if (options.output === 'json') {
    io.stdout(JSON.stringify(report, null, 2));
  } else {
    const show = (t: FoundTool) => t.version ?? `not found (${t.error ?? 'no version'})`;
    io.stdout([`eksa-safe-upgrade: ${report.eksaSafeUpgrade}`, `node:              ${report.node}`, `kubectl:           ${show(kubectl)}`, `eksctl anywhere:   ${show(eksctlAnywhere)}`].join('\n'));
  }
  return 'Success';
}
