// `cluster` as an operator sees it in a real terminal (issue 17, "Done when"): tmux, an 80-column pane, the
// simulated tree, eksctl exits 0 but the cluster never gets Ready; Ctrl-C while confirming. Asserted on the
// screen: the wait is visible, RESTORE.md is not dumped, the set's path and `restore-plan` are shown.
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatExports } from '../../sim/index.js';
import { binPath } from '../helpers/run-bin.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import { startSim, type Sim } from '../helpers/sim.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const socket = `eksa-safe-upgrade-test-${process.pid}`;
const session = 'upgrade';
const tmux = (...args: string[]) => execa('tmux', ['-L', socket, '-f', '/dev/null', ...args], { reject: false });
/** The pane as seen, wrapped lines joined (a long path is one line), with its scrollback. */
const screen = async () => String((await tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session)).stdout);

async function until(what: string, test: (text: string) => boolean, ms = 90_000): Promise<string> {
  const end = Date.now() + ms;
  let text = '';
  while (Date.now() < end) {
    text = await screen();
    if (test(text)) return text;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; the screen:\n${text}`);
}

let sim: Sim | undefined;
afterEach(async () => {
  await tmux('kill-server');
  await sim?.close();
  sim = undefined;
});

describe('cluster in a terminal (tmux, 80 columns)', () => {
  it('Ctrl-C while confirming: progress was visible, no RESTORE.md dump, the set path and restore-plan shown', { timeout: 180_000 }, async () => {
    const which = await execa('tmux', ['-V'], { reject: false });
    if (which.exitCode !== 0 && !process.env.REQUIRE_REAL_TOOLS) return;
    expect(which.exitCode, 'tmux must be installed (REQUIRE_REAL_TOOLS=1)').toBe(0);

    const s = (sim = await startSim({ scenario: scenarioExtending('healthy', { eksctl: { upgrade: { outcome: 'exit-early-not-ready' } } }) }));
    const script = path.join(s.workdir, 'run.sh');
    const argv = [process.execPath, binPath, 'cluster', '-f', s.specFile(), '--cli-tools-image', IMAGE, '--skip-etcd-backup', '--reason', 'tmux test', '--confirm-interval', '1s', '--confirm-timeout', '10m'];
    writeFileSync(
      script,
      [
        formatExports(Object.fromEntries(Object.entries(s.env).filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)))),
        // A terminal, as an operator has it: not CI, colours allowed.
        'unset CI NO_COLOR GITHUB_ACTIONS',
        `cd ${JSON.stringify(s.workdir)}`,
        argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' '),
        'echo "EXIT=$?"',
        'sleep 600',
      ].join('\n'),
    );
    const started = await tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '40', `bash ${script}`);
    expect(started.stderr).toBe('');

    // eksctl is done and the confirmation polls: its state is on the screen while it waits.
    const waiting = await until('the confirmation progress', (t) => /Confirm from the cluster/.test(t) && /observed generation/.test(t) && /waited/.test(t));
    expect(waiting).toMatch(/mgmt: Ready \S+/);
    await new Promise((r) => setTimeout(r, 1500));
    await tmux('send-keys', '-t', session, 'C-c');

    const after = await until('the run to end', (t) => /EXIT=\d+/.test(t));
    expect(after).toMatch(/EXIT=130/);
    expect(after).toMatch(/Interrupted while confirming: eksctl had finished \(exit 0\)/);
    expect(after).toMatch(/Backup of this run: \S+\/mgmt\/mgmt-backup-[0-9T_-]+/);
    expect(after).toMatch(/eksa-safe-upgrade restore-plan \S+\/mgmt\/mgmt-backup-[0-9T_-]+/);
    // Not the runbook: none of its sections, and far fewer lines than its ~300.
    expect(after).not.toMatch(/## (Which procedure|Variables|Before anything|After the restore|Pitfalls)/);
    expect(after).not.toMatch(/--from-directory/);
    expect(after.split('\n').filter((l) => l.trim() !== '').length).toBeLessThan(120);
  });
});
