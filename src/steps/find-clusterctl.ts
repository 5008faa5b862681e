import os from 'node:os';
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { resolveCliToolsImage } from '../capi/cli-tools-image.js';
import { redactUrls } from '../command.js';
import { need, type RunContext } from '../context.js';

export interface ClusterctlOptions {
  /** A local clusterctl binary instead of the cli-tools image. */
  readonly clusterctl: string | undefined;
  /** The cli-tools image, skipping the release-manifest lookup. */
  readonly cliToolsImage: string | undefined;
  /** Release manifest URL or file (air-gapped admin machines). */
  readonly releaseManifest: string | undefined;
  /** The EKS-A version whose bundle names the image; default: eksctl's. */
  readonly eksaVersion: string | undefined;
}

export function manifestCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'eksa-safe-upgrade', 'manifests');
}

/**
 * Which clusterctl: `--filter-cluster` exists only in EKS-A's patched clusterctl of the cli-tools image,
 * so that image is the default, resolved from the release manifest as the EKS-A docs do.
 */
export function findClusterctlStep(options: ClusterctlOptions): ListrTask<RunContext> {
  return {
    title: 'Find clusterctl',
    task: async (ctx, task) => {
      if (options.clusterctl) {
        ctx.clusterctl = { source: { kind: 'binary', path: options.clusterctl }, info: { source: 'binary', binary: options.clusterctl } };
      } else {
        // With --cli-tools-image the lookup is skipped, but the value is still checked to be an image reference.
        const found = await resolveCliToolsImage({
          abort: ctx.signal,
          eksaVersion: options.eksaVersion ?? need(ctx, 'tools').eksctl,
          ...(options.releaseManifest ? { releaseManifest: options.releaseManifest } : {}),
          ...(options.cliToolsImage ? { cliToolsImage: options.cliToolsImage } : {}),
          cacheDir: manifestCacheDir(ctx.env),
        }).catch((error: unknown) => {
          // A fetch ended by our own interruption is the interruption, not an unreachable manifest.
          ctx.runner.throwIfInterrupted();
          throw error;
        });
        ctx.clusterctl = {
          source: { kind: 'image', image: found.image },
          info: {
            source: 'image',
            image: found.image,
            // The record (plan, manifest.json, report) keeps where the lookup went, never its credentials: a
            // presigned or userinfo URL works only for the fetch that just happened.
            ...(found.releaseManifest ? { releaseManifest: redactUrls(found.releaseManifest) } : {}),
            ...(found.bundleManifestUrl ? { bundleManifestUrl: redactUrls(found.bundleManifestUrl) } : {}),
          },
        };
      }
      const src = ctx.clusterctl.source;
      task.title = `Find clusterctl: ${src.kind === 'image' ? `image ${src.image}` : src.path}`;
    },
  };
}
