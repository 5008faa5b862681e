import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BackupManifest } from '../../src/backup/manifest.js';
import { verifyBackupSet } from '../../src/backup/verify-set.js';
import { renderRestoreRunbook } from '../../src/runbook/restore-runbook.js';
import { parseEtcdEntries } from '../../src/runbook/runbook-etcd-common.js';
import { RESTORE_FILE, readRunbookFacts, runbookFor } from '../../src/backup-sets/restore-file.js';
import { TREE, buildSet, tempFolder, type FixtureCluster } from '../backup-sets/fixtures.js';
import { argvOf, blockContaining, commandsOf, flag, flags, invocations } from './shell-parse.js';

const WHEN = new Date(2026, 10, 29, 10, 0, 0);
const ENV = { NEW_MGMT_KUBECONFIG: '/admin/new mgmt/new.kubeconfig', MGMT_KUBECONFIG: '/admin/mgmt/mgmt.kubeconfig', SSH_KEY: '/keys/id', SSH_USER: 'capv' };

async function runbookOfSet(clusters: FixtureCluster[], options: { cluster?: string; scope?: 'whole-tree' | 'management-only' | 'workload'; leftOut?: string[]; folder?: string; binary?: string } = {}) {
  const root = await tempFolder();
  const mgmtFolder = path.join(root, options.folder ?? 'mgmt');
  const { dir, manifest } = await buildSet(mgmtFolder, {
    cluster: options.cluster ?? 'mgmt',
    management: 'mgmt',
    when: WHEN,
    clusters,
    scope: options.scope,
    leftOut: options.leftOut,
    runbook: true,
    ...(options.binary ? { clusterctl: { source: 'binary' as const, binary: options.binary } } : {}),
  });
  return { dir, manifest: manifest!, text: await readFile(path.join(dir, RESTORE_FILE), 'utf8') };
}

/** The text of one `### etcd of <cluster>` section. */
function etcdSection(text: string, cluster: string): string {
  const start = text.indexOf(`### etcd of \`${cluster}\``);
  expect(start).toBeGreaterThan(0);
  const end = text.slice(start + 1).search(/\n##+ /);
  return end < 0 ? text.slice(start) : text.slice(start, start + 1 + end);
}

describe('RESTORE.md of a whole-tree set', async () => {
  const { dir, manifest, text } = await runbookOfSet(TREE, { folder: "it's my \"mgmt\" $HOME" });
  const workloads = ['w01', 'w02'];

  it('is written into the set, private, listed in the manifest, and the set still verifies', async () => {
    expect((await stat(path.join(dir, RESTORE_FILE))).mode & 0o777).toBe(0o600);
    expect(manifest.files.map((f) => f.path)).toContain(RESTORE_FILE);
    expect((await verifyBackupSet(dir)).ok).toBe(true);
    expect(text.startsWith('#!')).toBe(false);
  });

  it('is the same text when rendered again for the same place (restore-plan relies on it)', async () => {
    expect(await runbookFor(dir, manifest)).toBe(text);
  });

  it('moves every workload cluster into the new management cluster through the recorded cli-tools image', () => {
    const moves = invocations(text, 'docker', ENV).filter((argv) => argv.includes('move') && flag(argv, '--to-kubeconfig') === ENV.NEW_MGMT_KUBECONFIG);
    expect(moves.map((argv) => flag(argv, '--filter-cluster')).sort()).toEqual(workloads);
    for (const argv of moves) {
      expect(argv.slice(0, 2)).toEqual(['docker', 'run']);
      expect(argv[argv.indexOf('--entrypoint') + 2]).toBe(manifest.clusterctl.image);
      expect(flag(argv, '--namespace')).toBe('eksa-system');
      expect(flag(argv, '--from-directory')).toBe(path.join(dir, 'capi'));
      expect(argv).not.toContain('--dry-run');
      const mounts = flags(argv, '-v');
      expect(mounts).toContain(`${path.join(dir, 'capi')}:${path.join(dir, 'capi')}:ro`);
      expect(mounts).toContain(`${path.dirname(ENV.NEW_MGMT_KUBECONFIG)}:${path.dirname(ENV.NEW_MGMT_KUBECONFIG)}`);
    }
  });

  it('re-applies each workload cluster\'s EKS-A objects from eksa/, the Cluster last, files that exist', () => {
    const applies = invocations(text, 'kubectl', ENV).filter((argv) => argv.includes('apply') && flag(argv, '--kubeconfig') === ENV.NEW_MGMT_KUBECONFIG);
    expect(applies).toHaveLength(workloads.length);
    for (const [i, w] of workloads.entries()) {
      const files = flags(applies[i]!, '-f');
      expect(files.map((f) => path.basename(f, '.yaml').split('_').join('/')).sort()).toEqual([...manifest.expected[w]!.eksa].sort());
      expect(path.basename(files.at(-1)!)).toBe(`Cluster_default_${w}.yaml`);
      for (const f of files) expect(existsSync(f), f).toBe(true);
    }
  });

  it('names the EKS-A version the new management cluster must have', () => {
    expect(text).toContain('`eksctl anywhere version` must print `v0.22.3`');
  });

  it('checks the etcd snapshots against the recorded sums: its block, run as written, catches a changed file', async () => {
    const verify = invocations(text, 'eksa-safe-upgrade').filter((a) => a[1] === 'verify');
    expect(verify).toEqual([['eksa-safe-upgrade', 'verify', dir]]);
    const script = blockContaining(text, "sha256sum -c <<'SUMS'");
    const { entries } = parseEtcdEntries(manifest);
    expect(script.match(/^[0-9a-f]{64} {2}etcd\/\S+$/gm)).toEqual(entries.map((e) => `${e.sha256}  ${e.file}`));
    expect(execFileSync('bash', ['-c', script], { encoding: 'utf8' })).toContain(`${entries[1]!.file}: OK`);
    await appendFile(path.join(dir, entries[1]!.file), 'x');
    expect(() => execFileSync('bash', ['-c', script], { encoding: 'utf8', stdio: 'pipe' })).toThrow(/did NOT match/);
  });

  it('pauses before and unpauses after each etcd restore, with both switches', () => {
    for (const e of parseEtcdEntries(manifest).entries) {
      const section = etcdSection(text, e.cluster);
      const kubectl = invocations(section, 'kubectl', ENV);
      const pauseAnnotation = kubectl.findIndex((a) => a.includes('annotate') && a.includes(e.cluster) && a.includes('anywhere.eks.amazonaws.com/paused=true'));
      const pauseCapi = kubectl.findIndex((a) => a.includes('patch') && a.includes(e.cluster) && flag(a, '-p') === '{"spec":{"paused":true}}');
      const unpauseAnnotation = kubectl.findIndex((a) => a.includes('annotate') && a.includes(e.cluster) && a.includes('anywhere.eks.amazonaws.com/paused-'));
      const unpauseCapi = kubectl.findIndex((a) => a.includes('patch') && a.includes(e.cluster) && flag(a, '-p') === '{"spec":{"paused":false}}');
      expect([pauseAnnotation, pauseCapi, unpauseAnnotation, unpauseCapi].every((i) => i >= 0)).toBe(true);
      const lines = section.split('\n');
      const restoreLines = lines.flatMap((l, i) => (l.includes('snapshot restore') ? [i] : []));
      const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle));
      expect(lineOf('anywhere.eks.amazonaws.com/paused=true')).toBeLessThan(restoreLines[0]!);
      expect(lineOf('{"spec":{"paused":true}}')).toBeLessThan(restoreLines[0]!);
      expect(lineOf('anywhere.eks.amazonaws.com/paused-')).toBeGreaterThan(restoreLines.at(-1)!);
      expect(lineOf('{"spec":{"paused":false}}')).toBeGreaterThan(restoreLines.at(-1)!);
      expect(kubectl.filter((a) => a.includes('annotate')).every((a) => flag(a, '-n') === 'default')).toBe(true);
      expect(kubectl.filter((a) => a.includes('patch')).every((a) => flag(a, '-n') === 'eksa-system')).toBe(true);
    }
  });

  it('restores every member with the same --initial-cluster built from the saved Machines', () => {
    for (const c of TREE) {
      const section = etcdSection(text, c.name);
      const members = c.etcd ?? c.controlPlane;
      const restores = commandsOf(section)
        .filter((l) => l.includes('snapshot restore'))
        .map((l) => argvOf(l, ENV));
      expect(restores.map((a) => flag(a, '--name'))).toEqual(members.map((m) => m.name));
      const expected = members.map((m) => `${m.name}=https://${m.ip}:2380`).join(',');
      for (const [i, a] of restores.entries()) {
        expect(flag(a, '--initial-cluster')).toBe(expected);
        expect(flag(a, '--initial-advertise-peer-urls')).toBe(`https://${members[i]!.ip}:2380`);
        expect(flag(a, '--initial-cluster-token')).toBe('etcd-cluster-1');
      }
    }
  });

  it('copies the recorded snapshot file to every member and checks it there against its sha256', () => {
    for (const e of parseEtcdEntries(manifest).entries) {
      const section = etcdSection(text, e.cluster);
      const cluster = TREE.find((c) => c.name === e.cluster)!;
      const members = cluster.etcd ?? cluster.controlPlane;
      const copies = invocations(section, 'scp', ENV);
      expect(copies.map((a) => a[3])).toEqual(members.map(() => path.join(dir, e.file)));
      expect(copies.map((a) => a[4]!.split('@')[1]!.split(':')[0])).toEqual(members.map((m) => m.ip));
      expect(existsSync(copies[0]![3]!)).toBe(true);
      expect(section.match(/^echo ([0-9a-f]{64})'/gm)).toHaveLength(members.length);
      expect(section).toContain(`echo ${e.sha256}'`);
    }
  });
});

describe('RESTORE.md per OS and topology', () => {
  const cases = [
    { os: 'ubuntu', topology: 'external', restore: ['ETCDCTL_API=3', 'etcdctl'], dataDir: '/var/lib/etcd.restored', swap: 'mv /var/lib/etcd.restored/member /var/lib/etcd/member', user: '$SSH_USER' },
    { os: 'redhat', topology: 'external', restore: ['ETCDCTL_API=3', 'etcdctl'], dataDir: '/var/lib/etcd.restored', swap: 'mv /var/lib/etcd.restored/member /var/lib/etcd/member', user: '$SSH_USER' },
    { os: 'ubuntu', topology: 'stacked', restore: ['crictl', 'exec'], dataDir: '/var/lib/etcd/restored', swap: 'mv /var/lib/etcd/restored/member /var/lib/etcd/member', user: '$SSH_USER' },
    { os: 'redhat', topology: 'stacked', restore: ['crictl', 'exec'], dataDir: '/var/lib/etcd/restored', swap: 'mv /var/lib/etcd/restored/member /var/lib/etcd/member', user: '$SSH_USER' },
    { os: 'bottlerocket', topology: 'external', restore: ['ctr', '-n'], dataDir: '/var/lib/etcd/data/restored', swap: 'mv /var/lib/etcd/data/restored/member /var/lib/etcd/data/member', user: 'ec2-user' },
    { os: 'bottlerocket', topology: 'stacked', restore: ['ctr', '-n'], dataDir: '/var/lib/etcd/data/restored', swap: 'mv /var/lib/etcd/data/restored/member /var/lib/etcd/data/member', user: 'ec2-user' },
  ] as const;

  it.each(cases)('$os, $topology etcd', async (c) => {
    const cp = [{ name: 'w05-cp-1', ip: '10.5.0.11' }, { name: 'w05-cp-2', ip: '10.5.0.12' }, { name: 'w05-cp-3', ip: '10.5.0.13' }];
    const etcd = [{ name: 'w05-etcd-1', ip: '10.5.0.21' }, { name: 'w05-etcd-2', ip: '10.5.0.22' }, { name: 'w05-etcd-3', ip: '10.5.0.23' }];
    const cluster: FixtureCluster = { name: 'w05', role: 'workload', os: c.os, controlPlane: cp, ...(c.topology === 'external' ? { etcd } : {}), snapshot: true };
    const { text, manifest, dir } = await runbookOfSet([{ name: 'mgmt', role: 'management', controlPlane: [{ name: 'mgmt-cp-1', ip: '10.0.0.1' }] }, cluster], { cluster: 'w05', scope: 'workload', leftOut: ['mgmt'] });
    const section = etcdSection(text, 'w05');
    const members = c.topology === 'external' ? etcd : cp;
    expect(section).toContain(`(${c.topology} etcd, `);

    const restores = commandsOf(section).filter((l) => l.includes('snapshot restore')).map((l) => argvOf(l, ENV));
    expect(restores).toHaveLength(3);
    for (const [i, a] of restores.entries()) {
      expect(a.slice(0, 2)).toEqual([...c.restore]);
      expect(flag(a, '--data-dir')).toBe(c.dataDir);
      expect(flag(a, '--name')).toBe(members[i]!.name);
      expect(flag(a, '--initial-cluster')).toBe(members.map((m) => `${m.name}=https://${m.ip}:2380`).join(','));
    }
    expect(section.split('\n').filter((l) => l === c.swap).length).toBeGreaterThan(0);
    // Logins: the machine config's user, except Bottlerocket's admin container.
    for (const a of invocations(section, 'ssh', ENV)) expect(a[3]!.split('@')[0]).toBe(c.user === '$SSH_USER' ? ENV.SSH_USER : 'ec2-user');
    if (c.os === 'bottlerocket') {
      expect(section).toContain('sudo sheltie');
      expect(section).toContain('/run/host-containerd/io.containerd.runtime.v2.task/default/admin/rootfs/home/ec2-user/eksa-etcd-snapshot.db');
      expect(section).not.toContain('sudo -i');
    } else {
      expect(section).toContain('sudo -i');
      expect(section).not.toContain('sheltie');
    }
    // External etcd stops and restarts the API servers on the control-plane nodes; stacked stops them with etcd.
    const sshTargets = invocations(section, 'ssh', ENV).map((a) => a[3]!.split('@')[1]);
    if (c.topology === 'external') for (const m of cp) expect(sshTargets).toContain(m.ip);
    else expect(sshTargets.every((ip) => cp.some((m) => m.ip === ip))).toBe(true);
    expect(section).toMatch(c.topology === 'external' && c.os !== 'bottlerocket' ? /systemctl stop etcd\.service/ : /mv \/etc\/kubernetes\/manifests\/\S+ \/var\/lib\/eksa-restore-manifests\//);
    // A workload set has no management-cluster section, and moves the cluster back into its management cluster.
    expect(text).not.toContain('## Lost management cluster');
    const moves = invocations(text, 'docker', ENV).filter((a) => a.includes('move'));
    expect(moves.map((a) => [flag(a, '--filter-cluster'), flag(a, '--to-kubeconfig'), flag(a, '--from-directory')])).toEqual([['w05', ENV.MGMT_KUBECONFIG, path.join(dir, 'capi')]]);
    expect(manifest.scope.kind).toBe('workload');
  });
});

describe('RESTORE.md of a management-only set', async () => {
  const { text, dir } = await runbookOfSet(TREE, { scope: 'management-only', leftOut: ['w01', 'w02'] });

  it('says which clusters it cannot restore, and why', () => {
    expect(text).toContain('**Scope: management cluster only**');
    expect(text).toMatch(/- `w01`: eksa-not-ready: Ready is False/);
    expect(text).toMatch(/- `w02`: eksa-not-ready/);
    expect(text).toContain('**This set holds no workload cluster**');
  });

  it('moves nothing and restores only the management cluster\'s etcd', () => {
    expect(invocations(text, 'docker', ENV).filter((a) => a.includes('move'))).toEqual([]);
    expect(text).not.toContain('## Workload cluster');
    expect(text.match(/^### etcd of `(\w+)`/gm)).toEqual(['### etcd of `mgmt`']);
    const awk = commandsOf(text).find((c) => c.startsWith('awk '))!;
    expect(awk).toContain(path.join(dir, 'eksa', 'Cluster_default_mgmt.yaml'));
  });
});

describe('RESTORE.md edge cases', () => {
  it('runs clusterctl as the recorded binary when the backup used one', async () => {
    const { text } = await runbookOfSet(TREE.slice(0, 2), { binary: '/opt/eks a/clusterctl' });
    const runs = invocations(text, "'/opt/eks a/clusterctl'", ENV);
    const moves = runs.filter((a) => a[1] === 'move');
    expect(moves.length).toBe(2); // into the new management cluster, and back into the old one
    expect(runs.filter((a) => a.slice(1, 4).join(' ') === 'alpha rollout restart')).toHaveLength(2);
    expect(moves.every((a) => a[0] === '/opt/eks a/clusterctl' && a[1] === 'move' && flag(a, '--filter-cluster') === 'w01')).toBe(true);
    expect(text).not.toContain('docker run');
  });

  it('falls back to the snapshot\'s member and says so when the set holds no Machines', async () => {
    const { dir, manifest } = await runbookOfSet(TREE.slice(1, 2), { cluster: 'w01', scope: 'workload' });
    for (const f of ['w01-etcd-a1', 'w01-etcd-b2', 'w01-etcd-c3', 'w01-cp-a1']) await rm(path.join(dir, 'capi', `Machine_eksa-system_${f}.yaml`));
    const text = renderRestoreRunbook(manifest, dir, await readRunbookFacts(dir));
    expect(text).toContain('**The set holds no Machines for this etcd**');
    const restores = commandsOf(text).filter((l) => l.includes('snapshot restore')).map((l) => argvOf(l, ENV));
    expect(restores.map((a) => flag(a, '--initial-cluster'))).toEqual(['w01-etcd-a1=https://10.0.1.21:2380']);
    expect(text).toContain('(The set holds no control-plane Machines of w01');
  });

  it('brackets IPv6 addresses in peer URLs and scp targets', async () => {
    const v6: FixtureCluster = { name: 'w06', role: 'workload', controlPlane: [{ name: 'w06-cp-1', ip: 'fd00::11' }], snapshot: true };
    const { text } = await runbookOfSet([v6], { cluster: 'w06', scope: 'workload' });
    const restore = argvOf(commandsOf(text).find((l) => l.includes('snapshot restore'))!, ENV);
    expect(flag(restore, '--initial-cluster')).toBe('w06-cp-1=https://[fd00::11]:2380');
    expect(invocations(text, 'scp', ENV)[0]![4]).toBe('capv@[fd00::11]:/tmp/eksa-etcd-snapshot.db');
  });

  it('leaves out a malformed etcd entry and says so, rather than put its values in a command', async () => {
    const { dir, manifest } = await runbookOfSet(TREE.slice(1, 2), { cluster: 'w01', scope: 'workload' });
    const hostile: BackupManifest = { ...manifest, etcd: [{ ...manifest.etcd[0], member: 'a; rm -rf /', address: '$(reboot)' }] };
    const text = renderRestoreRunbook(hostile, dir, await readRunbookFacts(dir));
    expect(text).toContain('the etcd entry of w01 has no valid member and address');
    expect(text).not.toContain('rm -rf /');
    expect(text).not.toContain('$(reboot)');
  });

  it('needs no etcd snapshot to give the Cluster API steps', async () => {
    const noSnap = TREE.map((c) => ({ ...c, snapshot: false }));
    const { text } = await runbookOfSet(noSnap);
    expect(text).toContain('This set holds no etcd snapshot');
    expect(text).toContain('and this set holds none');
    expect(text).not.toContain('SSH_USER=');
    expect(invocations(text, 'docker', ENV).filter((a) => a.includes('move'))).toHaveLength(4);
  });
});

describe('RESTORE.md lists every etcd member (issue 15, finding 16)', async () => {
  const { dir, manifest } = await runbookOfSet(TREE);
  const facts = await readRunbookFacts(dir);
  const w01 = facts.w01!;
  // One etcd Machine with a host-name address the facts could not use, one with no address at all.
  const text = renderRestoreRunbook(manifest, dir, {
    ...facts,
    w01: { ...w01, etcdMachines: w01.etcdMachines.map((m, i) => (i === 0 ? m : { ...m, address: undefined })) },
  });
  const section = etcdSection(text, 'w01');
  const env = { ...ENV, ETCD_ADDRESS_W01_ETCD_B2: '10.9.9.2', ETCD_ADDRESS_W01_ETCD_C3: '10.9.9.3' };

  it('every member is in --initial-cluster, the unknown addresses as variables', () => {
    const restores = commandsOf(section).filter((l) => l.includes('snapshot restore')).map((l) => argvOf(l, env));
    expect(restores).toHaveLength(3);
    for (const argv of restores) {
      expect(flag(argv, '--initial-cluster')).toBe('w01-etcd-a1=https://10.0.1.21:2380,w01-etcd-b2=https://10.9.9.2:2380,w01-etcd-c3=https://10.9.9.3:2380');
    }
    expect(restores.map((a) => flag(a, '--initial-advertise-peer-urls'))).toEqual(['https://10.0.1.21:2380', 'https://10.9.9.2:2380', 'https://10.9.9.3:2380']);
  });

  it('the Members list names all three; a warning heads the section; the variables are set at the top', () => {
    expect(section.split('\n').filter((l) => /^- `w01-etcd-/.test(l))).toHaveLength(3);
    const head = section.split('\n').slice(0, 4).join('\n');
    expect(head).toMatch(/\*\*Warning: the set does not hold the address of `w01-etcd-b2`, `w01-etcd-c3`\.\*\*/);
    const vars = text.slice(text.indexOf('## Variables'), text.indexOf('## Which procedure'));
    expect(vars).toMatch(/^ETCD_ADDRESS_W01_ETCD_B2='' +# fill in: the address of w01-etcd-b2 of w01/m);
    expect(vars).toMatch(/^ETCD_ADDRESS_W01_ETCD_C3='' +# fill in/m);
  });

  it('ssh and scp reach the members through the variables', () => {
    const scps = invocations(section, 'scp', env).map((a) => a.at(-1));
    expect(scps).toEqual(['capv@10.0.1.21:/tmp/eksa-etcd-snapshot.db', 'capv@10.9.9.2:/tmp/eksa-etcd-snapshot.db', 'capv@10.9.9.3:/tmp/eksa-etcd-snapshot.db']);
  });
});
