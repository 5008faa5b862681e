// Real etcd members: one per etcd Machine, each on its Machine's loopback address, TLS with client-cert
// auth (as EKS-A runs them), peers in plain HTTP on loopback. One client port and one peer port serve the
// whole world: the addresses differ, so the ports need not.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const HEALTH_TIMEOUT_MS = 30_000;

/** Runs a tool to completion; resolves with stdout, rejects with its stderr. */
export function runTool(file, args, { input, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env: env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${path.basename(file)} ${args.join(' ')}: exit ${code}: ${stderr.trim().split('\n').slice(-2).join(' / ')}`))));
    if (input !== undefined) {
      child.stdin.on('error', () => undefined); // a tool that exits without reading: its exit code tells
      child.stdin.end(input);
    }
  });
}

/** etcdctl against one member with the cluster's client certificate. */
export function etcdctl(endpoint, pki, args, input) {
  return runTool('etcdctl', [
    `--endpoints=${endpoint}`, `--cacert=${pki.ca}`, `--cert=${pki.clientCert}`, `--key=${pki.clientKey}`,
    '--dial-timeout=2s', '--command-timeout=10s', ...args,
  ], { input, env: { ...process.env, ETCDCTL_API: '3' } });
}

export const clientUrl = (address, port) => `https://${address}:${port}`;
const peerUrl = (address, port) => `http://${address}:${port}`;

/**
 * The etcd command line of one member.
 * @param {import('./plan.js').SimEtcdCluster} cluster
 * @param {import('./plan.js').SimEtcdMember} member
 */
export function memberArgs(cluster, member, { clientPort, peerPort, pki, dataDir, token }) {
  const client = clientUrl(member.address, clientPort);
  const peer = peerUrl(member.address, peerPort);
  return [
    '--name', member.machine, '--data-dir', dataDir,
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
    '--initial-cluster', cluster.members.map((m) => `${m.machine}=${peerUrl(m.address, peerPort)}`).join(','),
    '--initial-cluster-state', 'new', '--initial-cluster-token', token,
    '--cert-file', pki.serverCert, '--key-file', pki.serverKey, '--trusted-ca-file', pki.ca, '--client-cert-auth',
    '--logger=zap', '--log-outputs=stderr',
  ];
}

/**
 * Starts one member in the background (its log: `<dir>/etcd.log`); restarting a stopped member reuses its
 * data directory, so it rejoins its cluster.
 * @returns {{ proc: import('./processes.js').TrackedProcess, exited: () => boolean, log: string }}
 */
export function spawnMember(dir, args, name) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const log = path.join(dir, 'etcd.log');
  const fd = openSync(log, 'a');
  const child = spawn('etcd', args, { stdio: ['ignore', 'ignore', fd], detached: true });
  closeSync(fd);
  let exited = false;
  child.on('exit', () => (exited = true));
  child.unref();
  // The data dir is under the world's directory: its path in the command line identifies the process.
  return { proc: { pid: child.pid, kind: 'etcd', name, signature: dir }, exited: () => exited, log };
}

/** Waits until every started member answers `endpoint health`; fails early when one exits. */
export async function waitHealthy(started, pki, clientPort) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let givenUp = false; // one member failed: the others stop polling
  await Promise.all(started.map(async ({ member, handle }) => {
    for (;;) {
      if (givenUp) return;
      if (handle.exited()) {
        givenUp = true;
        throw new Error(`etcd ${member.machine} exited during start-up:\n${tail(handle.log)}`);
      }
      try {
        // A connect is cheap; an etcdctl process per try would compete with the starting members for CPU.
        if (!(await accepts(member.address, clientPort))) throw new Error('client port not open yet');
        await etcdctl(clientUrl(member.address, clientPort), pki, ['endpoint', 'health']);
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          givenUp = true;
          throw new Error(`etcd ${member.machine} not healthy after ${HEALTH_TIMEOUT_MS / 1000}s: ${error.message}\n${tail(handle.log)}`);
        }
        await sleep(50);
      }
    }
  }));
}

function accepts(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function tail(file) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}
