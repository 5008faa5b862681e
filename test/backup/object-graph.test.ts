import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedCapiObjects, expectedEksaObjects, findMissing, refKey } from '../../src/backup/object-graph.js';
import { readObjectFiles } from '../../src/backup/read-object-files.js';
import type { ClusterObjects, KubeObject } from '../../src/kube/types.js';

const o = (kind: string, name: string, namespace = 'eksa-system', rest: Partial<KubeObject> = {}): KubeObject => ({ apiVersion: 'x/v1', kind, metadata: { name, namespace }, ...rest });

const cluster: ClusterObjects = {
  name: 'w02',
  eksa: o('Cluster', 'w02', 'default', {
    spec: {
      datacenterRef: { kind: 'VSphereDatacenterConfig', name: 'w02' },
      controlPlaneConfiguration: { machineGroupRef: { kind: 'VSphereMachineConfig', name: 'w02-cp' } },
      externalEtcdConfiguration: { machineGroupRef: { kind: 'VSphereMachineConfig', name: 'w02-etcd' } },
      workerNodeGroupConfigurations: [{ machineGroupRef: { kind: 'VSphereMachineConfig', name: 'w02-md-0' } }, { machineGroupRef: { kind: 'VSphereMachineConfig', name: 'w02-cp' } }],
      identityProviderRefs: [{ kind: 'OIDCConfig', name: 'corp' }],
    },
  }),
  capi: o('Cluster', 'w02', 'eksa-system', {
    spec: { infrastructureRef: { kind: 'VSphereCluster', name: 'w02' }, controlPlaneRef: { kind: 'KubeadmControlPlane', name: 'w02' }, managedExternalEtcdRef: { kind: 'EtcdadmCluster', name: 'w02-etcd' } },
  }),
  controlPlane: o('KubeadmControlPlane', 'w02'),
  etcd: o('EtcdadmCluster', 'w02-etcd'),
  machineDeployments: [o('MachineDeployment', 'w02-md-0')],
  machines: [o('Machine', 'w02-cp-abcde'), o('Machine', 'w02-etcd-fghij')],
  datacenter: undefined,
  machineConfigs: [],
};

describe('expected objects', () => {
  it('demands the whole CAPI graph of a cluster with external etcd', () => {
    expect(expectedCapiObjects(cluster).map(refKey)).toEqual([
      'Cluster/eksa-system/w02',
      'VSphereCluster/eksa-system/w02',
      'KubeadmControlPlane/eksa-system/w02',
      'EtcdadmCluster/eksa-system/w02-etcd',
      'MachineDeployment/eksa-system/w02-md-0',
      'Machine/eksa-system/w02-cp-abcde',
      'Machine/eksa-system/w02-etcd-fghij',
      'Secret/eksa-system/w02-kubeconfig',
      'Secret/eksa-system/w02-ca',
    ]);
  });

  it('demands the EKS-A Cluster and everything it references, once each', () => {
    expect(expectedEksaObjects(cluster).map(refKey)).toEqual([
      'Cluster/default/w02',
      'VSphereDatacenterConfig/default/w02',
      'VSphereMachineConfig/default/w02-cp',
      'VSphereMachineConfig/default/w02-etcd',
      'VSphereMachineConfig/default/w02-md-0',
      'OIDCConfig/default/corp',
    ]);
  });

  it('names what is missing per cluster', () => {
    const expected = { w02: expectedCapiObjects(cluster) };
    const found = expectedCapiObjects(cluster).filter((r) => r.name !== 'w02-ca');
    expect(findMissing(expected, found)).toEqual([{ cluster: 'w02', missing: [{ kind: 'Secret', namespace: 'eksa-system', name: 'w02-ca' }] }]);
    expect(findMissing(expected, expectedCapiObjects(cluster))).toEqual([]);
  });
});

describe('readObjectFiles', () => {
  function folder(files: Record<string, string>) {
    const dir = mkdtempSync(path.join(tmpdir(), 'objfiles-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return dir;
  }
  const json = (kind: string, ns: string, name: string) => JSON.stringify({ kind, metadata: { name, ...(ns ? { namespace: ns } : {}) } });

  it('reads clusterctl JSON files and our YAML files', async () => {
    const dir = folder({
      'Cluster_eksa-system_w02.yaml': json('Cluster', 'eksa-system', 'w02'),
      'VSphereMachineConfig_default_w02-cp.yaml': 'kind: VSphereMachineConfig\nmetadata:\n  name: w02-cp\n  namespace: default\n',
      'ClusterRole__x.yaml': json('ClusterRole', '', 'x'),
    });
    const result = await readObjectFiles(dir);
    expect(result.problems).toEqual([]);
    expect(result.objects.map(refKey).sort()).toEqual(['Cluster/eksa-system/w02', 'ClusterRole//x', 'VSphereMachineConfig/default/w02-cp']);
  });

  it.each([
    ['a file that does not parse', { 'Cluster_eksa-system_w02.yaml': '{"kind": ' }, /does not parse/],
    ['a file holding another object than its name says', { 'Cluster_eksa-system_w02.yaml': json('Cluster', 'eksa-system', 'w03') }, /not the object its name says/],
    ['a name that is not clusterctl’s', { 'notes.txt': 'hi' }, /not a clusterctl object file name/],
    ['a hostile name', { 'Cluster_eksa-system_$(id).yaml': '{}' }, /not a clusterctl object file name/],
  ])('reports %s', async (_what, files, message) => {
    const result = await readObjectFiles(folder(files));
    expect(result.problems.join('\n')).toMatch(message);
  });

  it('reports a subfolder and a symlink instead of following them', async () => {
    const dir = folder({});
    mkdirSync(path.join(dir, 'sub'));
    symlinkSync('/etc/passwd', path.join(dir, 'Secret_eksa-system_x.yaml'));
    const result = await readObjectFiles(dir);
    expect(result.problems).toEqual(['"Secret_eksa-system_x.yaml" is not a regular file', '"sub" is not a regular file']);
  });
});
