// One real sshd for the whole world, on 127.0.0.1 and every member address: the node users of the
// scenario's machine configs (capv, ec2-user), key-only, passwordless sudo, sudo's PATH starting with the
// sheltie/ctr/crictl stand-ins. Each cluster gets its own key at `<cluster>/eks-a-id_rsa`, where EKS-A
// writes it, accepted only for that cluster's user.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { runTool } from './etcd.js';
import { SSHD } from './tools.js';

/** The sheltie, ctr and crictl stand-ins (see README.md). */
export const STANDINS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bin');
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** sshd_config and sudoers take these paths unquoted: refuse what they would split or expand. */
export function requirePlainPath(p, what) {
  if (!/^\/[A-Za-z0-9._/+-]*$/.test(p)) throw new Error(`${what} ${JSON.stringify(p)} must be a plain path (letters, digits, . _ / + -)`);
  return p;
}

/** The sudoers drop-in of one world: a name sudo reads (no dot) and that says which world wrote it. */
export function sudoersFile(workdir) {
  return `/etc/sudoers.d/eksa-sim-${createHash('sha256').update(path.resolve(workdir)).digest('hex').slice(0, 12)}`;
}

/** Per user: passwordless sudo, the stand-ins first on sudo's PATH, the sim journal kept for them. */
export function sudoersText(users) {
  return users.flatMap((u) => [
    `Defaults:${u} secure_path="${STANDINS_DIR}:${SYSTEM_PATH}"`,
    `Defaults:${u} env_keep += "EKSA_SIM_JOURNAL"`,
    `${u} ALL=(ALL) NOPASSWD:ALL`,
  ]).join('\n') + '\n';
}

/** The user exists and is not locked ('!'): with UsePAM no, sshd refuses a locked account even with a key. */
async function ensureUser(name) {
  for (let attempt = 0; ; attempt++) {
    const line = readFileSync('/etc/shadow', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    if (line !== undefined) {
      if (line.split(':')[1]?.startsWith('!')) await runTool('usermod', ['-p', '*', name]);
      return;
    }
    try {
      // Home "/": nothing is created, and sshd has a directory to start the session in.
      await runTool('useradd', ['-M', '-d', '/', '-s', '/bin/sh', '-p', '*', '-c', 'eksa-safe-upgrade simulator node user', name]);
      return;
    } catch (error) {
      // Another world adding the same user right now, or /etc/passwd locked a moment: look again.
      if (attempt >= 20) throw error;
      await sleep(100);
    }
  }
}

async function installSudoers(file, users) {
  const draft = path.join(path.dirname(file), `.${path.basename(file)}.draft`); // a dot: sudo skips it
  await writeFile(draft, sudoersText(users), { mode: 0o440 });
  try {
    await runTool('visudo', ['-cf', draft]); // a broken drop-in would break sudo for the whole machine
    await rename(draft, file);
  } finally {
    await rm(draft, { force: true });
  }
}

const keygen = (file) => runTool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', path.basename(file), '-f', file]);

/**
 * Users, keys, sudoers and the sshd itself; resolves once a login with sudo works for every user.
 * `record` hears of the sudoers file and the process as soon as they exist, so a failed start is undone.
 * @param {{ workdir: string, sshDir: string, clusters: import('./plan.js').SimEtcdCluster[], port: number, journalFile?: string, knownHostsFile: string,
 *   record: (what: { sudoers?: string, proc?: import('./processes.js').TrackedProcess }) => void }} options
 */
export async function startSshd({ workdir, sshDir, clusters, port, journalFile, knownHostsFile, record }) {
  requirePlainPath(sshDir, 'directory');
  requirePlainPath(STANDINS_DIR, 'stand-ins directory');
  if (journalFile) requirePlainPath(journalFile, 'journal');
  await rm(sshDir, { recursive: true, force: true });
  await mkdir(sshDir, { recursive: true, mode: 0o700 });
  const users = [...new Set(clusters.map((c) => c.user))];
  const hostKey = path.join(sshDir, 'ssh_host_ed25519_key');
  await Promise.all([
    keygen(hostKey),
    ...clusters.map(async (c) => {
      const key = path.join(sshDir, `${c.name}_id_ed25519`);
      await keygen(key);
      const target = path.join(path.resolve(workdir), c.name, 'eks-a-id_rsa');
      await copyFile(key, target);
      await chmod(target, 0o600);
      await copyFile(`${key}.pub`, `${target}.pub`);
    }),
    ...users.map(ensureUser),
  ]);
  for (const user of users) {
    const keys = await Promise.all(clusters.filter((c) => c.user === user).map((c) => readFile(path.join(sshDir, `${c.name}_id_ed25519.pub`), 'utf8')));
    await writeFile(path.join(sshDir, `authorized_keys.${user}`), keys.join(''), { mode: 0o600 });
  }
  const sudoers = sudoersFile(workdir);
  record({ sudoers });
  await installSudoers(sudoers, users);

  const addresses = ['127.0.0.1', ...new Set(clusters.flatMap((c) => c.members.map((m) => m.address)))];
  const hostKeyLine = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  await writeFile(knownHostsFile, addresses.map((a) => `[${a}]:${port} ${hostKeyLine}\n`).join(''));
  const config = path.join(sshDir, 'sshd_config');
  await writeFile(config, [
    `Port ${port}`,
    ...addresses.map((a) => `ListenAddress ${a}`),
    `HostKey ${hostKey}`,
    'PidFile none',
    // The keys are read as root by a command, so the world's directory needs no access for the node users.
    'AuthorizedKeysFile none',
    `AuthorizedKeysCommand /bin/cat ${sshDir}/authorized_keys.%u`,
    'AuthorizedKeysCommandUser root',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    'UsePAM no',
    `AllowUsers ${users.join(' ')}`,
    ...(journalFile ? [`SetEnv EKSA_SIM_JOURNAL=${journalFile}`] : []),
    'MaxStartups 100',
    'LogLevel VERBOSE',
    '',
  ].join('\n'));
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
  await runTool(SSHD, ['-t', '-f', config]);
  const log = path.join(sshDir, 'sshd.log');
  const fd = openSync(log, 'a');
  const child = spawn(SSHD, ['-D', '-f', config, '-E', log], { stdio: ['ignore', 'ignore', fd], detached: true });
  closeSync(fd);
  let exited = false;
  child.on('exit', () => (exited = true));
  child.unref();
  record({ proc: { pid: child.pid, kind: 'sshd', name: 'sshd', signature: config } });

  // Ready when each user can log in with its cluster's key and run sudo, checking the pinned host key.
  await Promise.all(users.map(async (user) => {
    const cluster = clusters.find((c) => c.user === user);
    const argv = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHostsFile}`, '-o', 'LogLevel=ERROR',
      '-o', 'IdentitiesOnly=yes', '-i', path.join(sshDir, `${cluster.name}_id_ed25519`), '-p', String(port), '-l', user, '127.0.0.1', 'sudo -n true'];
    for (let attempt = 0; ; attempt++) {
      if (exited) throw new Error(`sshd exited during start-up:\n${readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n')}`);
      try {
        await runTool('ssh', argv);
        return;
      } catch (error) {
        if (attempt > 100) throw new Error(`sshd: ${user} cannot log in and sudo: ${error.message}`);
        await sleep(50);
      }
    }
  }));
}
