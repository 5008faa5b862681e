// The files an etcd node of each OS and topology has, under a sandbox root (`--etcd-remote-root`), the
// way the product's remote scripts find them on real nodes. Root-owned, 0700: only sudo gets in.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const q = (value) => `'${String(value).replaceAll("'", "'\\''")}'`;

async function certs(pki, dir, pairs) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await Promise.all(pairs.map(([from, to]) => copyFile(from, path.join(dir, to))));
}

/**
 * @param {string} root
 * @param {import('./plan.js').SimEtcdCluster} cluster
 * @param {import('./pki.js').ClusterPki} pki
 * @param {string} endpoint the client URL the node's own files advertise
 */
export async function layOutNode(root, cluster, pki, endpoint) {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const server = [[pki.ca, 'ca.crt'], [pki.serverCert, 'server.crt'], [pki.serverKey, 'server.key']];
  if (cluster.os === 'bottlerocket') {
    // Bottlerocket: the etcd container's certificates and data under /var/lib/etcd; external etcd's
    // advertised URL in its static pod manifest.
    await certs(pki, path.join(root, 'var/lib/etcd/pki'), server);
    await mkdir(path.join(root, 'var/lib/etcd/data'), { recursive: true, mode: 0o700 });
    if (cluster.topology === 'external') {
      await mkdir(path.join(root, 'etc/kubernetes/manifests'), { recursive: true, mode: 0o700 });
      await writeFile(path.join(root, 'etc/kubernetes/manifests/etcd'), bottlerocketManifest(cluster, endpoint), { mode: 0o600 });
    }
    return;
  }
  if (cluster.topology === 'stacked') {
    // kubeadm: /etc/kubernetes/pki/etcd, data in /var/lib/etcd.
    await certs(pki, path.join(root, 'etc/kubernetes/pki/etcd'), server);
    await mkdir(path.join(root, 'var/lib/etcd'), { recursive: true, mode: 0o700 });
    return;
  }
  // etcdadm: /etc/etcd/etcdctl.env names the client certificates under /etc/etcd/pki.
  const pkiDir = path.join(root, 'etc/etcd/pki');
  await certs(pki, pkiDir, [[pki.ca, 'ca.crt'], [pki.clientCert, 'etcdctl-etcd-client.crt'], [pki.clientKey, 'etcdctl-etcd-client.key']]);
  await writeFile(path.join(root, 'etc/etcd/etcdctl.env'), [
    'export ETCDCTL_API=3',
    `export ETCDCTL_CACERT=${q(path.join(pkiDir, 'ca.crt'))}`,
    `export ETCDCTL_CERT=${q(path.join(pkiDir, 'etcdctl-etcd-client.crt'))}`,
    `export ETCDCTL_KEY=${q(path.join(pkiDir, 'etcdctl-etcd-client.key'))}`,
    `export ETCDCTL_ENDPOINTS=${q(endpoint)}`,
    '',
  ].join('\n'), { mode: 0o600 });
  await mkdir(path.join(root, 'var/lib/etcd'), { recursive: true, mode: 0o700 });
}

function bottlerocketManifest(cluster, endpoint) {
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: etcd',
    '  namespace: kube-system',
    'spec:',
    '  containers:',
    '  - name: etcd',
    `    image: public.ecr.aws/eks-distro/etcd-io/etcd:v3.5.16-eks-1-31-8`,
    '    env:',
    '    - name: ETCD_NAME',
    `      value: ${cluster.members[0]?.machine ?? cluster.name}`,
    '    - name: ETCD_ADVERTISE_CLIENT_URLS',
    `      value: ${endpoint}`,
    '',
  ].join('\n');
}
