// The file system as the fake clusterctl sees it. On the host that is the plain file system; inside the fake
// `docker run` only the bind mounts are visible (EKSA_SIM_CONTAINER_MOUNTS), so a kubeconfig or backup
// directory that was not mounted is missing, as it is in a real container.

import fs from 'node:fs';
import path from 'node:path';

function errno(code, message) {
  return Object.assign(new Error(message), { code });
}

/**
 * @param {NodeJS.ProcessEnv} env
 */
export function fsView(env) {
  /** @type {{host: string, container: string, readOnly?: boolean}[] | undefined} */
  const mounts = env.EKSA_SIM_CONTAINER_MOUNTS ? JSON.parse(env.EKSA_SIM_CONTAINER_MOUNTS) : undefined;
  const cwd = env.EKSA_SIM_CONTAINER_CWD ?? process.cwd();

  /** @returns {{ host: string, readOnly: boolean }} */
  const resolve = (p) => {
    const abs = path.posix.resolve(cwd, p);
    if (!mounts) return { host: abs, readOnly: false };
    const mount = mounts
      .filter((m) => abs === m.container || abs.startsWith(`${m.container.replace(/\/$/, '')}/`))
      .sort((a, b) => b.container.length - a.container.length)[0];
    if (!mount) throw errno('ENOENT', `ENOENT: ${abs} is not inside a mounted volume`);
    return { host: path.posix.join(mount.host, path.posix.relative(mount.container, abs)), readOnly: Boolean(mount.readOnly) };
  };
  const writable = (p) => {
    const r = resolve(p);
    if (r.readOnly) throw errno('EROFS', 'read-only file system');
    return r.host;
  };

  return {
    stat: (p) => fs.statSync(resolve(p).host),
    exists: (p) => {
      try {
        fs.statSync(resolve(p).host);
        return true;
      } catch {
        return false;
      }
    },
    readFile: (p) => fs.readFileSync(resolve(p).host),
    readdir: (p) => fs.readdirSync(resolve(p).host).sort(),
    unlink: (p) => fs.unlinkSync(writable(p)),
    writeFile: (p, data, mode) => {
      const host = writable(p);
      fs.writeFileSync(host, data, { mode });
      fs.chmodSync(host, mode);
    },
  };
}
