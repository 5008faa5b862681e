import path from 'node:path';
import { releaseVersions } from '../capi/cli-tools-image.js';
import { normalizeEksaVersion } from '../capi/release-manifest.js';
import { formatCommand } from '../command.js';
import { need, type GateOptions, type RunContext } from '../context.js';
import { printable, UsageError } from '../errors.js';
import type { ExitCodeName } from '../exit-codes.js';
import { planRoute, RouteError, type Route, type RouteCluster } from '../route/route.js';
import { createRunner } from '../runner/create-runner.js';
import { manifestCacheDir } from '../steps/find-clusterctl.js';
import { loadSpecStep } from '../steps/load-spec.js';
import { readTreeStep } from '../steps/read-tree.js';
import { runTaskList } from '../steps/task-list.js';
import type { CommandIo } from './io.js';

export interface RouteOptions extends GateOptions {
  readonly to: string;
  readonly releaseManifest: string | undefined;
}

/** `route`: read the tree, print the upgrades EKS-A requires to reach `--to`. Reads only; nothing is run. */
export async function route(options: RouteOptions, io: CommandIo): Promise<ExitCodeName> {
  const target = normalizeEksaVersion(options.to);
  const ctx: RunContext = { options, runner: createRunner(options, io), env: io.env, cwd: io.cwd };
  await runTaskList([loadSpecStep(), readTreeStep()], ctx, { silent: options.output === 'json', env: io.env, isTTY: io.isTTY });
  const spec = need(ctx, 'spec');
  const inventory = need(ctx, 'inventory');
  const layout = need(ctx, 'layout');
  const rel = (file: string): string => {
    const r = path.relative(io.cwd, file);
    return r.startsWith('..') ? file : r;
  };
  const eksctl = need(ctx, 'tools').eksctl;
  const clusters = inventory.clusters.map((c): RouteCluster => {
    const own = c.name === spec.name;
    const live = c.eksa.spec ?? {};
    const kube = String(live['kubernetesVersion'] ?? '');
    return {
      name: c.name,
      role: c.name === inventory.management ? 'management' : 'workload',
      // A cluster created before eksaVersion was recorded runs the version of the eksctl that manages it.
      eksaVersion: typeof live['eksaVersion'] === 'string' && live['eksaVersion'] !== '' ? live['eksaVersion'] : eksctl,
      kubernetesVersion: kube,
      targetKubernetesVersion: own ? spec.kubernetesVersion : kube,
      specFile: rel(own ? spec.file : path.join(path.dirname(layout.managementFolder), c.name, `${c.name}-eks-a-cluster.yaml`)),
    };
  });
  const releases = await releaseVersions({ releaseManifest: options.releaseManifest, cacheDir: manifestCacheDir(io.env) });
  let planned: Route;
  try {
    planned = planRoute({ clusters, target, releases, managementKubeconfig: rel(layout.kubeconfig), managementFolder: rel(layout.managementFolder) });
  } catch (error) {
    if (error instanceof RouteError) throw new UsageError(error.message, { hint: 'pass --to with a version of the release manifest newer than the management cluster\'s' });
    throw error;
  }
  io.stdout(options.output === 'json' ? JSON.stringify(planned, null, 2) : renderRoute(planned, inventory.management));
  return 'Success';
}

/** The route as text: one block per hop; every value is cluster data, so it goes through printable(). */
export function renderRoute(r: Route, management: string): string {
  const head = `Route of ${printable(management)} from EKS-A ${printable(r.from.eksaVersion)} / Kubernetes ${printable(r.from.kubernetesVersion)} to EKS-A ${printable(r.to.eksaVersion)} / Kubernetes ${printable(r.to.kubernetesVersion)}: ${r.hops.length === 0 ? 'already there' : `${r.hops.length} hop${r.hops.length === 1 ? '' : 's'}`}`;
  const lines = [head];
  r.hops.forEach((hop, i) => {
    lines.push('', `Hop ${i + 1}: EKS-A ${printable(hop.eksaVersion)} with eksctl anywhere ${printable(hop.eksctlVersion)}`);
    hop.steps.forEach((s, j) => {
      lines.push(
        `  ${j + 1}. ${printable(s.cluster)} (${s.role}): set eksaVersion: ${printable(s.set.eksaVersion)} and kubernetesVersion: "${printable(s.set.kubernetesVersion)}" in ${printable(s.specFile)}`,
        `     ${formatCommand(s.command)}`,
        `     hands off to: ${formatCommand(s.eksctl)}`,
        `     backup: ${printable(s.backup)}`,
      );
    });
  });
  return lines.join('\n');
}
