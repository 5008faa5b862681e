import type { BundleImage } from './bundles.js';
import { parseImageReference, replaceRegistry, type ImageReference, type RegistryMirror } from './mirror.js';

/** One image the mirror must hold: the bundle's URI, its mirror name, and where it was found. */
export interface MirroredImage {
  readonly image: BundleImage;
  readonly mirrored: string;
  readonly ref: ImageReference;
}

/**
 * The bundle's images under their mirror names, grouped by mirror registry (`host:port`). Images of a
 * registry the mirror does not map are pulled from where they are (EKS-A ReplaceRegistry leaves them),
 * so they are not the mirror's to hold: returned apart.
 */
export function mirroredImages(mirror: RegistryMirror, images: readonly BundleImage[]): { byRegistry: Map<string, MirroredImage[]>; unmapped: BundleImage[] } {
  const byRegistry = new Map<string, MirroredImage[]>();
  const unmapped: BundleImage[] = [];
  for (const image of images) {
    const mirrored = replaceRegistry(mirror, image.uri);
    const ref = mirrored === image.uri ? undefined : parseImageReference(mirrored);
    if (!ref) {
      unmapped.push(image);
      continue;
    }
    const list = byRegistry.get(ref.registry) ?? [];
    list.push({ image, mirrored, ref });
    byRegistry.set(ref.registry, list);
  }
  return { byRegistry, unmapped };
}

/** `host:port/…:tag (1.32 certManager.controller)`: how a missing image is named. */
export function describeMissing(m: MirroredImage): string {
  return `${m.mirrored} (${m.image.from})`;
}
