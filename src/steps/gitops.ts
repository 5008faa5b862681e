import type { ListrTask } from 'listr2';
import { FLUX_KINDS, gitOpsClusters, judgeGitOps } from '../airgap/gitops.js';
import { need, type RunContext } from '../context.js';
import { SafeUpgradeError } from '../errors.js';
import type { KubeObject } from '../kube/types.js';

/** The live EKS-A Clusters of the tree, the upgraded one as its spec file writes it. */
function treeClusters(ctx: RunContext): KubeObject[] {
  const spec = need(ctx, 'spec');
  return need(ctx, 'inventory').clusters.map((c) => (c.name === spec.name ? spec.cluster : c.eksa));
}

/**
 * GitOps trees: when a cluster has a gitOpsRef, the Flux objects that reconcile it must be resumed and Ready,
 * since eksctl commits the upgraded spec to the Git repository and Flux applies it. Read-only.
 */
export function gitOpsStep(): ListrTask<RunContext> {
  return {
    title: 'Check Flux of GitOps clusters',
    skip: (ctx) => (gitOpsClusters(treeClusters(ctx)).length === 0 ? 'no cluster has a gitOpsRef' : false),
    task: async (ctx, task) => {
      const clusters = treeClusters(ctx);
      const flux = await need(ctx, 'kubectl').listAll(FLUX_KINDS, 'read the Flux objects of the GitOps clusters');
      const { reasons, checked } = judgeGitOps(clusters, flux);
      if (reasons.length > 0) {
        throw new SafeUpgradeError('NotReady', `${[...new Set(reasons.map((r) => r.code))].join(', ')}: ${reasons.map((r) => r.message).join('; ')}`, {
          hint: 'resume Flux (flux resume kustomization/gitrepository -n flux-system …) and wait for Ready: eksctl will commit the upgraded spec to the Git repository and Flux applies it',
        });
      }
      task.title = `Check Flux of GitOps clusters: ${checked} Flux system${checked === 1 ? '' : 's'} Ready; eksctl will commit the upgraded spec to the Git repository`;
    },
  };
}
