import { Readable } from 'node:stream';
import { isIroncladError, type Logger } from '../core/index.ts';
import {
  buildManifest,
  type Descriptor,
  type Digest,
  digestHex,
  EMPTY_DESCRIPTOR,
  EMPTY_JSON_BYTES,
  type ImageEndpoint,
  MediaType,
  parseManifest,
} from '../oci/index.ts';
import type { BuildCompression } from './layer-cache.ts';
import type { ClaimTiming } from './layer-claims.ts';

/**
 * Layers shared between builds on different machines through one OCI repository (`build --cache-from
 * REGISTRY/REPO`). Each compressed layer is stored there as a small artifact manifest naming the blob, tagged by
 * the layer's diffId and compression, so a worker that needs a layer asks for one tag instead of compressing. A
 * shared layer is trusted for nothing: its blob is checked against its digest and decompressed to the diffId of
 * the tar this build made itself before it is used, so the repository can only ever save time.
 */

/** The artifact type of a shared-layer manifest. */
export const SHARED_LAYER_ARTIFACT = 'application/vnd.dev.ironclad.layer.v1';
/** The diffId of the one layer a shared-layer manifest names. */
export const DIFF_ID_ANNOTATION = 'dev.ironclad.layer.diff-id';
/** Layers are held in memory while built; a shared one larger than this is not fetched. */
const MAX_SHARED_LAYER_BYTES = 1024 * 1024 * 1024;
/** Rounds of storing one shared layer before giving up with a warning. */
const SHARE_ATTEMPTS = 3;

/** The tag naming the shared layer of `diffId` in `compression` (a tag is at most 128 characters). */
export function sharedLayerTag(diffId: Digest, compression: BuildCompression): string {
  return `layer-${compression}-${digestHex(diffId)}`;
}

/** Where layers are shared, and who says what went wrong with it (a cache problem is a warning, never fatal). */
export interface SharedLayers {
  readonly repo: ImageEndpoint;
  readonly log: Logger;
  /** The clock claims are dated by (layer-claims.ts). */
  readonly now: () => Date;
  /** Stops waiting for another worker's layer. */
  readonly signal?: AbortSignal;
  /** How long claims settle, are polled and live; default DEFAULT_CLAIM_TIMING. */
  readonly timing?: Partial<ClaimTiming>;
}

/**
 * The shared blob of `diffId`, read and checked against its digest; undefined when the repository has none or its
 * manifest does not describe such a layer. The caller still checks that it decompresses to `diffId`.
 */
export async function fetchSharedLayer(
  shared: SharedLayers,
  diffId: Digest,
  compression: BuildCompression,
): Promise<{ readonly descriptor: Descriptor; readonly bytes: Uint8Array } | undefined> {
  const tag = sharedLayerTag(diffId, compression);
  try {
    const { bytes, mediaType } = await shared.repo.store.readManifest(tag);
    const parsed = parseManifest(bytes, mediaType, `shared layer ${tag}`);
    if (parsed.kind !== 'manifest') return undefined;
    const m = parsed.manifest;
    const layer = m.layers[0];
    const wanted = compression === 'zstd' ? MediaType.OCI_LAYER_ZSTD : MediaType.OCI_LAYER_GZIP;
    if (m.artifactType !== SHARED_LAYER_ARTIFACT || m.layers.length !== 1 || layer === undefined) return undefined;
    if (m.annotations?.[DIFF_ID_ANNOTATION] !== diffId || layer.mediaType !== wanted) return undefined;
    if (layer.size > MAX_SHARED_LAYER_BYTES) return undefined;
    return { descriptor: layer, bytes: await shared.repo.readBlob(layer, MAX_SHARED_LAYER_BYTES) };
  } catch (err) {
    if (isIroncladError(err, 'NOT_FOUND')) return undefined;
    shared.log.warn(`shared layers: cannot read ${tag} from ${shared.repo.display}: ${messageOf(err)}; compressing`);
    return undefined;
  }
}

/**
 * Stores a layer this build compressed in the shared repository (blob, then its manifest and tag), so other
 * workers find it. A failure is logged and ignored (false): the image being built does not depend on it.
 */
export async function shareLayer(
  shared: SharedLayers,
  diffId: Digest,
  compression: BuildCompression,
  layer: { readonly descriptor: Descriptor; readonly bytes: Uint8Array },
): Promise<boolean> {
  const tag = sharedLayerTag(diffId, compression);
  const manifest = buildManifest({
    artifactType: SHARED_LAYER_ARTIFACT,
    config: EMPTY_DESCRIPTOR,
    layers: [layer.descriptor],
    annotations: { [DIFF_ID_ANNOTATION]: diffId },
  });
  try {
    await storeArtifact(shared, [layer], manifest, tag);
    return true;
  } catch (err) {
    shared.log.warn(`shared layers: cannot store ${tag} in ${shared.repo.display}: ${messageOf(err)}`);
    return false;
  }
}

/**
 * Stores a small artifact in the shared repository: its blobs, the empty config blob, then the manifest under
 * `tag`. Throws the last failure after SHARE_ATTEMPTS rounds.
 */
export async function storeArtifact(
  shared: SharedLayers,
  blobs: readonly { readonly descriptor: Descriptor; readonly bytes: Uint8Array }[],
  manifest: { readonly descriptor: Descriptor; readonly bytes: Uint8Array },
  tag: string,
): Promise<void> {
  // Workers (and the layers of one build) upload the same empty config blob at once; docker-registry can then
  // refuse a manifest naming it as unknown until the other upload settles. Another round (blobs already there
  // cost a HEAD each) gets past that race.
  for (let attempt = 1; ; attempt++) {
    try {
      const writer = shared.repo.requireWriter();
      for (const blob of blobs) await writer.putBlob(blob.descriptor, async () => Readable.from([blob.bytes]));
      await writer.putBlob(EMPTY_DESCRIPTOR, async () => Readable.from([EMPTY_JSON_BYTES]));
      await writer.putManifest(manifest.descriptor, manifest.bytes, { tag, root: true });
      return;
    } catch (err) {
      if (attempt >= SHARE_ATTEMPTS) throw err;
    }
  }
}

/** An error's message, for a warning. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
