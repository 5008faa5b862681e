import path from 'node:path';
import { objectFileName } from '../backup/eksa-export.js';
import type { BackupManifest } from '../backup/manifest.js';
import { parseRefKey } from '../backup/object-graph.js';
import { numbered, type Step } from './runbook-etcd-common.js';
import type { RunbookFacts } from './runbook-facts.js';
import { block, capiDir, clusterctl, code, comment, eksaNamespace, pauseCommands, sh, text, unpauseCommands, v, type Word } from './runbook-shell.js';

export interface CapiSectionInput {
  readonly manifest: BackupManifest;
  readonly setDir: string;
  readonly facts: RunbookFacts;
  /** Clusters with an etcd snapshot in the set. */
  readonly snapshotted: ReadonlySet<string>;
}

const recorded = (m: BackupManifest, cluster: string) => m.clusters.find((c) => c.name === cluster);
const eksaVersionOf = (m: BackupManifest, cluster: string) => recorded(m, cluster)?.eksaVersion;

/** The cluster's files in eksa/, the EKS-A Cluster last: the webhook checks the objects it references exist. */
export function eksaFiles(m: BackupManifest, setDir: string, cluster: string): string[] {
  const refs = (m.expected[cluster]?.eksa ?? []).map(parseRefKey);
  const ordered = [...refs.filter((r) => r.kind !== 'Cluster'), ...refs.filter((r) => r.kind === 'Cluster')];
  return ordered.map((r) => path.join(setDir, 'eksa', objectFileName(r)));
}

function moveCommand(input: CapiSectionInput, cluster: string, kubeconfigVar: string): string {
  const from = capiDir(input.setDir);
  return clusterctl(input.manifest, { dirs: [from], kubeconfigVar }, [
    ['move', '--namespace', 'eksa-system', '--filter-cluster', cluster],
    ['--from-directory', from, '--to-kubeconfig', v(kubeconfigVar)],
  ]);
}

function applyEksa(input: CapiSectionInput, cluster: string, kubeconfigVar: string): string[] {
  const files = eksaFiles(input.manifest, input.setDir, cluster);
  if (files.length === 0) return [`(The set lists no EKS-A objects of ${code(cluster)}: apply its cluster spec instead.)`];
  const ns = eksaNamespace(input.manifest, cluster);
  const createNs = ns === 'default' ? [] : [`${sh(['kubectl', '--kubeconfig', v(kubeconfigVar), 'create', 'namespace', ns])}   ${comment('if it does not exist yet')}`];
  return [block(...createNs, sh(['kubectl', '--kubeconfig', v(kubeconfigVar), 'apply'], ...files.map((f): Word[] => ['-f', f])))];
}

function versionStep(m: BackupManifest, cluster: string): Step {
  const version = eksaVersionOf(m, cluster);
  return {
    title: version
      ? `Use the EKS-A version the cluster had: \`eksctl anywhere version\` must print ${code(version)} (the providers and CRDs it installs must match the saved objects).`
      : 'Use the EKS-A version the cluster had (the set did not record it; see `eksaVersion` in its file under `eksa/`).',
    body: [block('eksctl anywhere version')],
  };
}

/** A lost management cluster, as EKS-A documents it: a new one, the workload clusters moved in, their EKS-A objects applied. */
export function renderManagementLost(input: CapiSectionInput): string {
  const m = input.manifest;
  const mgmt = m.managementCluster;
  const workloads = m.scope.clusters.filter((c) => c !== mgmt);
  const kube = recorded(m, mgmt)?.kubernetesVersion;
  const perWorkload = workloads.length === 0
    ? [
        `**This set holds no workload cluster** (scope: ${text(m.scope.summary)}). ${m.scope.leftOut.map((l) => code(l.cluster)).join(', ') || 'No workload cluster'} cannot be moved into a new management cluster from it: use an older whole-tree set (\`eksa-safe-upgrade backups list\`).`,
      ]
    : workloads.flatMap((w) => [`Cluster ${code(w)}:`, block(moveCommand(input, w, 'NEW_MGMT_KUBECONFIG'))]);
  const steps: Step[] = [
    versionStep(m, mgmt),
    {
      title: `Create the new management cluster${kube ? ` (Kubernetes ${code(kube)})` : ''}, under a new name if the old one still runs. The EKS-A objects ${code(mgmt)} had are in \`eksa/\`; as a start for its spec:`,
      body: [
        block(
          sh(['awk', 'FNR == 1 { print "---" } { print }'], ...eksaFiles(m, input.setDir, mgmt).map((f): Word[] => [f]), [{ raw: '>' }, v('NEW_MGMT_SPEC')]),
          sh(['eksctl', 'anywhere', 'create', 'cluster', '-f', v('NEW_MGMT_SPEC')]),
        ),
        `The spec the backup run was given is ${code(path.join(input.setDir, m.spec.files[0] ?? 'spec'))}; it may already name the versions the upgrade was moving to.`,
      ],
    },
    {
      title: 'Check the new cluster first: the Cluster API providers and CRDs must be installed (clusterctl restores nothing without them), and it must not hold Clusters of the same names (existing objects win):',
      body: [
        block(
          sh(['kubectl', '--kubeconfig', v('NEW_MGMT_KUBECONFIG'), 'get', 'crd', 'clusters.cluster.x-k8s.io']),
          sh(['kubectl', '--kubeconfig', v('NEW_MGMT_KUBECONFIG'), 'get', 'providers.clusterctl.cluster.x-k8s.io', '--all-namespaces']),
          sh(['kubectl', '--kubeconfig', v('NEW_MGMT_KUBECONFIG'), '-n', 'eksa-system', 'get', 'clusters.cluster.x-k8s.io']),
        ),
      ],
    },
    { title: 'Move each workload cluster\'s Cluster API objects in, from this set, through the same clusterctl:', body: perWorkload },
    {
      title: 'Apply each workload cluster\'s EKS-A objects again (clusterctl does not carry them). If the new management cluster has another name, first set `spec.managementCluster.name` to it in the Cluster file:',
      body: workloads.length === 0 ? ['(None in this set.)'] : workloads.flatMap((w) => [`Cluster ${code(w)}:`, ...applyEksa(input, w, 'NEW_MGMT_KUBECONFIG')]),
    },
    { title: 'Run the checks of "After the restore", with `MGMT_KUBECONFIG="$NEW_MGMT_KUBECONFIG"`.', body: [] },
  ];
  return [
    `## Lost management cluster ${code(mgmt)}`,
    '',
    `Use this when ${code(mgmt)} cannot be repaired. If its machines and their IPs are unchanged and only its data is bad, restore its etcd instead (EKS-A advises against that unless the machines are identical).`,
    `The management cluster itself is not restored from \`capi/\`: a new one is created at the same EKS-A version, the workload clusters' Cluster API objects are moved into it from this set, and their EKS-A objects are applied again from \`eksa/\`.`,
    '',
    ...numbered(steps),
  ].join('\n').trimEnd();
}

const cm = (ns: string, name: string): string =>
  `${sh(['kubectl', '--kubeconfig', v('NEW_WORKLOAD_KUBECONFIG'), '-n', ns, 'get', 'configmap', name, '-o', 'yaml'])} | sed -e '/^  creationTimestamp:/d' -e '/^  resourceVersion:/d' -e '/^  uid:/d' > "$NEW_WORKLOAD_NAME-${name}.yaml"`;

/** A workload cluster: its objects back into its management cluster, or its old etcd onto a new cluster. */
export function renderWorkload(input: CapiSectionInput, w: string): string {
  const m = input.manifest;
  const facts = input.facts[w];
  const objectsGone: Step[] = [
    {
      title: `Check that the management cluster holds none of ${code(w)}'s objects: clusterctl skips an object that exists, and the stale one wins. Both must find nothing:`,
      body: [block(
        sh(['kubectl', '--kubeconfig', v('MGMT_KUBECONFIG'), '-n', 'eksa-system', 'get', 'clusters.cluster.x-k8s.io', w]),
        sh(['kubectl', '--kubeconfig', v('MGMT_KUBECONFIG'), '-n', 'eksa-system', 'get', 'machines.cluster.x-k8s.io', '-l', `cluster.x-k8s.io/cluster-name=${w}`]),
      )],
    },
    { title: 'Move its Cluster API objects back, through the same clusterctl:', body: [block(moveCommand(input, w, 'MGMT_KUBECONFIG'))] },
    { title: 'Apply its EKS-A objects again (clusterctl does not carry them):', body: applyEksa(input, w, 'MGMT_KUBECONFIG') },
    { title: 'Run the checks of "After the restore".', body: [] },
  ];
  const mds = (facts?.machineDeployments ?? []).map((md) => (md.startsWith(`${w}-`) ? md.slice(w.length + 1) : md));
  const rollout = (target: Word) => clusterctl(m, { dirs: [], kubeconfigVar: 'MGMT_KUBECONFIG' }, [['alpha', 'rollout', 'restart', target, '-n', 'eksa-system', '--kubeconfig', v('MGMT_KUBECONFIG')]]);
  const clusterLost: Step[] = [
    versionStep(m, w),
    { title: 'Create a new workload cluster (set `NEW_WORKLOAD_NAME`, `NEW_WORKLOAD_SPEC`, `NEW_WORKLOAD_KUBECONFIG`):', body: [block(sh(['eksctl', 'anywhere', 'create', 'cluster', '-f', v('NEW_WORKLOAD_SPEC'), '--kubeconfig', v('MGMT_KUBECONFIG')]))] },
    { title: 'Save three of its ConfigMaps, which the old etcd would overwrite:', body: [block(cm('kube-public', 'cluster-info'), cm('kube-system', 'kube-proxy'), cm('kube-system', 'kubeadm-config'))] },
    {
      title: `Pause the new cluster, then restore ${code(w)}'s snapshot onto it with the steps of "etcd of ${code(w)}" below from "Copy the snapshot" on, using the **new** machines' names and addresses; do **not** unpause yet:`,
      body: [block(...pauseCommands(m, w, 'MGMT_KUBECONFIG', v('NEW_WORKLOAD_NAME')), sh(['kubectl', '--kubeconfig', v('MGMT_KUBECONFIG'), '-n', 'eksa-system', 'get', 'machines.cluster.x-k8s.io', '-l', { raw: '"cluster.x-k8s.io/cluster-name=$NEW_WORKLOAD_NAME"' }, '-o', 'wide']))],
    },
    { title: 'Restart the kubelet on every node (Bottlerocket: `apiclient exec admin bash`, then `sudo sheltie` first):', body: [block('systemctl restart kubelet')] },
    { title: 'Label each new control-plane node (`NODE`: its name, from `kubectl get nodes`):', body: [block(sh(['kubectl', '--kubeconfig', v('NEW_WORKLOAD_KUBECONFIG'), 'label', 'nodes', v('NODE'), 'node-role.kubernetes.io/control-plane=']))] },
    {
      title: `Delete the legacy nodes of ${code(w)}, which the old etcd brought back:`,
      body: [facts && facts.nodes.length > 0 ? block(sh(['kubectl', '--kubeconfig', v('NEW_WORKLOAD_KUBECONFIG'), 'delete', 'node', ...facts.nodes])) : `(The set names no nodes of ${code(w)}: delete the NotReady ones \`kubectl get nodes\` shows.)`],
    },
    {
      title: 'Put the saved ConfigMaps back and restart kube-proxy:',
      body: [block(
        sh(['kubectl', '--kubeconfig', v('NEW_WORKLOAD_KUBECONFIG'), 'apply'], ['-f', { raw: '"$NEW_WORKLOAD_NAME-cluster-info.yaml"' }], ['-f', { raw: '"$NEW_WORKLOAD_NAME-kube-proxy.yaml"' }], ['-f', { raw: '"$NEW_WORKLOAD_NAME-kubeadm-config.yaml"' }]),
        sh(['kubectl', '--kubeconfig', v('NEW_WORKLOAD_KUBECONFIG'), '-n', 'kube-system', 'rollout', 'restart', 'ds', 'kube-proxy']),
      )],
    },
    { title: 'Unpause the new cluster (both switches):', body: [block(...unpauseCommands(m, w, 'MGMT_KUBECONFIG', v('NEW_WORKLOAD_NAME')))] },
    {
      title: 'Roll its machines, through the same clusterctl:',
      body: [block(rollout({ raw: '"kubeadmcontrolplane/$NEW_WORKLOAD_NAME"' }), ...mds.map((suffix) => rollout({ raw: `"machinedeployment/$NEW_WORKLOAD_NAME-${suffix}"` })))],
    },
  ];
  return [
    `## Workload cluster ${code(w)}`,
    '',
    `### Its objects are gone from its management cluster (its machines still run)`,
    '',
    ...numbered(objectsGone),
    `### The cluster itself is lost (its machines are gone)`,
    '',
    ...(input.snapshotted.has(w)
      ? numbered(clusterLost)
      : [`This needs an etcd snapshot of ${code(w)}, and this set holds none: create the cluster again from its spec, and its workloads from their own backups.`]),
  ].join('\n').trimEnd();
}
