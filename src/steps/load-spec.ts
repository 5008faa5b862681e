import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ListrTask } from 'listr2';
import type { LoadedSpec, RunContext } from '../context.js';
import { Kubectl } from '../kubectl/kubectl.js';
import { resolveLayout } from '../spec-file/layout.js';
import { loadSpec } from '../spec-file/read-spec.js';

/** Parse -f, validate names and versions, find the management cluster's kubeconfig and folder. */
export async function loadGateSpec(ctx: Pick<RunContext, 'options' | 'runner' | 'env' | 'cwd'>): Promise<LoadedSpec> {
  const spec = await loadSpec(ctx.options.filename);
  const layout = resolveLayout({ spec, kubeconfigFlag: ctx.options.kubeconfig, env: ctx.env, cwd: ctx.cwd });
  // The plan's fingerprint names the spec by its bytes: a changed file makes a reviewed plan stale.
  const specSha256 = createHash('sha256').update(await readFile(spec.file)).digest('hex');
  const kubectl = new Kubectl(ctx.runner, { kubeconfig: layout.kubeconfig, requestTimeout: ctx.options.requestTimeout });
  return { spec, layout, specSha256, kubectl };
}

/** spec: parse -f, validate names and versions, find the management cluster's kubeconfig and folder. */
export function loadSpecStep(): ListrTask<RunContext> {
  return {
    title: 'Load the cluster spec',
    task: async (ctx, task) => {
      const { spec, layout, specSha256, kubectl } = await (ctx.early?.loaded ?? loadGateSpec(ctx));
      ctx.spec = spec;
      ctx.specSha256 = specSha256;
      ctx.layout = layout;
      ctx.kubectl = kubectl;
      const role = spec.isManagement ? 'management cluster' : `workload cluster of ${spec.managementClusterName}`;
      task.title = `Load the cluster spec: ${spec.name} (${role}, Kubernetes ${spec.kubernetesVersion})`;
    },
  };
}
