import { describe, expect, it } from 'vitest';
import { buildMoveCommand, mounts } from '../../src/capi/move-command.js';

describe('buildMoveCommand', () => {
  it('runs the cli-tools clusterctl through docker as the EKS-A docs do, mounting what it needs', () => {
    const cmd = buildMoveCommand({
      source: { kind: 'image', image: 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0' },
      kubeconfig: '/work/mgmt/mgmt-eks-a-cluster.kubeconfig',
      toDirectory: '/work/mgmt/mgmt-backup-x.partial/capi',
      cwd: '/work',
    });
    expect(cmd.kind).toBe('write');
    expect(cmd.argv).toEqual([
      'docker', 'run', '-i', '--network', 'host', '-w', '/work', '-v', '/work:/work',
      '--entrypoint', 'clusterctl', 'public.ecr.aws/eks-anywhere/cli-tools:v0.23.0',
      'move', '--namespace', 'eksa-system', '--kubeconfig', '/work/mgmt/mgmt-eks-a-cluster.kubeconfig', '--to-directory', '/work/mgmt/mgmt-backup-x.partial/capi',
    ]);
    expect(cmd.argv).not.toContain('--dry-run');
  });

  it('filters to one cluster and mounts folders outside the working directory', () => {
    const cmd = buildMoveCommand({
      source: { kind: 'image', image: 'img' },
      kubeconfig: '/etc/k/mgmt.kubeconfig',
      toDirectory: '/backups/mgmt/w01-backup-x.partial/capi',
      filterCluster: 'w01',
      cwd: '/home/op',
    });
    expect(cmd.argv.slice(-2)).toEqual(['--filter-cluster', 'w01']);
    expect(cmd.argv.join(' ')).toContain('-v /etc/k:/etc/k');
    expect(cmd.argv.join(' ')).toContain('-v /home/op:/home/op');
    expect(cmd.argv.join(' ')).toContain('-v /backups/mgmt/w01-backup-x.partial:/backups/mgmt/w01-backup-x.partial');
  });

  it('runs a local binary directly', () => {
    const cmd = buildMoveCommand({ source: { kind: 'binary', path: '/usr/local/bin/clusterctl' }, kubeconfig: 'k', toDirectory: 'd', cwd: '/' });
    expect(cmd.argv).toEqual(['/usr/local/bin/clusterctl', 'move', '--namespace', 'eksa-system', '--kubeconfig', 'k', '--to-directory', 'd']);
  });

  it('mounts each folder once, skipping ones under another', () => {
    expect(mounts(['/a/b', '/a', '/a/b/c', '/d'])).toEqual(['-v', '/a:/a', '-v', '/d:/d']);
  });
});
