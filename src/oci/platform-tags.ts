import type { ImageWriter } from './endpoint.ts';
import type { Descriptor, Platform } from './types.ts';

/*
 * Per-platform tags of a multi-platform image: beside `TAG` (the index), each platform manifest is tagged
 * `TAG-ARCH` (`3.11-amd64`, `3.11-arm64`, `3.11-armv7`). Tools that read one manifest per tag and cannot choose a
 * platform out of an index (umoci: "tag is ambiguous") can then name one. Written wherever a multi-platform image
 * lands in an OCI layout: `build --out` and `copy --all-platforms` into `oci:`.
 */

/** A platform manifest of an index and the exact bytes its digest covers. */
export interface PlatformManifest {
  readonly descriptor: Descriptor;
  readonly bytes: Uint8Array;
}

/** `amd64`, `arm64`, `armv7` for Linux; `windows-amd64` and the like for another OS. */
export function platformTagSuffix(p: Platform): string {
  const arch = `${p.architecture}${p.variant ?? ''}`;
  return p.os === 'linux' ? arch : `${p.os}-${arch}`;
}

/**
 * The `TAG-SUFFIX` tag of each platform manifest, for each of `tags`. Nothing for a single-platform image (its
 * `TAG` names one manifest already). Manifests with no platform, or with `unknown` for one (what BuildKit gives its
 * attestation manifests), get no tag; nor do two manifests with the same suffix, since a tag names one manifest.
 * Pure: the plan only.
 */
export function platformTags(
  tags: readonly string[],
  manifests: readonly PlatformManifest[],
): { readonly tag: string; readonly manifest: PlatformManifest }[] {
  const images = manifests.filter((m) => m.descriptor.platform !== undefined && m.descriptor.platform.os !== 'unknown');
  if (images.length < 2) return [];
  const bySuffix = new Map<string, PlatformManifest[]>();
  for (const m of images) {
    const suffix = platformTagSuffix(m.descriptor.platform as Platform);
    bySuffix.set(suffix, [...(bySuffix.get(suffix) ?? []), m]);
  }
  const unique = [...bySuffix].filter(([, ms]) => ms.length === 1);
  return tags.flatMap((tag) => unique.map(([suffix, ms]) => ({ tag: `${tag}-${suffix}`, manifest: ms[0]! })));
}

/**
 * Writes the per-platform tags of `platformTags` into `writer` (the manifests are stored already, so this only adds
 * tags; an existing tag of that name moves). Returns the tags written, in order.
 */
export async function tagPlatformManifests(
  writer: ImageWriter,
  tags: readonly string[],
  manifests: readonly PlatformManifest[],
): Promise<string[]> {
  const planned = platformTags(tags, manifests);
  for (const { tag, manifest } of planned) {
    await writer.putManifest(manifest.descriptor, manifest.bytes, { tag, root: true });
  }
  return planned.map((p) => p.tag);
}
