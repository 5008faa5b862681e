import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ListrTask } from 'listr2';
import { bundlesOverrideProblems, imagesToPull } from '../airgap/bundles.js';
import { describeMissing, mirroredImages, type MirroredImage } from '../airgap/mirror-check.js';
import { mirrorFromSpec, type RegistryMirror } from '../airgap/mirror.js';
import { RegistryClient, type RegistryCredentials } from '../airgap/registry-client.js';
import { treeImageNeeds, treeMinors } from '../airgap/tree-needs.js';
import { loadBundlesOverride, resolveBundle } from '../capi/cli-tools-image.js';
import { need, type RunContext } from '../context.js';
import { EnvironmentError, SafeUpgradeError, UsageError } from '../errors.js';
import { manifestCacheDir } from './find-clusterctl.js';

export interface AirgapOptions {
  /** eksctl's `--bundles-override`, handed on; also the bundle the image check reads. */
  readonly bundlesOverride: string | undefined;
  readonly releaseManifest: string | undefined;
  readonly eksaVersion: string | undefined;
  /** `--skip-image-check --reason TEXT`: the recorded reason to go on without the mirror check. */
  readonly skipImageCheckReason: string | undefined;
  /** HEAD requests in flight against the mirror. */
  readonly imageCheckConcurrency?: number;
}

const FIX_OVERRIDE = 'fix the file given with --bundles-override (eksctl anywhere reads the same file), or leave the flag out to use the release bundle';

async function readOverride(ctx: RunContext, file: string): Promise<unknown> {
  return loadBundlesOverride(file, { cacheDir: manifestCacheDir(ctx.env), abort: ctx.signal });
}

/** Throws the one Usage error naming every problem of the override file for these Kubernetes minors. */
function assertOverride(file: string, doc: unknown, minors: readonly string[]): void {
  const problems = bundlesOverrideProblems(doc, minors);
  if (problems.length > 0) throw new UsageError(`--bundles-override ${file} is not usable: ${problems.join('; ')}`, { hint: FIX_OVERRIDE });
}

/**
 * Right after the spec: the override is parsed and checked for the spec's minors before anything is read
 * from the cluster (the tree's own minors are checked once the tree is read, by the image step).
 */
export function bundlesOverrideStep(options: AirgapOptions): ListrTask<RunContext> {
  return {
    title: 'Check the bundles override',
    skip: () => options.bundlesOverride === undefined,
    task: async (ctx) => {
      const file = options.bundlesOverride!;
      assertOverride(file, await readOverride(ctx, file), treeMinors(need(ctx, 'spec'), undefined));
    },
  };
}

/** REGISTRY_USERNAME/REGISTRY_PASSWORD as eksctl anywhere reads them (pkg/config ReadCredentials), else the Docker config. */
export async function registryCredentials(env: NodeJS.ProcessEnv, registry: string): Promise<RegistryCredentials | undefined> {
  const username = env['REGISTRY_USERNAME'];
  const password = env['REGISTRY_PASSWORD'];
  if (username && password) return { username, password };
  const dir = env['DOCKER_CONFIG'] && path.isAbsolute(env['DOCKER_CONFIG']) ? env['DOCKER_CONFIG'] : path.join(env['HOME'] ?? os.homedir(), '.docker');
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
  try {
    config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as typeof config;
  } catch {
    return undefined;
  }
  const entry = config.auths?.[registry] ?? config.auths?.[`https://${registry}`];
  if (!entry) return undefined;
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The target Bundles: the override when given, else the release bundle of the EKS-A version eksctl runs. */
async function targetBundle(ctx: RunContext, options: AirgapOptions): Promise<{ doc: unknown; where: string }> {
  if (options.bundlesOverride !== undefined) return { doc: await readOverride(ctx, options.bundlesOverride), where: options.bundlesOverride };
  const found = await resolveBundle({
    abort: ctx.signal,
    eksaVersion: options.eksaVersion ?? need(ctx, 'tools').eksctl,
    ...(options.releaseManifest ? { releaseManifest: options.releaseManifest } : {}),
    cacheDir: manifestCacheDir(ctx.env),
  });
  return { doc: found.bundle.value, where: found.bundleManifestUrl };
}

async function checkRegistry(ctx: RunContext, mirror: RegistryMirror, registry: string, images: readonly MirroredImage[], concurrency: number): Promise<MirroredImage[]> {
  const client = new RegistryClient(registry, {
    ca: mirror.caCertContent,
    insecureSkipVerify: mirror.insecureSkipVerify,
    credentials: await registryCredentials(ctx.env, registry),
    concurrency,
    timeoutMs: 15_000,
    signal: ctx.signal,
  });
  try {
    const states = await client.check(images.map((i) => i.ref));
    return images.filter((_, i) => states[i] === 'missing');
  } finally {
    client.close();
  }
}

/**
 * The registry mirror holds every image the upgrade pulls for this tree (eks-anywhere #1979: an image never
 * mirrored fails the upgrade half-way). Read-only: HEAD requests. Missing images stop the run here, before
 * the lock or any write (`images-missing`, exit 4); `--skip-image-check --reason` goes on, recorded.
 */
export function imageCheckStep(options: AirgapOptions): ListrTask<RunContext> {
  return {
    title: 'Check the registry mirror holds every image',
    skip: (ctx) => {
      if (mirrorFromSpec(need(ctx, 'spec').cluster.spec) === undefined) return 'no registry mirror in the spec';
      if (options.skipImageCheckReason !== undefined) return `skipped (--skip-image-check): ${options.skipImageCheckReason}`;
      return false;
    },
    task: async (ctx, task) => {
      const spec = need(ctx, 'spec');
      const inventory = need(ctx, 'inventory');
      const mirror = mirrorFromSpec(spec.cluster.spec)!;
      const { doc, where } = await targetBundle(ctx, options).catch((error: unknown) => {
        ctx.runner.throwIfInterrupted();
        throw error;
      });
      if (options.bundlesOverride !== undefined) assertOverride(options.bundlesOverride, doc, treeMinors(spec, inventory));
      const { images, missingMinors } = imagesToPull(doc, treeImageNeeds(spec, inventory));
      if (missingMinors.length > 0) {
        throw new EnvironmentError(`the bundle ${where} has no versions bundle for Kubernetes ${missingMinors.join(', ')}, which this tree runs`, {
          hint: 'pass --eksa-version or --bundles-override with a bundle of the EKS-A version you upgrade to',
        });
      }
      const { byRegistry, unmapped } = mirroredImages(mirror, images);
      const concurrency = options.imageCheckConcurrency ?? 16;
      const missing: MirroredImage[] = [];
      for (const [registry, list] of byRegistry) {
        missing.push(...(await checkRegistry(ctx, mirror, registry, list, concurrency).catch((error: unknown) => {
          ctx.runner.throwIfInterrupted();
          throw error;
        })));
      }
      const checked = images.length - unmapped.length;
      if (missing.length > 0) {
        throw new SafeUpgradeError(
          'NotReady',
          `images-missing: the registry mirror ${mirror.base} lacks ${missing.length} of the ${checked} images the upgrade pulls: ${missing.map(describeMissing).join(', ')}`,
          { hint: `mirror them (the images of ${where}) and run again, or go on with --skip-image-check --reason "why"` },
        );
      }
      task.title = `Check the registry mirror holds every image: ${checked} of ${checked} in ${mirror.base}${unmapped.length > 0 ? ` (${unmapped.length} from registries it does not mirror)` : ''}`;
    },
  };
}
