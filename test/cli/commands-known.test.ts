// Every command the help lists is one the usage errors know: a bad flag of `route` or `recover` points to that
// command's own help, never "unknown command".
import { describe, expect, it } from 'vitest';
import { runBin } from '../helpers/run-bin.js';

describe('usage errors know every command', async () => {
  const help = await runBin(['--help'], { env: process.env });
  const commands = [...help.stdout.matchAll(/^ {2}eksa-safe-upgrade ([a-z-]+)/gm)].map((m) => m[1]!);

  it('the help lists the commands', () => {
    expect(commands).toEqual(expect.arrayContaining(['preflight', 'cluster', 'workloads', 'drill', 'route', 'recover', 'backups', 'version']));
  });

  it.each(commands.filter((c) => c !== 'completion' && c !== 'backups'))('%s --no-such-flag names its own --help', async (command) => {
    const r = await runBin([command, '--no-such-flag'], { env: process.env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).not.toContain('unknown command');
    expect(r.stderr).toContain(`see eksa-safe-upgrade ${command} --help`);
  });
});
