import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { buildUpgradeClusterCommand, buildUpgradeManagementComponentsCommand } from '../../src/handoff/upgrade-command.js';
import { formatCommand } from '../../src/command.js';

const base = { specFile: 'w01/w01-eks-a-cluster.yaml', passThrough: {}, extraArgs: [], managementKubeconfig: 'mgmt/mgmt-eks-a-cluster.kubeconfig' };

describe('buildUpgradeClusterCommand', () => {
  it.each([
    {
      name: 'workload spec, no --kubeconfig given: the resolved management kubeconfig',
      input: { ...base, isWorkload: true },
      argv: ['eksctl', 'anywhere', 'upgrade', 'cluster', '-f', 'w01/w01-eks-a-cluster.yaml', '--kubeconfig', 'mgmt/mgmt-eks-a-cluster.kubeconfig'],
    },
    {
      name: "workload spec, --kubeconfig given: the operator's",
      input: { ...base, isWorkload: true, kubeconfig: '/secure/mgmt.kubeconfig' },
      argv: ['eksctl', 'anywhere', 'upgrade', 'cluster', '-f', 'w01/w01-eks-a-cluster.yaml', '--kubeconfig', '/secure/mgmt.kubeconfig'],
    },
    {
      name: 'self-managed spec, no --kubeconfig given: eksctl keeps its default',
      input: { ...base, specFile: 'mgmt/mgmt-eks-a-cluster.yaml', isWorkload: false },
      argv: ['eksctl', 'anywhere', 'upgrade', 'cluster', '-f', 'mgmt/mgmt-eks-a-cluster.yaml'],
    },
    {
      name: "self-managed spec, --kubeconfig given: the operator's",
      input: { ...base, specFile: 'mgmt/mgmt-eks-a-cluster.yaml', isWorkload: false, kubeconfig: 'k' },
      argv: ['eksctl', 'anywhere', 'upgrade', 'cluster', '-f', 'mgmt/mgmt-eks-a-cluster.yaml', '--kubeconfig', 'k'],
    },
    {
      name: 'pass-through flags, then the extra args unchanged',
      input: {
        ...base,
        isWorkload: true,
        passThrough: { 'skip-validations': ['pod-disruption', 'eksa-version-skew'], 'no-timeouts': true, verbosity: 4, 'hardware-csv': 'hw.csv' },
        extraArgs: ['--future-flag', 'a b'],
      },
      argv: [
        'eksctl', 'anywhere', 'upgrade', 'cluster', '-f', 'w01/w01-eks-a-cluster.yaml', '--kubeconfig', 'mgmt/mgmt-eks-a-cluster.kubeconfig',
        '--no-timeouts', '--hardware-csv=hw.csv', '--skip-validations=pod-disruption', '--skip-validations=eksa-version-skew', '--verbosity=4',
        '--future-flag', 'a b',
      ],
    },
  ])('$name', ({ input, argv }) => {
    const command = buildUpgradeClusterCommand(input);
    expect(command.argv).toEqual(argv);
    expect(command.kind).toBe('handoff');
    expect(command.timeoutMs).toBeUndefined();
  });

  it('refuses extra args that would retarget eksctl', () => {
    expect(() => buildUpgradeClusterCommand({ ...base, isWorkload: true, extraArgs: ['--kubeconfig', 'other'] })).toThrow(UsageError);
  });

  it('prints as a pasteable command line', () => {
    const command = buildUpgradeClusterCommand({ ...base, specFile: 'my spec.yaml', isWorkload: false });
    expect(formatCommand(command.argv)).toBe("eksctl anywhere upgrade cluster -f 'my spec.yaml'");
  });
});

describe('buildUpgradeManagementComponentsCommand', () => {
  const mc = { specFile: 'mgmt/mgmt-eks-a-cluster.yaml', clusterName: 'mgmt', isWorkload: false, cwd: '/work/run', passThrough: {}, extraArgs: [] };

  it.each([
    { name: 'no --kubeconfig given', input: mc },
    { name: 'the --kubeconfig eksctl will use anyway, relative', input: { ...mc, kubeconfig: 'mgmt/mgmt-eks-a-cluster.kubeconfig' } },
    { name: 'the --kubeconfig eksctl will use anyway, absolute', input: { ...mc, kubeconfig: '/work/run/mgmt/mgmt-eks-a-cluster.kubeconfig' } },
  ])('builds it with no --kubeconfig: $name', ({ input }) => {
    expect(buildUpgradeManagementComponentsCommand(input).argv).toEqual(['eksctl', 'anywhere', 'upgrade', 'management-components', '-f', 'mgmt/mgmt-eks-a-cluster.yaml']);
  });

  it('hands on --bundles-override, --skip-validations=eksa-version-skew, -v and extra args', () => {
    const command = buildUpgradeManagementComponentsCommand({
      ...mc,
      passThrough: { 'bundles-override': 'b.yaml', 'skip-validations': 'eksa-version-skew', verbosity: 2 },
      extraArgs: ['--x'],
    });
    expect(command.argv.slice(6)).toEqual(['--bundles-override=b.yaml', '--skip-validations=eksa-version-skew', '--verbosity=2', '--x']);
    expect(command.kind).toBe('handoff');
  });

  it('refuses another --kubeconfig: eksctl would upgrade whatever <name>/<name>-eks-a-cluster.kubeconfig points at', () => {
    expect(() => buildUpgradeManagementComponentsCommand({ ...mc, kubeconfig: '/elsewhere/mgmt.kubeconfig' })).toThrow(
      /always uses mgmt\/mgmt-eks-a-cluster.kubeconfig/,
    );
  });

  it('refuses a workload cluster spec', () => {
    expect(() => buildUpgradeManagementComponentsCommand({ ...mc, clusterName: 'w01', isWorkload: true })).toThrow(UsageError);
  });
});
