// Every example cluster spec loads with the tool's spec loader, is laid out as eksctl lays it out, and is
// what its README line says it is: provider, role, etcd topology, OS, and the SSH user the snapshot uses.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectEtcdTarget } from '../../src/etcd/members.js';
import type { ClusterObjects } from '../../src/kube/types.js';
import { loadSpec } from '../../src/spec-file/read-spec.js';
import type { ClusterSpec } from '../../src/spec/types.js';
import { repoRoot } from '../helpers/run-bin.js';

const specsDir = path.join(repoRoot, 'examples', 'specs');

interface Expected {
  readonly file: string;
  readonly provider: ClusterSpec['provider'];
  readonly management: string;
  readonly topology: 'external' | 'stacked';
  readonly os: 'ubuntu' | 'redhat' | 'bottlerocket';
  readonly sshUser: string;
  readonly kubernetesVersion: string;
}

const EXPECTED: readonly Expected[] = [
  { file: 'vsphere/mgmt/mgmt-eks-a-cluster.yaml', provider: 'vsphere', management: 'mgmt', topology: 'external', os: 'ubuntu', sshUser: 'capv', kubernetesVersion: '1.32' },
  { file: 'vsphere/w01/w01-eks-a-cluster.yaml', provider: 'vsphere', management: 'mgmt', topology: 'stacked', os: 'ubuntu', sshUser: 'capv', kubernetesVersion: '1.32' },
  { file: 'vsphere/w02/w02-eks-a-cluster.yaml', provider: 'vsphere', management: 'mgmt', topology: 'stacked', os: 'bottlerocket', sshUser: 'ec2-user', kubernetesVersion: '1.32' },
  { file: 'tinkerbell/bm01/bm01-eks-a-cluster.yaml', provider: 'tinkerbell', management: 'bm01', topology: 'stacked', os: 'ubuntu', sshUser: 'ec2-user', kubernetesVersion: '1.32' },
];

/** The spec's own objects as the inventory would hold them, before any CAPI object exists. */
function asClusterObjects(spec: ClusterSpec): ClusterObjects {
  return {
    name: spec.name,
    eksa: spec.cluster,
    capi: undefined,
    controlPlane: undefined,
    etcd: undefined,
    machineDeployments: [],
    machines: [],
    datacenter: spec.datacenter,
    machineConfigs: spec.machineConfigs,
  };
}

describe('example cluster specs', () => {
  it('are exactly the ones this test describes', () => {
    const found = (readdirSync(specsDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).sort();
    expect(found).toEqual(EXPECTED.map((e) => e.file).sort());
  });

  it.each(EXPECTED)('$file loads and is what it says', async (expected) => {
    const spec = await loadSpec(path.join(specsDir, expected.file));
    // eksctl's layout: <name>/<name>-eks-a-cluster.yaml, which the kubeconfig and backup paths rely on.
    expect(expected.file.endsWith(`${spec.name}/${spec.name}-eks-a-cluster.yaml`)).toBe(true);
    expect(spec.provider).toBe(expected.provider);
    expect(spec.managementClusterName).toBe(expected.management);
    expect(spec.isManagement).toBe(expected.management === spec.name);
    expect(spec.externalEtcd).toBe(expected.topology === 'external');
    expect(spec.controlPlaneOs).toBe(expected.os);
    expect(spec.kubernetesVersion).toBe(expected.kubernetesVersion);
    expect(spec.eksaVersion).toBe('v0.23.0');

    // Everything the spec refers to is in the file, of its provider.
    expect(spec.datacenter?.kind).toBe(spec.datacenterKind);
    const refs = [spec.cluster.spec?.controlPlaneConfiguration?.machineGroupRef, spec.cluster.spec?.externalEtcdConfiguration?.machineGroupRef, ...spec.workerGroups.map((g) => ({ kind: undefined, name: g.machineConfigName }))].filter(Boolean);
    for (const ref of refs) {
      const config = spec.machineConfigs.find((m) => m.metadata.name === ref.name);
      expect(config, `machine config ${ref.name}`).toBeDefined();
      expect(config!.kind.toLowerCase().startsWith(expected.provider)).toBe(true);
    }

    // What the etcd snapshot step would make of it.
    const target = selectEtcdTarget(asClusterObjects(spec));
    expect({ topology: target.topology, os: target.os, user: target.user, provider: target.provider }).toEqual({
      topology: expected.topology,
      os: expected.os,
      user: expected.sshUser,
      provider: expected.provider,
    });
  });

  it('workload clusters name a management cluster that is among the examples, at a version no older than theirs', async () => {
    const specs = await Promise.all(EXPECTED.map((e) => loadSpec(path.join(specsDir, e.file))));
    for (const workload of specs.filter((s) => !s.isManagement)) {
      const management = specs.find((s) => s.isManagement && s.name === workload.managementClusterName);
      expect(management, `management cluster of ${workload.name}`).toBeDefined();
      expect(path.dirname(path.dirname(management!.file))).toBe(path.dirname(path.dirname(workload.file)));
      expect(Number(management!.kubernetesVersion.split('.')[1])).toBeGreaterThanOrEqual(Number(workload.kubernetesVersion.split('.')[1]));
    }
  });
});
