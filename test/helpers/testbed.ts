// Real etcd (TLS, client certs) and a real sshd on loopback, for the etcd snapshot tests and the bench.
// Everything lives in temp dirs this module creates; stop() ends only the processes it started, by pid.
// Self-contained (node built-ins only) so bench/ can load it compiled.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const REAL_TOOLS = ['etcd', 'etcdctl', 'openssl', 'ssh', 'ssh-keygen', 'sudo', 'useradd', 'userdel', 'visudo'] as const;
export const SSHD = '/usr/sbin/sshd';

function onPath(tool: string): boolean {
  if (tool.startsWith('/')) return existsSync(tool);
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']);
  return dirs.some((d) => d !== '' && existsSync(join(d, tool)));
}

/**
 * true when every tool (and root, for useradd/sshd) is here. Missing ones mean "skip", unless
 * REQUIRE_REAL_TOOLS=1: then they are a failure, so CI can never pass by skipping.
 */
export function requireRealTools(tools: readonly string[] = [...REAL_TOOLS, SSHD]): boolean {
  const missing = tools.filter((t) => !onPath(t));
  const needsRoot = tools.includes(SSHD) || tools.includes('useradd');
  if (needsRoot && process.getuid?.() !== 0) missing.push('root (to add a test user and start sshd)');
  if (missing.length === 0) return true;
  if (process.env.REQUIRE_REAL_TOOLS === '1') {
    throw new Error(`REQUIRE_REAL_TOOLS=1 but missing: ${missing.join(', ')} (apt-get install etcd-server etcd-client openssh-server sudo)`);
  }
  return false;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function run(file: string, args: readonly string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(file, args, { input: options.input, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 }).toString();
}

async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------- PKI

export interface Pki {
  readonly dir: string;
  readonly ca: string;
  /** Server cert for 127.0.0.1/localhost, also valid as a client cert (as kubeadm's etcd server cert is). */
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A CA, a server cert and a client cert, as in the testbed recipe. */
export function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = (name: string) => join(dir, name);
  const ossl = (...args: string[]) => run('openssl', args);
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=esu-test-etcd-ca');
  writeFileSync(p('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [['server', '/CN=esu-test-etcd-server'], ['client', '/CN=root']] as const) {
    ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subject);
    ossl('x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.crt`), '-days', '2', '-extfile', p(`${name}.ext`));
  }
  return { dir, ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key') };
}

// --------------------------------------------------------------------------------------------- etcd

export interface RealEtcd {
  readonly endpoint: string;
  readonly dir: string;
  readonly pki: Pki;
  readonly pid: number;
  /** Runs the real etcdctl against this etcd with the client cert; returns stdout. */
  ctl(args: readonly string[], input?: string | Buffer): string;
  stop(): Promise<void>;
}

function etcdctlArgs(endpoint: string, pki: Pki): string[] {
  return [`--endpoints=${endpoint}`, `--cacert=${pki.ca}`, `--cert=${pki.clientCert}`, `--key=${pki.clientKey}`, '--dial-timeout=2s', '--command-timeout=30s'];
}

/**
 * A one-member etcd with TLS and client-cert auth on free loopback ports, healthy when this resolves.
 * `restoreFrom`: a snapshot file, restored with `etcdctl snapshot restore` into the data dir first.
 */
export async function startEtcd(options: { pki: Pki; extraArgs?: readonly string[]; restoreFrom?: string }): Promise<RealEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'esu-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `https://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const { pki } = options;
  if (options.restoreFrom !== undefined) {
    run('etcdctl', ['snapshot', 'restore', options.restoreFrom, '--name', 'esu', '--data-dir', join(dir, 'data'),
      '--initial-cluster', `esu=${peer}`, '--initial-advertise-peer-urls', peer, '--initial-cluster-token', 'esu-restore'],
      { env: { ...process.env, ETCDCTL_API: '3' } });
  }
  const child = spawn(
    'etcd',
    [
      '--name', 'esu', '--data-dir', join(dir, 'data'),
      '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `esu=${peer}`, '--initial-cluster-state', 'new',
      '--cert-file', pki.serverCert, '--key-file', pki.serverKey, '--trusted-ca-file', pki.ca, '--client-cert-auth',
      '--logger=zap', '--log-outputs=stderr',
      ...(options.extraArgs ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
  });
  const etcd: RealEtcd = {
    endpoint,
    dir,
    pki,
    pid: child.pid ?? -1,
    ctl: (args, input) => run('etcdctl', [...etcdctlArgs(endpoint, pki), ...args], { input, env: { ...process.env, ETCDCTL_API: '3' } }),
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`etcd exited early: ${log}`);
    try {
      etcd.ctl(['endpoint', 'health']);
      return etcd;
    } catch {
      await sleep(100);
    }
  }
  await etcd.stop();
  throw new Error(`etcd did not become healthy: ${log}`);
}

/** Writes `count` keys under `prefix` in `etcdctl txn` batches of `batch` puts; values are `value-<i>`. */
export function putKeys(etcd: RealEtcd, prefix: string, count: number, batch = 100): void {
  for (let start = 0; start < count; start += batch) {
    const puts: string[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) puts.push(`put ${prefix}${String(i).padStart(6, '0')} "value-${i}"`);
    etcd.ctl(['txn'], `\n${puts.join('\n')}\n\n\n`);
  }
}

/**
 * Grows the database by about `mebibytes` of random values of `valueKiB` each, `parallel` etcdctl puts at
 * a time with the value on stdin. (`etcdctl txn` parses its input at a few MB/s, too slow for large values;
 * putKeys uses it for many small keys.)
 */
export async function fillEtcd(etcd: RealEtcd, mebibytes: number, options: { valueKiB?: number; parallel?: number } = {}): Promise<void> {
  const valueKiB = options.valueKiB ?? 1024;
  const count = Math.ceil((mebibytes * 1024) / valueKiB);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const key = `/fill/${String(next++).padStart(7, '0')}`;
      await new Promise<void>((resolve, reject) => {
        const child = spawn('etcdctl', [...etcdctlArgs(etcd.endpoint, etcd.pki), 'put', key], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, ETCDCTL_API: '3' } });
        let err = '';
        child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`etcdctl put ${key}: ${err}`))));
        child.stdin?.end(randomBytes(valueKiB * 1024));
      });
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? 4 }, worker));
}

// --------------------------------------------------------------------------------------------- sshd

export interface RealSshd {
  readonly port: number;
  readonly listen: readonly string[];
  readonly user: string;
  readonly clientKey: string;
  readonly hostKeyPub: string;
  /** Stand-ins for sheltie/ctr/crictl; first on the test user's sudo PATH. */
  readonly standinsDir: string;
  readonly dir: string;
  readonly pid: number;
  /** A known_hosts line pinning this sshd's host key for `address`. */
  knownHostsLine(address: string): string;
  /** The per-connection sshd processes (descendants of the sshd this testbed started). */
  sessionPids(): number[];
  /** Marks the stand-in etcd container as running with this id, or as absent. */
  setContainer(id: string | undefined): void;
  /** What the stand-ins were asked to do, one line per call, since the last reset. */
  standinCalls(reset?: boolean): string[];
  stop(): Promise<void>;
}

function parentOf(pid: number): { ppid: number; comm: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    return { ppid, comm };
  } catch {
    return undefined;
  }
}

function descendants(root: number): Array<{ pid: number; comm: string }> {
  const all = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  const info = new Map(all.map((pid) => [pid, parentOf(pid)]));
  const found: Array<{ pid: number; comm: string }> = [];
  const walk = (parent: number) => {
    for (const [pid, i] of info) if (i && i.ppid === parent) {
      found.push({ pid, comm: i.comm });
      walk(pid);
    }
  };
  walk(root);
  return found;
}

function retry<T>(fn: () => T, attempts = 20): T {
  for (let i = 1; ; i++) {
    try {
      return fn();
    } catch (error) {
      if (i >= attempts) throw error;
      execFileSync('sleep', ['0.2']);
    }
  }
}

const STANDINS = {
  sheltie: `#!/bin/sh
# Stand-in for Bottlerocket's sheltie: a root shell on the "host" (here: this machine), commands on stdin.
echo "sheltie $*" >> "@STANDINS@/calls.log"
[ "$(id -u)" = 0 ] || { echo "sheltie: must be root" >&2; exit 1; }
PATH="@STANDINS@:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"; export PATH
exec /bin/bash "$@"
`,
  ctr: `#!/bin/sh
# Stand-in for containerd's ctr: one etcd container (id in the state file); \`tasks exec\` runs the real command.
set -eu
echo "ctr $*" >> "@STANDINS@/calls.log"
[ "$(id -u)" = 0 ] || { echo "ctr: permission denied" >&2; exit 1; }
[ "\${1:-}" = -n ] && [ "\${2:-}" = k8s.io ] || { echo "ctr stand-in: expected -n k8s.io, got: $*" >&2; exit 2; }
shift 2
CID=$(cat "@STANDINS@/etcd-container" 2>/dev/null || true)
case "\${1:-} \${2:-}" in
  "containers list"|"containers ls"|"c ls"|"c list")
    echo "CONTAINER                                                           IMAGE                                                          RUNTIME"
    echo "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef    public.ecr.aws/eks-distro/kubernetes/pause:3.9                 io.containerd.runc.v2"
    [ -z "$CID" ] || echo "$CID    public.ecr.aws/eks-distro/etcd-io/etcd:v3.5.16-eks-1-31-8     io.containerd.runc.v2" ;;
  "tasks list"|"tasks ls"|"t ls"|"t list")
    echo "TASK                                                                PID     STATUS"
    [ -z "$CID" ] || echo "$CID    4242    RUNNING" ;;
  "tasks exec"|"t exec")
    shift 2
    [ "\${1:-}" = --exec-id ] && [ -n "\${2:-}" ] || { echo "ctr stand-in: --exec-id ID required" >&2; exit 2; }
    shift 2
    [ -n "$CID" ] && [ "\${1:-}" = "$CID" ] || { echo "ctr: container \\"\${1:-}\\" not found" >&2; exit 1; }
    shift
    exec "$@" ;;
  *) echo "ctr stand-in: unsupported: $*" >&2; exit 2 ;;
esac
`,
  crictl: `#!/bin/sh
# Stand-in for crictl: \`ps -q\` lists the etcd container (id in the state file); \`exec\` runs the real command.
set -eu
echo "crictl $*" >> "@STANDINS@/calls.log"
[ "$(id -u)" = 0 ] || { echo "crictl: permission denied" >&2; exit 1; }
CID=$(cat "@STANDINS@/etcd-container" 2>/dev/null || true)
case "\${1:-}" in
  ps) [ -z "$CID" ] || echo "$CID" ;;
  exec)
    shift
    [ -n "$CID" ] && [ "\${1:-}" = "$CID" ] || { echo "crictl: container \\"\${1:-}\\" not found" >&2; exit 1; }
    shift
    exec "$@" ;;
  *) echo "crictl stand-in: unsupported: $*" >&2; exit 2 ;;
esac
`,
};

/**
 * A real sshd on a free port of the given loopback addresses, with a fresh test user (key auth only,
 * passwordless sudo, sudo PATH starting with the stand-ins dir). stop() removes the user, its sudoers
 * file and the temp dir, and ends only this sshd and its session processes.
 */
export async function startSshd(options: { listen?: readonly string[] } = {}): Promise<RealSshd> {
  const listen = options.listen ?? ['127.0.0.1'];
  const dir = mkdtempSync(join(tmpdir(), 'esu-sshd-'));
  chmodSync(dir, 0o755);
  const user = `esu${randomBytes(4).toString('hex')}`;
  const home = join(dir, 'home');
  const standinsDir = join(dir, 'standins');
  const sudoers = `/etc/sudoers.d/${user}`;
  mkdirSync(standinsDir, { mode: 0o755 });
  for (const [name, text] of Object.entries(STANDINS)) {
    writeFileSync(join(standinsDir, name), text.replaceAll('@STANDINS@', standinsDir), { mode: 0o755 });
  }
  let child: ChildProcess | undefined;
  let userAdded = false;
  const cleanup = async () => {
    if (child) {
      for (const d of descendants(child.pid ?? -1)) if (d.comm.startsWith('sshd')) try { process.kill(d.pid, 'SIGKILL'); } catch { /* gone */ }
      await stopChild(child);
    }
    rmSync(sudoers, { force: true });
    if (userAdded) retry(() => run('userdel', ['-f', user]));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // '*' instead of useradd's locked '!': with UsePAM no, sshd refuses locked accounts even for keys.
    retry(() => run('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-p', '*', user]));
    userAdded = true;
    mkdirSync(home, { mode: 0o755 });
    run('chown', [`${user}:`, home]);
    const draft = join(dir, 'sudoers');
    writeFileSync(
      draft,
      `Defaults:${user} secure_path="${standinsDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n${user} ALL=(ALL) NOPASSWD:ALL\n`,
      { mode: 0o440 },
    );
    run('visudo', ['-cf', draft]); // a broken sudoers file would break sudo for everyone on the machine
    copyFileSync(draft, sudoers);
    chmodSync(sudoers, 0o440);

    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
    mkdirSync(join(dir, 'authorized_keys'), { mode: 0o755 });
    copyFileSync(join(dir, 'client_key.pub'), join(dir, 'authorized_keys', user));
    chmodSync(join(dir, 'authorized_keys', user), 0o644);
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const port = await freePort();
    const config = [
      `Port ${port}`,
      ...listen.map((a) => `ListenAddress ${a}`),
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}/%u`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      'UsePAM no',
      'StrictModes no',
      `AllowUsers ${user}`,
      'LogLevel VERBOSE',
      'MaxStartups 100',
    ].join('\n');
    writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
    run(SSHD, ['-t', '-f', join(dir, 'sshd_config')]);
    child = spawn(SSHD, ['-D', '-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')], { stdio: 'ignore' });
    const sshdChild = child;
    const clientKey = join(dir, 'client_key');
    const hostKeyPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const probe = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-i', clientKey, '-p', String(port)];
    for (let i = 0; ; i++) {
      if (sshdChild.exitCode !== null) throw new Error(`sshd exited: ${readFileSync(join(dir, 'sshd.log'), 'utf8')}`);
      try {
        run('ssh', [...probe, `${user}@${listen[0]}`, 'sudo -n true']);
        break;
      } catch (error) {
        if (i > 100) throw error;
        await sleep(100);
      }
    }
    return {
      port,
      listen,
      user,
      clientKey,
      hostKeyPub,
      standinsDir,
      dir,
      pid: sshdChild.pid ?? -1,
      knownHostsLine: (address) => `[${address}]:${port} ${hostKeyPub}\n`,
      sessionPids: () => descendants(sshdChild.pid ?? -1).filter((d) => d.comm.startsWith('sshd')).map((d) => d.pid),
      setContainer: (id) => (id === undefined ? rmSync(join(standinsDir, 'etcd-container'), { force: true }) : writeFileSync(join(standinsDir, 'etcd-container'), id)),
      standinCalls: (reset = false) => {
        const file = join(standinsDir, 'calls.log');
        const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
        if (reset) rmSync(file, { force: true });
        return lines;
      },
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
