// One CA per cluster, as every EKS-A cluster has its own etcd CA: a server certificate for the member
// addresses (also a client certificate, as kubeadm's etcd server certificate is) and an etcdctl client
// certificate (etcdadm's). EC P-256 keys and one openssl run per certificate (`req -x509 -CA`, OpenSSL 3):
// a world's PKI is a dozen short processes, started together.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

function certificate(p, name, subject, extensions, ca) {
  return run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
    '-keyout', p(`${name}.key`), '-out', p(`${name}.crt`), '-subj', subject,
    ...(ca ? ['-CA', p('ca.crt'), '-CAkey', p('ca.key')] : []),
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
}

/**
 * @typedef {{ dir: string, ca: string, serverCert: string, serverKey: string, clientCert: string, clientKey: string }} ClusterPki
 * @param {string} dir
 * @param {string} cluster
 * @param {string[]} addresses IPs the server certificate must name
 * @returns {Promise<ClusterPki>}
 */
export async function makeClusterPki(dir, cluster, addresses) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const p = (name) => path.join(dir, name);
  await certificate(p, 'ca', `/CN=etcd-ca-${cluster}`, ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);
  const leaf = 'basicConstraints=critical,CA:FALSE';
  const sans = ['IP:127.0.0.1', 'DNS:localhost', ...addresses.map((a) => `IP:${a}`)].join(',');
  await Promise.all([
    certificate(p, 'server', `/CN=${cluster}-etcd`, [leaf, `subjectAltName=${sans}`, 'extendedKeyUsage=serverAuth,clientAuth'], true),
    certificate(p, 'client', `/O=system:masters/CN=${cluster}-etcdctl`, [leaf, 'extendedKeyUsage=clientAuth'], true),
  ]);
  return { dir, ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key') };
}
