// Can this machine run the real etcd members and sshd? Missing tools are named with the packages that
// bring them, so `up` and `npm run demo` can say how to get the real etcd step.
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

export const SSHD = '/usr/sbin/sshd';
/** Debian/Ubuntu packages: etcd 3.4 and etcdctl, OpenSSH server and client, sudo. */
export const ETCD_PACKAGES = 'etcd-server etcd-client openssh-server openssh-client sudo';
export const INSTALL_HINT = `apt-get install ${ETCD_PACKAGES}`;

const TOOLS = ['etcd', 'etcdctl', 'openssl', 'ssh', 'ssh-keygen', 'sudo', 'visudo', 'useradd', 'usermod', 'getent', SSHD];

function onPath(tool, pathVar) {
  if (tool.startsWith('/')) return existsSync(tool);
  const dirs = (pathVar ?? '').split(path.delimiter).concat(['/usr/sbin', '/sbin']);
  return dirs.some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(path.join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * What stops the real etcd world here, or undefined when nothing does.
 * @returns {{ missing: string[], reason: string } | undefined}
 */
export function realEtcdBlocker(env = process.env, uid = process.getuid?.()) {
  const missing = TOOLS.filter((t) => !onPath(t, env.PATH)).map((t) => path.basename(t));
  if (uid !== 0) missing.push('root (to add the node users and start sshd)');
  if (missing.length === 0) return undefined;
  return { missing, reason: `missing ${missing.join(', ')} (${INSTALL_HINT})` };
}
