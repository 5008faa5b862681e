// The cluster Secrets clusterctl soft-owns by name (`<cluster>-<purpose>`, no ownerReferences).
// Values are recognisable fake material, `sim-secret-<cluster>-<purpose>-<noise>`, so tests can
// grep logs and reports for leaks.
import { makeObject, SYSTEM_NS, CLUSTER_NAME_LABEL } from './objects.js';
import { noise } from './ids.js';

/** CAPI's secret purposes (util/secret): the suffixes clusterctl recognises for soft ownership. */
export const SECRET_PURPOSES = ['kubeconfig', 'ca', 'etcd', 'sa', 'proxy', 'apiserver-etcd-client'];

const b64 = (text) => Buffer.from(text).toString('base64');

/** The fake secret string of one key of one cluster Secret. */
export const fakeSecret = (ctx, purpose, key) => `sim-secret-${ctx.name}-${purpose}-${noise(ctx.seed, ctx.name, purpose, key)}`;

function kubeconfig(ctx) {
  const user = `${ctx.name}-admin`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${ctx.name}`,
    '  cluster:',
    `    server: https://${ctx.endpoint}:6443`,
    `    certificate-authority-data: ${b64(fakeSecret(ctx, 'ca', 'tls.crt'))}`,
    'contexts:',
    `- name: ${user}@${ctx.name}`,
    '  context:',
    `    cluster: ${ctx.name}`,
    `    user: ${user}`,
    `current-context: ${user}@${ctx.name}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    token: ${fakeSecret(ctx, 'kubeconfig', 'value')}`,
    '',
  ].join('\n');
}

export function clusterSecrets(ctx) {
  return SECRET_PURPOSES.map((purpose) => {
    const data = purpose === 'kubeconfig'
      ? { value: b64(kubeconfig(ctx)) }
      : { 'tls.crt': b64(fakeSecret(ctx, purpose, 'tls.crt')), 'tls.key': b64(fakeSecret(ctx, purpose, 'tls.key')) };
    return makeObject(ctx, 'v1', 'Secret', `${ctx.name}-${purpose}`, SYSTEM_NS, {
      labels: { [CLUSTER_NAME_LABEL]: ctx.name },
    }, {
      type: purpose === 'apiserver-etcd-client' ? 'kubernetes.io/tls' : 'cluster.x-k8s.io/secret',
      data,
    });
  });
}
