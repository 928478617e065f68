import { fail } from '../core/index.ts';
import { type BlobStore, type Descriptor, formatPlatform, type ImageEndpoint, type Referrers } from '../oci/index.ts';
import { imageNameFromRef } from '../sbom/index.ts';
import type { ImageTarget } from './verify-image.ts';

/** An image resolved for signing or verification: where its referrers live, and what to sign or check. */
export interface OpenedTarget {
  readonly sink: Referrers;
  readonly target: ImageTarget;
  /** Image name without tag or digest, recorded in signatures and statements (informational). */
  readonly repository: string;
  /** The raw blobs of the image where it lives, for digest checks over what is signed. */
  readonly blobs: BlobStore;
}

/**
 * Resolves the image at `endpoint` (opened from `ref`, as the user typed it) to its top-level descriptor and
 * platform manifests, with the referrers of the place it lives: the local store, an `oci:` layout, or a registry.
 * @throws IroncladError `USAGE` for transports that cannot hold referrers; NOT_FOUND for unknown tags.
 */
export async function resolveTarget(endpoint: ImageEndpoint, ref: string): Promise<OpenedTarget> {
  if (endpoint.writer === undefined) {
    fail('USAGE', `${ref}: signatures and attestations are kept in a registry, the store or an oci: layout`, {
      hint: 'copy the image into one first, e.g. ironclad copy docker-archive:FILE oci:DIR:TAG',
    });
  }
  const { desc } = await endpoint.source.top();
  const platforms = await endpoint.source.manifests();
  return {
    sink: endpoint.referrers,
    target: { top: desc, platforms },
    repository: imageNameFromRef(ref),
    blobs: endpoint.store,
  };
}

/** The platform manifests of a target, or only the one matching `--platform`. @throws USAGE when none matches. */
export function selectPlatforms(target: ImageTarget, platform: string | undefined): readonly Descriptor[] {
  if (platform === undefined) return target.platforms;
  const chosen = target.platforms.filter((m) => m.platform !== undefined && formatPlatform(m.platform) === platform);
  if (chosen.length === 0) {
    const have = target.platforms.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : []));
    fail('USAGE', `--platform ${platform}: the image has ${have.join(', ') || 'no platform list'}`);
  }
  return chosen;
}
