import path from 'node:path';
import type { BackupManifest } from '../backup/manifest.js';
import { sshPath } from '../etcd/ssh-options.js';
import type { EtcdSnapshotEntry } from '../etcd/types.js';
import type { OsFamily } from '../spec/types.js';
import { isDns1123Subdomain, isIpAddress } from '../kube/names.js';
import type { ClusterFacts, MachineFact } from './runbook-facts.js';
import { block, code, comment, hostPart, raw, sh, text, v, type Word } from './runbook-shell.js';

/** The fields of a manifest etcd entry the runbook uses, checked: they end up in commands. */
export type EtcdEntry = Pick<EtcdSnapshotEntry, 'cluster' | 'member' | 'address' | 'topology' | 'os' | 'file' | 'size' | 'sha256'> & {
  readonly revision: number | undefined;
};

const isHost = (a: unknown): a is string => isIpAddress(a) || isDns1123Subdomain(a);

export function parseEtcdEntry(e: Record<string, unknown>): EtcdEntry | string {
  const { cluster, member, address, topology, os, file, size, sha256, revision } = e;
  if (!isDns1123Subdomain(cluster)) return `an etcd entry has no valid cluster (${JSON.stringify(cluster)})`;
  if (!isDns1123Subdomain(member) || !isHost(address)) return `the etcd entry of ${cluster} has no valid member and address`;
  if (topology !== 'external' && topology !== 'stacked') return `the etcd entry of ${cluster} has an unknown topology ${JSON.stringify(topology)}`;
  if (os !== 'ubuntu' && os !== 'redhat' && os !== 'bottlerocket') return `the etcd entry of ${cluster} has an unknown OS ${JSON.stringify(os)}`;
  if (typeof file !== 'string' || !/^etcd\/([a-z0-9][a-z0-9.-]*\/)?[a-z0-9][a-z0-9.-]*\.db$/.test(file) || file.includes('..')) return `the etcd entry of ${cluster} names no valid snapshot file`;
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) return `the etcd entry of ${cluster} has no valid sha256`;
  return { cluster, member, address, topology, os, file, size: typeof size === 'number' ? size : 0, sha256, revision: typeof revision === 'number' ? revision : undefined };
}

export function parseEtcdEntries(manifest: BackupManifest): { entries: EtcdEntry[]; problems: string[] } {
  const entries: EtcdEntry[] = [];
  const problems: string[] = [];
  for (const e of manifest.etcd) {
    const parsed = parseEtcdEntry(e);
    if (typeof parsed === 'string') problems.push(parsed);
    else entries.push(parsed);
  }
  return { entries, problems };
}

/**
 * An etcd member as `--initial-cluster` names it. A member whose address the set does not hold has
 * `variable` (set in "Variables"), and `address` is a marker no recorded value can hold (a NUL byte):
 * `word` turns it into `"${VARIABLE}"` in commands, `shownAddress` into `$VARIABLE` in prose.
 */
export interface Member {
  readonly name: string;
  readonly address: string;
  readonly variable?: string;
}

const MARKER = /\u0000([A-Z0-9_]+)\u0000/g;
const marker = (variable: string) => `\u0000${variable}\u0000`;

/** The variable that stands for an unknown member address: `ETCD_ADDRESS_<MACHINE>`. */
export const addressVariable = (machine: string) => `ETCD_ADDRESS_${machine.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/** A word of a command: as is (quoted when needed), or double-quoted with each unknown address as `${VAR}`. */
export function word(text: string): Word {
  if (!text.includes('\u0000')) return text;
  return raw(`"${text.replace(/[\\$`"]/g, '\\$&').replace(MARKER, (_m, name: string) => `\${${name}}`)}"`);
}

/** Text spliced into a line kept as is (already inside double quotes, or a literal command line). */
export const expand = (text: string) => text.replace(MARKER, (_m, name: string) => `\${${name}}`);
export const shownAddress = (m: Member) => (m.variable ? `$${m.variable}` : m.address);

export const peerUrl = (address: string) => `https://${hostPart(address)}:2380`;
export const initialCluster = (members: readonly Member[]) => members.map((m) => `${m.name}=${peerUrl(m.address)}`).join(',');

// Every machine is a member: one without a usable address still is, with a variable in its place.
const withAddress = (machines: readonly MachineFact[], useNode: boolean): Member[] =>
  machines.map((m) => {
    const name = (useNode ? m.node : undefined) ?? m.machine;
    if (m.address) return { name, address: m.address };
    const variable = addressVariable(m.machine);
    return { name, address: marker(variable), variable };
  });

/** Members whose address the set does not hold, for the "Variables" section and the section's warning. */
export const unknownAddresses = (members: readonly Member[]) => members.filter((m) => m.variable !== undefined);

/**
 * Every member of the cluster's etcd, from the Machines the set holds: etcdadm names a member after its
 * machine's host name, kubeadm after its node. Without them, only the member the snapshot came from is known.
 */
export function etcdMembers(entry: EtcdEntry, facts: ClusterFacts | undefined): { members: Member[]; fromMachines: boolean } {
  const members = withAddress(entry.topology === 'external' ? facts?.etcdMachines ?? [] : facts?.controlPlane ?? [], entry.topology === 'stacked');
  if (members.length > 0) return { members, fromMachines: true };
  return { members: [{ name: entry.member, address: entry.address }], fromMachines: false };
}

export function controlPlaneNodes(entry: EtcdEntry, facts: ClusterFacts | undefined, members: readonly Member[]): Member[] {
  if (entry.topology === 'stacked') return [...members];
  return withAddress(facts?.controlPlane ?? [], true);
}

/** Bottlerocket's admin container is always `ec2-user`; other OSes log in as the machine config's user. */
export function login(os: OsFamily, address: string): Word {
  return os === 'bottlerocket' ? word(`ec2-user@${address}`) : raw(`"$SSH_USER@${expand(address)}"`);
}

/** How the runbook reaches a node: its OS (the login) and the ssh options that check its host key. */
export interface NodeAccess {
  readonly os: OsFamily;
  readonly hostKeys: readonly Word[];
}

export function sshTo(node: NodeAccess, m: Member): string {
  return `${sh(['ssh', ...node.hostKeys, '-i', v('SSH_KEY'), login(node.os, m.address)])}   ${comment(m.name)}`;
}

/**
 * ssh/scp options that check node host keys against the set's own `etcd/known_hosts` (what the backup saw),
 * strictly; none when the set holds no such file (the backup used --ssh-known-hosts) or ssh cannot take its path.
 */
export function nodeAccess(input: { readonly manifest: BackupManifest; readonly setDir: string; readonly entry: EtcdEntry }): NodeAccess {
  return { os: input.entry.os, hostKeys: hostKeyOptions(input.manifest, input.setDir) };
}

export function hostKeyOptions(manifest: BackupManifest, setDir: string): Word[] {
  if (!manifest.files.some((f) => f.path === 'etcd/known_hosts')) return [];
  try {
    return ['-o', `UserKnownHostsFile=${sshPath(path.join(setDir, 'etcd', 'known_hosts'), true)}`, '-o', 'StrictHostKeyChecking=yes'];
  } catch {
    return [];
  }
}

/** The command that prints a member's own name and peer URL, per etcd layout. */
export const CHECK = {
  external: "grep -E '^ETCD_(NAME|INITIAL_ADVERTISE_PEER_URLS)=' /etc/etcd/etcd.env",
  stacked: "grep -E -e '--(name|initial-advertise-peer-urls)=' /etc/kubernetes/manifests/etcd.yaml",
  bottlerocket: "grep -E -A1 'ETCD_NAME|ETCD_INITIAL_ADVERTISE_PEER_URLS|--name=|--initial-advertise-peer-urls=' /etc/kubernetes/manifests/etcd*",
};

/** Where the stopped static-pod manifests wait: under /var/lib, which survives a reboot (unlike /tmp). */
export const STASH = '/var/lib/eksa-restore-manifests';

export function describeSnapshot(entry: EtcdEntry, setDir: string): string {
  const status = entry.revision === undefined ? '' : `, revision ${entry.revision}`;
  return `Snapshot ${code(path.join(setDir, entry.file))}, taken from member ${code(entry.member)} (${code(entry.address)}): ${entry.size} bytes${status}, sha256 ${code(entry.sha256)}.`;
}

export function describeMembers(members: readonly Member[], fromMachines: boolean, checkCommand: string): string[] {
  const lines = [
    fromMachines
      ? 'Members, from the Machines saved in `capi/`:'
      : '**The set holds no Machines for this etcd**: only the member the snapshot came from is known. Add every other member to `--initial-cluster` (list them with `kubectl get machines -n eksa-system -o wide`).',
    '',
    ...members.map((m) => `- ${code(m.name)} at ${code(shownAddress(m))}, peer URL ${code(peerUrl(shownAddress(m)))}${m.variable ? ' (**address unknown**: set it in "Variables")' : ''}`),
    '',
    `On each member, \`${checkCommand}\` must print the same name and peer URL. If it prints others, use those, in every member's \`--initial-cluster\`.`,
  ];
  return lines;
}

/** The `etcdctl|etcdutl snapshot restore` arguments for one member: same snapshot, same --initial-cluster everywhere. */
export function restoreArgs(snapshot: string, m: Member, members: readonly Member[], dataDir: string): Word[] {
  return [
    'snapshot', 'restore', snapshot,
    `--name=${m.name}`,
    `--initial-cluster=${initialCluster(members)}`,
    '--initial-cluster-token=etcd-cluster-1',
    `--initial-advertise-peer-urls=${peerUrl(m.address)}`,
    `--data-dir=${dataDir}`,
  ].map(word);
}

/** One numbered step of a procedure: its sentence, then its blocks. */
export interface Step {
  readonly title: string;
  readonly body: readonly string[];
}

export function numbered(steps: readonly Step[]): string[] {
  return steps.flatMap((s, i) => [`${i + 1}. ${s.title}`, '', ...s.body.flatMap((b) => [b, ''])]);
}

export function copySnapshot(entry: EtcdEntry, setDir: string, members: readonly Member[], target: string, hostKeys: readonly Word[]): string {
  const local = path.join(setDir, entry.file);
  const to = (m: Member) => (entry.os === 'bottlerocket' ? word(`ec2-user@${hostPart(m.address)}:${target}`) : { raw: `"$SSH_USER@${expand(hostPart(m.address))}:${target}"` });
  return block(...members.map((m) => sh(['scp', ...hostKeys, '-i', v('SSH_KEY'), local, to(m)])));
}

export const checksum = (entry: EtcdEntry, file: string) => `echo ${entry.sha256}'  ${file}' | sha256sum -c`;

/** The stop-or-start of static pods on a list of nodes: ssh lines, then the root commands for each. */
export function onEachNode(node: NodeAccess, nodes: readonly Member[], rootCommands: readonly string[], empty: string): string[] {
  if (nodes.length === 0) return [empty];
  return [block(...nodes.map((n) => sshTo(node, n))), 'Then on each:', block(node.os === 'bottlerocket' ? 'sudo sheltie' : 'sudo -i', ...rootCommands)];
}

export const noControlPlane = (cluster: string) =>
  `(The set holds no control-plane Machines of ${text(cluster)}: list them with ${code(`kubectl get machines -n eksa-system -l cluster.x-k8s.io/control-plane,cluster.x-k8s.io/cluster-name=${cluster} -o wide`)}.)`;
