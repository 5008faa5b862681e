// Issue 15, finding 17: without --ssh-known-hosts, each set records the node host keys it saw (accept-new).
// The next backup checks them against the newest earlier set's etcd/known_hosts: a key that changed since
// is refused (exit 8, naming the host and both fingerprints) unless --accept-changed-host-keys, which is
// recorded in the manifest. RESTORE.md's ssh and scp lines check keys against the set's own known_hosts.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdPaths } from '../../sim/index.js';
import { runBin } from '../helpers/run-bin.js';
import { scenarioExtending } from '../helpers/scenario-file.js';
import { startSim, type Sim } from '../helpers/sim.js';
import { requireRealTools } from '../helpers/testbed.js';

const IMAGE = 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0-eks-a-99';
const available = requireRealTools();
let s: Sim;
beforeAll(async () => {
  if (available) {
    const scenario = scenarioExtending('healthy', { clusters: [{ name: 'mgmt', os: 'ubuntu', etcd: 'external', controlPlane: 1, etcdCount: 1, workers: [{ name: 'md-0', count: 1 }] }] });
    s = await startSim({ scenario, realEtcd: true });
  }
}, 60_000);
afterAll(async () => {
  await s?.close();
});

const mgmtDir = () => path.join(s.workdir, 'mgmt');
const completeSets = () => readdirSync(mgmtDir()).filter((n) => /-backup-\d{4}-[^.]*$/.test(n)).sort();
// Not --ssh-known-hosts (the simulator's env sets it): accept-new, recorded in the set.
const env = () => ({ ...s.env, EKSA_SAFE_UPGRADE_SSH_KNOWN_HOSTS: '' });
const backup = (args: string[] = []) => runBin(['backup', '-f', s.specFile(), '--cli-tools-image', IMAGE, ...args], { env: env(), cwd: s.workdir, timeoutMs: 120_000 });
const fingerprintOf = (pubFile: string) => `SHA256:${createHash('sha256').update(Buffer.from(readFileSync(pubFile, 'utf8').split(' ')[1]!, 'base64')).digest('base64').replace(/=+$/, '')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!available)('a changed node host key (finding 17)', () => {
  it('is refused against the newest earlier set, naming host and both fingerprints; accepted only with --accept-changed-host-keys, recorded', { timeout: 240_000 }, async () => {
    const first = await backup();
    expect(first.exitCode, first.stderr).toBe(0);
    const [set1] = completeSets();
    const recorded = readFileSync(path.join(mgmtDir(), set1!, 'etcd', 'known_hosts'), 'utf8');
    expect(recorded.trim().length).toBeGreaterThan(0);
    const runbook = readFileSync(path.join(mgmtDir(), set1!, 'RESTORE.md'), 'utf8');
    expect(runbook).toContain(`ssh -o UserKnownHostsFile=${path.join(mgmtDir(), set1!, 'etcd', 'known_hosts')} -o StrictHostKeyChecking=yes -i "$SSH_KEY"`);
    expect(runbook).toContain(`scp -o UserKnownHostsFile=${path.join(mgmtDir(), set1!, 'etcd', 'known_hosts')} -o StrictHostKeyChecking=yes -i "$SSH_KEY"`);

    // The same keys: the next set is checked against the first and passes.
    await sleep(1100);
    const same = await backup();
    expect(same.exitCode, same.stderr).toBe(0);
    const [, set2] = completeSets();
    expect(JSON.parse(readFileSync(path.join(mgmtDir(), set2!, 'manifest.json'), 'utf8')).hostKeys).toEqual({ checkedAgainst: path.join(set1!, 'etcd', 'known_hosts'), acceptChanged: false });

    // The node's host key changes (sshd reads its key file for every connection).
    const hostKey = path.join(etcdPaths(s.workdir).ssh, 'ssh_host_ed25519_key');
    const before = fingerprintOf(`${hostKey}.pub`);
    rmSync(hostKey, { force: true });
    rmSync(`${hostKey}.pub`, { force: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    const after = fingerprintOf(`${hostKey}.pub`);
    expect(after).not.toBe(before);

    await sleep(1100);
    const refused = await backup();
    expect(refused.exitCode, refused.stderr).toBe(8);
    expect(refused.stderr).toMatch(/^Error: .*the host key of \[127\.[0-9.]+\]:\d+ .*changed/m);
    expect(refused.stderr).toContain(before);
    expect(refused.stderr).toContain(after);
    expect(refused.stderr).toMatch(/--accept-changed-host-keys/);
    expect(completeSets()).toHaveLength(2);

    await sleep(1100);
    const accepted = await backup(['--accept-changed-host-keys']);
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    const set4 = completeSets().at(-1)!;
    expect(JSON.parse(readFileSync(path.join(mgmtDir(), set4, 'manifest.json'), 'utf8')).hostKeys).toEqual({ acceptChanged: true });
    expect(readFileSync(path.join(mgmtDir(), set4, 'etcd', 'known_hosts'), 'utf8')).not.toBe(recorded);
  });
});
