import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import { factsFromObjects } from '../../src/runbook/runbook-facts.js';

const machine = (name: string, labels: Record<string, string>, status: Record<string, unknown>): KubeObject => ({
  apiVersion: 'cluster.x-k8s.io/v1beta1',
  kind: 'Machine',
  metadata: { name, namespace: 'eksa-system', labels },
  status,
});
const at = (type: string, address: string) => ({ type, address });

describe('factsFromObjects', () => {
  it('sorts a cluster\'s Machines into etcd members and control-plane nodes, with their addresses', () => {
    const facts = factsFromObjects([
      machine('w01-etcd-b', { 'cluster.x-k8s.io/cluster-name': 'w01', 'cluster.x-k8s.io/etcd-cluster': 'w01-etcd' }, { addresses: [at('InternalIP', '10.0.0.2')] }),
      machine('w01-etcd-a', { 'cluster.x-k8s.io/cluster-name': 'w01', 'cluster.x-k8s.io/etcd-cluster': 'w01-etcd' }, { addresses: [at('InternalIP', '10.9.0.1'), at('ExternalIP', '10.0.0.1')] }),
      machine('w01-cp-x', { 'cluster.x-k8s.io/cluster-name': 'w01', 'cluster.x-k8s.io/control-plane': '' }, { nodeRef: { name: 'w01-node-x' }, addresses: [at('ExternalIP', '10.0.0.9')] }),
      machine('w01-md-0-y', { 'cluster.x-k8s.io/cluster-name': 'w01' }, { nodeRef: { name: 'w01-md-0-y' } }),
      { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment', metadata: { name: 'w01-md-0', namespace: 'eksa-system' }, spec: { clusterName: 'w01' } },
    ]);
    expect(facts.w01).toEqual({
      etcdMachines: [
        { machine: 'w01-etcd-a', node: undefined, address: '10.0.0.1' },
        { machine: 'w01-etcd-b', node: undefined, address: '10.0.0.2' },
      ],
      controlPlane: [{ machine: 'w01-cp-x', node: 'w01-node-x', address: '10.0.0.9' }],
      machineDeployments: ['w01-md-0'],
      nodes: ['w01-md-0-y', 'w01-node-x'],
    });
  });

  it('leaves out names and addresses that must not reach a command', () => {
    const facts = factsFromObjects([
      machine('ok-cp', { 'cluster.x-k8s.io/cluster-name': 'c1', 'cluster.x-k8s.io/control-plane': '' }, { nodeRef: { name: 'x;reboot' }, addresses: [at('ExternalIP', '$(reboot)')] }),
      machine('bad name', { 'cluster.x-k8s.io/cluster-name': 'c1', 'cluster.x-k8s.io/control-plane': '' }, {}),
      machine('other', { 'cluster.x-k8s.io/cluster-name': '../c2', 'cluster.x-k8s.io/control-plane': '' }, {}),
    ]);
    expect(facts.c1!.controlPlane).toEqual([{ machine: 'ok-cp', node: undefined, address: undefined }]);
    expect(Object.keys(facts)).toEqual(['c1']);
  });
});
