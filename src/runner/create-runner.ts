import { Runner } from './runner.js';

/** The runner every command uses: `$`/`!` lines on stderr, journal file when asked for. */
export function createRunner(
  options: { dryRun: boolean; verbosity: number; journal?: string | undefined },
  io: { readonly env: NodeJS.ProcessEnv; stderr(text: string): void },
): Runner {
  return new Runner({
    dryRun: options.dryRun,
    verbose: options.verbosity > 0,
    log: (line) => io.stderr(line),
    journalFile: options.journal ?? io.env.EKSA_SAFE_UPGRADE_JOURNAL,
    env: io.env,
  });
}
