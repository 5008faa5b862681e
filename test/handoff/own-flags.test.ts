import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { OWN_FLAGS, refuseOwnFlagsAfterDashDash } from '../../src/handoff/own-flags.js';

function refusal(words: string[]): UsageError | undefined {
  try {
    refuseOwnFlagsAfterDashDash(words);
    return undefined;
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
}

describe('refuseOwnFlagsAfterDashDash', () => {
  const rows: Array<{ words: string[]; refused: string | undefined }> = [
    { words: ['--dry-run'], refused: 'dry-run' },
    { words: ['--dry-run=true'], refused: 'dry-run' },
    { words: ['--dry-run=false'], refused: 'dry-run' },
    { words: ['--report=x'], refused: 'report' },
    { words: ['--report', 'x'], refused: 'report' },
    { words: ['--plan'], refused: 'plan' },
    { words: ['--plan-out=p.json'], refused: 'plan-out' },
    { words: ['--DRY-RUN'], refused: 'dry-run' },
    { words: ['-dry-run'], refused: 'dry-run' },
    { words: ['-v', '9', '--skip-etcd-backup'], refused: 'skip-etcd-backup' },
    { words: ['--force-unlock', '--dry-run'], refused: 'force-unlock' },
    // eksctl's own flags (and their values) go through.
    { words: ['-v'], refused: undefined },
    { words: ['-v', '4'], refused: undefined },
    { words: ['--kubeconfig', '/tmp/k'], refused: undefined },
    { words: ['--kubeconfig=/tmp/k'], refused: undefined },
    { words: ['--bundles-override', 'bundle.yaml'], refused: undefined },
    { words: ['--no-timeouts', '--skip-validations=pod-disruption'], refused: undefined },
    // Not flags, or only like one.
    { words: ['dry-run'], refused: undefined },
    { words: ['report=x'], refused: undefined },
    { words: ['--dry-runner'], refused: undefined },
    { words: ['---dry-run'], refused: undefined },
    { words: [], refused: undefined },
  ];
  it.each(rows)('$words: $refused', ({ words, refused }) => {
    const error = refusal(words);
    if (refused === undefined) {
      expect(error).toBeUndefined();
      return;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.message).toBe(`--${refused} is a flag of eksa-safe-upgrade; put it before \`--\``);
  });

  it('the error says the words after `--` go to eksctl', () => {
    expect(refusal(['--plan'])!.hint).toMatch(/after `--` go to eksctl/);
  });

  it('refuses every flag of the list, in both spellings', () => {
    for (const flag of OWN_FLAGS) {
      expect(refusal([`--${flag}`])?.message, flag).toMatch(new RegExp(`^--${flag} is a flag of eksa-safe-upgrade`));
      expect(refusal([`--${flag}=1`])?.message, flag).toMatch(new RegExp(`^--${flag} is a flag`));
    }
  });
});
