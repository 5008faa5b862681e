import path from 'node:path';
import type { BackupManifest } from '../backup/manifest.js';
import { renderManagementLost, renderWorkload } from './runbook-capi.js';
import { renderEtcdSection } from './runbook-etcd.js';
import { controlPlaneNodes, etcdMembers, parseEtcdEntries, unknownAddresses, type EtcdEntry } from './runbook-etcd-common.js';
import type { RunbookFacts } from './runbook-facts.js';
import { block, code, sh, text, v } from './runbook-shell.js';
import { quoteForDisplay } from '../shell-quote.js';

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

function header(m: BackupManifest, setDir: string, entries: readonly EtcdEntry[], problems: readonly string[]): string[] {
  const snapshotted = new Set(entries.map((e) => e.cluster));
  const rows = m.clusters.map(
    (c) => `| ${code(c.name)} | ${text(c.role)} | ${c.eksaVersion === undefined ? '?' : code(c.eksaVersion)} | ${c.kubernetesVersion === undefined ? '?' : code(c.kubernetesVersion)} | ${yesNo(c.paused.eksa)} / ${yesNo(c.paused.capi)} | ${m.scope.clusters.includes(c.name) ? 'yes' : '**no**'} | ${yesNo(snapshotted.has(c.name))} |`,
  );
  const scope =
    m.scope.kind === 'management-only'
      ? [
          `**Scope: management cluster only** (${text(m.scope.summary)}). Left out, so **not restorable from this set**:`,
          ...m.scope.leftOut.map((l) => `- ${code(l.cluster)}: ${text(l.reasons.map((r) => `${r.code}: ${r.message}`).join('; '))}`),
        ]
      : [`Scope: ${text(m.scope.summary)} (${m.scope.clusters.map((c) => code(c)).join(', ')}).`];
  return [
    `# Restore runbook: ${code(path.basename(setDir))}`,
    '',
    `Backup set ${code(setDir)}, taken ${code(m.createdAt)} by eksa-safe-upgrade ${code(m.tool.version)} before an upgrade of ${code(m.spec.cluster)} (management cluster ${code(m.managementCluster)}).`,
    `clusterctl: ${m.clusterctl.image ? `the cli-tools image ${code(m.clusterctl.image)}` : `the binary ${code(m.clusterctl.binary ?? 'clusterctl')}`}.`,
    '',
    ...scope,
    '',
    '| cluster | role | EKS-A | Kubernetes | paused at backup (EKS-A / CAPI) | in capi/ | etcd snapshot |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '**Nothing in this file runs by itself.** Read a step, fill in the variables it names, then paste its commands yourself (bash; every path is quoted).',
    ...(/[:,]/.test(setDir) ? ['', `**The folder's path contains \`:\` or \`,\`, which \`docker run -v\` cannot mount: copy the set to a plain path first.**`] : []),
    ...(problems.length > 0 ? ['', '**Left out of this runbook:**', ...problems.map((p) => `- ${text(p)}`)] : []),
  ];
}

type RunbookDrill = NonNullable<BackupManifest['drill']>;

function drillLines(drill: RunbookDrill): string[] {
  const rows = drill.snapshots.map(
    (s) => `| ${code(s.cluster)} | ${code(s.member)} | ${s.ok ? 'passed' : '**failed**'} | ${s.revision ?? '?'} | ${s.totalKeys ?? '?'} | ${s.problems.length > 0 ? text(s.problems.join('; ')) : ''} |`,
  );
  return [
    `**Drilled when taken** (${code(drill.drilledAt)}, \`--drill\`): ${drill.ok ? 'every etcd snapshot restored into a throwaway etcd, and the management cluster\'s holds every object of `capi/` and `eksa/`.' : '**the drill failed: do not rely on this set before the cause is found.**'}`,
    '',
    ...(drill.problems.length > 0 ? [...drill.problems.map((p) => `- ${text(p)}`), ''] : []),
    ...(rows.length > 0 ? ['| cluster | member | drill | revision | keys | problems |', '|---|---|---|---|---|---|', ...rows, ''] : []),
  ];
}

function checkSection(setDir: string, entries: readonly EtcdEntry[], drill: RunbookDrill | undefined): string[] {
  const sums = entries.length === 0
    ? []
    : [
        'The etcd snapshots, against the sums recorded when they were taken:',
        '',
        block(sh(['cd', setDir]), "sha256sum -c <<'SUMS'", ...entries.map((e) => `${e.sha256}  ${e.file}`), 'SUMS'),
        '',
      ];
  return [
    '## Before anything: check the backup',
    '',
    'Every file against its sha256 in `manifest.json`, and the object graph. Do not restore from a set that fails.',
    '',
    block(sh(['eksa-safe-upgrade', 'verify', setDir])),
    '',
    ...(entries.length > 0
      ? [
          'Then prove the etcd snapshots restore: each into a throwaway local etcd, the management cluster\'s cross-checked against `capi/` and `eksa/` (needs etcd and etcdctl on this machine; the outcome goes to the set\'s `.drill.json`):',
          '',
          block(sh(['eksa-safe-upgrade', 'drill', setDir])),
          '',
          ...(drill ? drillLines(drill) : []),
        ]
      : []),
    'Without the tool (needs `jq`):',
    '',
    block(sh(['cd', setDir]), `jq -r '.files[] | "\\(.sha256)  \\(.path)"' manifest.json | sha256sum -c --quiet`),
    '',
    ...sums,
  ];
}

function variables(m: BackupManifest, setDir: string, entries: readonly EtcdEntry[], mgmtInSet: boolean, workloads: readonly string[], facts: RunbookFacts): string[] {
  const assign = (name: string, value: string, why: string) => `${name}=${quoteForDisplay(value)}   # ${why}`;
  const lines = [assign('MGMT_KUBECONFIG', path.join(path.dirname(setDir), `${m.managementCluster}-eks-a-cluster.kubeconfig`), `the kubeconfig of the management cluster (absolute path)`)];
  if (mgmtInSet) {
    lines.push(assign('NEW_MGMT_KUBECONFIG', '', 'fill in: the new management cluster\'s kubeconfig, absolute (lost management cluster)'));
    lines.push(assign('NEW_MGMT_SPEC', '', 'fill in: the spec file of the new management cluster'));
  }
  if (workloads.some((w) => entries.some((e) => e.cluster === w))) {
    lines.push(assign('NEW_WORKLOAD_NAME', '', 'fill in: the new workload cluster\'s name (lost workload cluster)'));
    lines.push(assign('NEW_WORKLOAD_SPEC', '', 'fill in: its spec file'));
    lines.push(assign('NEW_WORKLOAD_KUBECONFIG', '', 'fill in: its kubeconfig'));
  }
  if (entries.length > 0) {
    lines.push(assign('SSH_KEY', path.join(path.dirname(setDir), 'eks-a-id_rsa'), 'the nodes\' private key (EKS-A generates this one when the spec names none)'));
    if (entries.some((e) => e.os !== 'bottlerocket')) lines.push(assign('SSH_USER', '', 'fill in: the machine config\'s user (capv on vSphere, eksa on Nutanix, capc on CloudStack, ec2-user on Tinkerbell)'));
  }
  // A member whose Machine had no usable address is still a member: its address is a variable to fill in.
  const seen = new Set<string>();
  for (const e of entries) {
    const { members } = etcdMembers(e, facts[e.cluster]);
    for (const u of unknownAddresses([...members, ...controlPlaneNodes(e, facts[e.cluster], members)])) {
      if (seen.has(u.variable!)) continue;
      seen.add(u.variable!);
      lines.push(assign(u.variable!, '', `fill in: the address of ${u.name} of ${e.cluster} (the set does not hold it; kubectl get machines -n eksa-system -o wide)`));
    }
  }
  return ['## Variables', '', 'Set these in the shell you restore from; the commands below use them.', '', block(...lines), ''];
}

function chooser(m: BackupManifest, mgmtInSet: boolean, workloads: readonly string[], entries: readonly EtcdEntry[]): string[] {
  const rows = [
    ...(mgmtInSet ? [`| the management cluster ${code(m.managementCluster)} is lost | "Lost management cluster ${code(m.managementCluster)}" |`] : []),
    ...workloads.map((w) => `| ${code(w)}'s objects are gone from the management cluster, or ${code(w)} itself is lost | "Workload cluster ${code(w)}" |`),
    ...entries.map((e) => `| ${code(e.cluster)}'s machines and IPs are intact but its data is bad (a failed upgrade) | "etcd of ${code(e.cluster)}" |`),
  ];
  return ['## Which procedure', '', '| what happened | what to do |', '|---|---|', ...rows, ''];
}

function afterSection(m: BackupManifest, setDir: string): string[] {
  const k = ['kubectl', '--kubeconfig', v('MGMT_KUBECONFIG')];
  const pausedBefore = m.clusters.filter((c) => c.paused.eksa || c.paused.capi);
  return [
    '## After the restore',
    '',
    'Every EKS-A Cluster `Ready`, every CAPI Cluster `Provisioned`, every control plane initialized with its API server available, every Machine `Running`, and no cluster left paused:',
    '',
    block(
      sh([...k, 'get', 'clusters.anywhere.eks.amazonaws.com', '--all-namespaces']),
      sh([...k, '-n', 'eksa-system', 'get', 'clusters.cluster.x-k8s.io,kubeadmcontrolplanes.controlplane.cluster.x-k8s.io']),
      sh([...k, '-n', 'eksa-system', 'get', 'machines.cluster.x-k8s.io', '-o', 'wide']),
      sh([...k, 'get', 'clusters.anywhere.eks.amazonaws.com', '--all-namespaces', '-o', 'custom-columns=NAME:.metadata.name,PAUSED:.metadata.annotations.anywhere\\.eks\\.amazonaws\\.com/paused']),
      sh([...k, '-n', 'eksa-system', 'get', 'clusters.cluster.x-k8s.io', '-o', 'custom-columns=NAME:.metadata.name,PAUSED:.spec.paused']),
      sh(['eksa-safe-upgrade', 'preflight', '-f', path.join(setDir, m.spec.files[0] ?? 'spec'), '--kubeconfig', v('MGMT_KUBECONFIG')]),
    ),
    '',
    ...(pausedBefore.length > 0 ? [`Paused when backed up (pause them again if they must stay so): ${pausedBefore.map((c) => code(c.name)).join(', ')}.`, ''] : []),
  ];
}

const PITFALLS = [
  '## Pitfalls',
  '',
  '- **Existing objects in the target win.** `clusterctl move --from-directory` skips an object that already exists (it is not updated, and nothing says so). Restore into a cluster that does not hold them, or delete the stale ones first.',
  '- **Providers and CRDs must be installed first**, at the EKS-A version of the backup: clusterctl finds the types to restore in the target. Without them nothing is restored, and the failure only shows at the end as `error setting Cluster.Spec.Paused=false … not found`.',
  '- Never add `--dry-run` to `clusterctl move --from-directory`: clusterctl ignores it there and restores for real.',
  '- clusterctl reads every file of the folder it restores from: `capi/` holds only its files; add nothing to it.',
  '- The restore sets `spec.paused: null` on every Cluster of the filtered graph, ones that already existed included, and never touches EKS-A\'s `anywhere.eks.amazonaws.com/paused` annotation.',
  '- EKS-A objects are not in `capi/` (clusterctl does not carry them, eks-anywhere#5894): they are in `eksa/`, exported by this tool without status or server-set fields.',
  '- Since clusterctl v1.12 a backup fails while a Cluster in its scope is paused: unpause after an etcd restore before backing up again.',
  '- After an etcd restore onto new machines, the old `cluster-info`, `kube-proxy` and `kubeadm-config` ConfigMaps come back with it: save the new ones first and put them back (the workload steps do).',
  '- A member with a changed IP, or a restore that leaves etcd without quorum, ends in TLS `bad certificate` errors (eks-anywhere#1460): restore every member, onto the same IPs, at once.',
  '- Bottlerocket: EKS-A\'s page also copies `member.bak/wal` into the restored member. These steps do not: the restored member has the WAL that matches the snapshot; the old one belongs to the data being replaced.',
  '',
];

/**
 * Pure: the restore runbook of a backup set (RESTORE.md), every command pre-filled from its manifest and the
 * Machines saved in it, after EKS Anywhere's restore procedures. `setDir` is where the set lives once
 * complete; `facts` come from its `capi/` (readRunbookFacts), without them only the snapshot's member is known.
 */
export function renderRestoreRunbook(manifest: BackupManifest, setDir: string, facts: RunbookFacts = {}): string {
  const { entries, problems } = parseEtcdEntries(manifest);
  const mgmtInSet = manifest.scope.clusters.includes(manifest.managementCluster);
  const workloads = manifest.scope.clusters.filter((c) => c !== manifest.managementCluster);
  const input = { manifest, setDir, facts, snapshotted: new Set(entries.map((e) => e.cluster)) };
  const etcd = entries.length === 0
    ? ['## etcd restores', '', 'This set holds no etcd snapshot: an etcd restore needs one taken separately (EKS-A\'s etcd backup pages).', '']
    : ['## etcd restores', '', ...entries.flatMap((entry) => [renderEtcdSection({ manifest, entry, facts: facts[entry.cluster], setDir }), ''])];
  return [
    ...header(manifest, setDir, entries, problems),
    '',
    ...checkSection(setDir, entries, manifest.drill),
    ...variables(manifest, setDir, entries, mgmtInSet, workloads, facts),
    ...chooser(manifest, mgmtInSet, workloads, entries),
    ...(mgmtInSet ? [renderManagementLost(input), ''] : []),
    ...workloads.flatMap((w) => [renderWorkload(input, w), '']),
    ...etcd,
    ...afterSection(manifest, setDir),
    ...PITFALLS,
  ].join('\n');
}
