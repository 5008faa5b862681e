// Node file layouts under a sandbox root, as the remote scripts expect them on real nodes, pointing at a
// real test etcd. Plus ClusterObjects fixtures for the member selection.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterObjects, KubeObject } from '../../src/kube/types.js';
import type { Pki } from '../helpers/testbed.js';

/** Quotes a value for a shell env file the way a node's own file would hold it. */
const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/** A root-owned scratch root under `parent`; `name` may hold hostile characters to prove the remote quoting. */
export function makeRoot(parent: string, name = 'root'): string {
  const root = join(mkdtempSync(join(parent, 'root-')), name);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  return root;
}

function copyCerts(pki: Pki, dir: string, client: 'client' | 'server'): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  copyFileSync(pki.ca, join(dir, 'ca.crt'));
  copyFileSync(client === 'client' ? pki.clientCert : pki.serverCert, join(dir, client === 'client' ? 'etcdctl-etcd-client.crt' : 'server.crt'));
  copyFileSync(client === 'client' ? pki.clientKey : pki.serverKey, join(dir, client === 'client' ? 'etcdctl-etcd-client.key' : 'server.key'));
}

/** etcdadm on Ubuntu/RHEL: /etc/etcd/etcdctl.env naming /etc/etcd/pki client certs; /var/lib/etcd. */
export function layOutExternal(root: string, pki: Pki, endpoint: string, options: { certDir?: string } = {}): void {
  const pkiDir = join(root, 'etc/etcd/pki');
  copyCerts(pki, pkiDir, 'client');
  const certDir = options.certDir ?? pkiDir;
  writeFileSync(
    join(root, 'etc/etcd/etcdctl.env'),
    [
      'export ETCDCTL_API=3',
      `export ETCDCTL_CACERT=${q(join(certDir, 'ca.crt'))}`,
      `export ETCDCTL_CERT=${q(join(certDir, 'etcdctl-etcd-client.crt'))}`,
      `export ETCDCTL_KEY=${q(join(certDir, 'etcdctl-etcd-client.key'))}`,
      `export ETCDCTL_ENDPOINTS=${q(endpoint)}`,
      'export ETCDCTL_DIAL_TIMEOUT=3s',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  mkdirSync(join(root, 'var/lib/etcd'), { recursive: true, mode: 0o700 });
}

/** kubeadm on Ubuntu/RHEL: /etc/kubernetes/pki/etcd/{ca,server}.*; /var/lib/etcd shared with the etcd container. */
export function layOutStacked(root: string, pki: Pki): void {
  copyCerts(pki, join(root, 'etc/kubernetes/pki/etcd'), 'server');
  mkdirSync(join(root, 'var/lib/etcd'), { recursive: true, mode: 0o700 });
}

/** Bottlerocket: /var/lib/etcd/pki, /var/lib/etcd/data, and (external) the etcd manifest advertising the URL. */
export function layOutBottlerocket(root: string, pki: Pki, endpoint: string | undefined): void {
  copyCerts(pki, join(root, 'var/lib/etcd/pki'), 'server');
  mkdirSync(join(root, 'var/lib/etcd/data'), { recursive: true, mode: 0o700 });
  if (endpoint !== undefined) {
    mkdirSync(join(root, 'etc/kubernetes/manifests'), { recursive: true });
    writeFileSync(
      join(root, 'etc/kubernetes/manifests/etcd'),
      [
        'apiVersion: v1',
        'kind: Pod',
        'spec:',
        '  containers:',
        '  - name: etcd',
        '    env:',
        '    - name: ETCD_NAME',
        '      value: esu-etcd-0',
        '    - name: ETCD_ADVERTISE_CLIENT_URLS',
        `      value: ${endpoint}`,
        '',
      ].join('\n'),
    );
  }
}

export interface MachineFixture {
  readonly name: string;
  readonly address?: string;
  readonly addressType?: string;
  readonly extraAddresses?: ReadonlyArray<{ type: string; address: string }>;
  readonly phase?: string;
  readonly labels?: Record<string, string>;
}

export interface ClusterFixture {
  readonly name: string;
  readonly topology: 'external' | 'stacked';
  readonly osFamily?: string;
  readonly machineConfigKind?: string;
  readonly users?: ReadonlyArray<{ name: string }>;
  readonly machines: readonly MachineFixture[];
}

const obj = (apiVersion: string, kind: string, name: string, rest: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'eksa-system', ...(rest.metadata ?? {}) },
  ...(rest.spec ? { spec: rest.spec } : {}),
  ...(rest.status ? { status: rest.status } : {}),
});

/** The inventory objects of one cluster with the given etcd machines. */
export function clusterObjects(f: ClusterFixture): ClusterObjects {
  const kind = f.machineConfigKind ?? 'VSphereMachineConfig';
  const mcName = `${f.name}-${f.topology === 'external' ? 'etcd' : 'cp'}`;
  const ref = { kind, name: mcName };
  const spec: Record<string, unknown> = { controlPlaneConfiguration: { count: 1, machineGroupRef: { kind, name: `${f.name}-cp` } } };
  if (f.topology === 'external') spec.externalEtcdConfiguration = { count: f.machines.length, machineGroupRef: ref };
  const mcSpec: Record<string, unknown> = {};
  if (f.osFamily !== undefined) mcSpec.osFamily = f.osFamily;
  if (f.users !== undefined) mcSpec.users = f.users;
  const labels = (m: MachineFixture): Record<string, string> =>
    m.labels ??
    (f.topology === 'external'
      ? { 'cluster.x-k8s.io/cluster-name': f.name, 'cluster.x-k8s.io/etcd-cluster': `${f.name}-etcd` }
      : { 'cluster.x-k8s.io/cluster-name': f.name, 'cluster.x-k8s.io/control-plane': '' });
  return {
    name: f.name,
    eksa: obj('anywhere.eks.amazonaws.com/v1alpha1', 'Cluster', f.name, { spec }),
    capi: undefined,
    controlPlane: undefined,
    etcd: f.topology === 'external' ? obj('etcdcluster.cluster.x-k8s.io/v1beta1', 'EtcdadmCluster', `${f.name}-etcd`) : undefined,
    machineDeployments: [],
    machines: f.machines.map((m) =>
      obj('cluster.x-k8s.io/v1beta1', 'Machine', m.name, {
        metadata: { name: m.name, labels: labels(m) },
        status: {
          phase: m.phase ?? 'Running',
          addresses: [...(m.address === undefined ? [] : [{ type: m.addressType ?? 'ExternalIP', address: m.address }]), ...(m.extraAddresses ?? [])],
        },
      }),
    ),
    datacenter: undefined,
    machineConfigs: [obj('anywhere.eks.amazonaws.com/v1alpha1', kind, mcName, { spec: mcSpec })],
  };
}
