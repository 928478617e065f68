import { Readable } from 'node:stream';
import {
  compressLayer,
  DEFAULT_GZIP_LEVEL,
  DEFAULT_ZSTD_LEVEL,
  type Descriptor,
  type Digest,
  Digester,
  decompress,
  digestHex,
  digestOf,
  type ImageEndpoint,
  type TarEntry,
  tarBytes,
  verifyingStream,
  type WrittenLayer,
  ZSTD_IMPLEMENTATION,
} from '../oci/index.ts';
import type { DerivedCache, DerivedCacheOptions } from './derived-cache.ts';
import { derivedCache } from './derived-cache.ts';
import { awaitLayerTurn, type LayerTurn } from './layer-claims.ts';
import {
  knownLayer,
  LAYER_KEYS_KIND,
  layerKey,
  layerKeysFormat,
  rememberLayer,
  ZSTD_LAYER_KEYS_KIND,
} from './layer-keys.ts';
import { fetchSharedLayer, type SharedLayers, shareLayer } from './shared-layers.ts';

/**
 * Compressed layers remembered by their diffId (the sha256 of the uncompressed tar). gzip is the costliest step
 * of a build and is deterministic for one zlib version and level, so a layer whose tar is unchanged (a patch
 * rebuild leaves most of them so) is not compressed again: its blob is already in the store. An entry is used
 * only after the stored blob it names has been read back, checked against its digest, and decompressed to the
 * diffId (about a tenth of the cost of compressing), so no entry, sealed or not, can put other bytes in an image.
 */
export const LAYERS_KIND = 'layers';
export const LAYERS_FORMAT = `gzip-${DEFAULT_GZIP_LEVEL}-zlib-${process.versions.zlib}`;
/** zstd layers have their own kind: one diffId has one blob per compression, and both may be cached. */
export const ZSTD_LAYERS_KIND = 'layers-zstd';
export const ZSTD_LAYERS_FORMAT = `zstd-${DEFAULT_ZSTD_LEVEL}-${ZSTD_IMPLEMENTATION}`;

/** The layers a build compresses: gzip (the default, readable by every tool) or zstd (`compression: zstd`). */
export type BuildCompression = 'gzip' | 'zstd';

/** The cache of compressed layers for one compression, with its layer keys (layer-keys.ts). */
export function layerCache(opts: DerivedCacheOptions, compression: BuildCompression = 'gzip'): LayerCache {
  const [kind, format, keysKind] =
    compression === 'gzip'
      ? [LAYERS_KIND, LAYERS_FORMAT, LAYER_KEYS_KIND]
      : [ZSTD_LAYERS_KIND, ZSTD_LAYERS_FORMAT, ZSTD_LAYER_KEYS_KIND];
  const keys = derivedCache(keysKind, layerKeysFormat(format), opts);
  return Object.assign(derivedCache(kind, format, opts), { compression, keys });
}

/** A derived cache of compressed layers, the compression its entries hold, and the layer keys of that compression. */
export type LayerCache = DerivedCache & { readonly compression: BuildCompression; readonly keys: DerivedCache };

interface LayerEntry {
  readonly descriptor: Descriptor;
  readonly uncompressedSize: number;
}

/** Where a layer of a build came from: compressed here, the local layer cache, or the shared repository. */
export type LayerOrigin = 'compressed' | 'cache' | 'shared';

/** A layer stored through `out`: writeLayer's shape without bytes, and where it came from. */
export type StoredLayer = WrittenLayer & { readonly origin: LayerOrigin };

/**
 * Writes (or reuses) one layer through `out` in the cache's compression. A layer whose key (layer-keys.ts) names a
 * blob `out` holds intact is reused without writing its tar. Otherwise reuse comes first from the local layer
 * cache, then from `shared` (another worker's compression, `--cache-from`, waiting for it when another worker has
 * claimed the layer); a layer compressed here is put into both. What is reused by diffId is checked to decompress
 * to this tar's diffId before it goes into the image.
 */
export async function storeLayer(
  entries: readonly TarEntry[],
  out: ImageEndpoint,
  cache: LayerCache,
  shared?: SharedLayers,
  inFlight: InFlightLayers = inFlightLayers,
): Promise<StoredLayer> {
  const key = cache.keys.enabled ? layerKey(entries) : undefined;
  const known = key === undefined ? undefined : await knownLayer(cache.keys, key, out, cache.compression);
  if (known !== undefined) return { ...known, origin: 'cache' };
  const stored = await storeTar(tarBytes(entries), out, cache, shared, inFlight);
  if (key !== undefined) await rememberLayer(cache.keys, key, stored);
  return stored;
}

/** storeLayer once the layer's tar is made. */
async function storeTar(
  tar: Uint8Array,
  out: ImageEndpoint,
  cache: LayerCache,
  shared: SharedLayers | undefined,
  inFlight: InFlightLayers,
): Promise<StoredLayer> {
  const diffId = digestOf(tar);
  // Builds of this process that store one layer into one layout at the same time do it once (InFlightLayers).
  const key = `${out.requireWriter().name}\n${cache.compression}\n${diffId}`;
  return inFlight.once(key, () => storeOnce(out, cache, shared, tar, diffId));
}

/** storeLayer's work once the tar is known: from the layer cache, from the shared repository, or compressed. */
async function storeOnce(
  out: ImageEndpoint,
  cache: LayerCache,
  shared: SharedLayers | undefined,
  tar: Uint8Array,
  diffId: Digest,
): Promise<StoredLayer> {
  const uncompressedSize = tar.length;
  const cached = await cachedLayer(cache, diffId, tar.length, out);
  if (cached !== undefined) return { descriptor: cached.descriptor, diffId, uncompressedSize, origin: 'cache' };
  const useShared = async (layer: CompressedLayer): Promise<StoredLayer> => {
    await keepLayer(out, cache, layer, uncompressedSize, diffId);
    return { descriptor: layer.descriptor, diffId, uncompressedSize, origin: 'shared' };
  };
  let turn: LayerTurn<CompressedLayer> | undefined;
  if (shared !== undefined) {
    const lookup = () => sharedLayer(shared, diffId, cache.compression);
    const fetched = await lookup();
    if (fetched !== undefined) return useShared(fetched);
    // Not shared yet: agree with the other workers on who compresses it (layer-claims.ts).
    turn = await awaitLayerTurn(shared, diffId, cache.compression, lookup);
    if (turn.kind === 'shared') return useShared(turn.layer);
  }
  try {
    const written = await compressLayer(tar, { compression: cache.compression });
    const layer = { descriptor: written.descriptor, bytes: written.bytes! };
    await keepLayer(out, cache, layer, uncompressedSize, diffId);
    if (shared !== undefined) await shareLayer(shared, diffId, cache.compression, layer);
    return { descriptor: written.descriptor, diffId, uncompressedSize, origin: 'compressed' };
  } finally {
    if (turn?.kind === 'compress') await turn.claim?.release();
  }
}

type CompressedLayer = { readonly descriptor: Descriptor; readonly bytes: Uint8Array };

/** Puts a layer blob into `out` and remembers it in the local layer cache. */
async function keepLayer(
  out: ImageEndpoint,
  cache: LayerCache,
  layer: { readonly descriptor: Descriptor; readonly bytes: Uint8Array },
  uncompressedSize: number,
  diffId: Digest,
): Promise<void> {
  // putBlob replaces a blob already there whose bytes are corrupt, so this also repairs the store.
  await out.requireWriter().putBlob(layer.descriptor, async () => Readable.from([layer.bytes]));
  const entry: LayerEntry = { descriptor: layer.descriptor, uncompressedSize };
  await cache.put(digestHex(diffId), new TextEncoder().encode(JSON.stringify(entry)));
}

/** A shared layer that verifiably holds this build's tar; a mismatch is said and the layer compressed here. */
async function sharedLayer(
  shared: SharedLayers,
  diffId: Digest,
  compression: BuildCompression,
): Promise<{ readonly descriptor: Descriptor; readonly bytes: Uint8Array } | undefined> {
  const fetched = await fetchSharedLayer(shared, diffId, compression);
  if (fetched === undefined) return undefined;
  const verdict = await checkLayerBlob(async () => Readable.from([fetched.bytes]), fetched.descriptor, diffId);
  if (verdict === 'ok') return fetched;
  shared.log.warn(
    `shared layers: ${fetched.descriptor.digest} in ${shared.repo.display} is not layer ${diffId} (${verdict}); compressing`,
  );
  return undefined;
}

/** The cached descriptor for `diffId`, when its blob is in `store` and verifiably holds that layer. */
async function cachedLayer(
  cache: DerivedCache,
  diffId: Digest,
  size: number,
  out: ImageEndpoint,
): Promise<LayerEntry | undefined> {
  const key = digestHex(diffId);
  const payload = await cache.get(key);
  if (payload === undefined) return undefined;
  let entry: LayerEntry;
  try {
    entry = JSON.parse(new TextDecoder().decode(payload)) as LayerEntry;
  } catch {
    await cache.discard(key, 'payload is not JSON');
    return undefined;
  }
  if (entry.uncompressedSize !== size) {
    await cache.discard(key, 'names a layer of another size');
    return undefined;
  }
  if (!(await out.requireWriter().hasBlob(entry.descriptor))) return undefined; // another store's blob: compress again
  const verdict = await checkLayerBlob(() => out.store.openBlob(entry.descriptor), entry.descriptor, diffId);
  if (verdict === 'ok') return entry;
  if (verdict === 'other-layer') await cache.discard(key, `blob ${entry.descriptor.digest} holds another layer`);
  return undefined; // a corrupt blob is rewritten by the caller's putBlob
}

/**
 * Reads a stored layer back (its compression sniffed from its first bytes): `corrupt` when its bytes do not match
 * the descriptor (or do not decompress), `other-layer` when they do but decompress to another diffId.
 */
export async function checkLayerBlob(
  open: () => Promise<Readable>,
  descriptor: Descriptor,
  diffId: Digest,
): Promise<'ok' | 'corrupt' | 'other-layer'> {
  const tar = new Digester();
  try {
    const raw = (await open()).pipe(verifyingStream(descriptor, 'cached layer'));
    for await (const chunk of decompress(raw)) tar.update(chunk as Uint8Array);
  } catch {
    return 'corrupt';
  }
  return tar.digest() === diffId ? 'ok' : 'other-layer';
}

/**
 * The layers this process is storing now, by layout, compression and diffId. Two builds that need one layer at
 * once would both miss the layer cache (neither has put it there yet) and both compress it; the second instead
 * waits for the first and takes its layer, checked, cached and in the layout by then (origin `cache`). Once
 * stored, a layer leaves this map: later builds find it in the layer cache.
 */
export class InFlightLayers {
  private readonly running = new Map<string, Promise<StoredLayer>>();
  private count = 0;

  /** How many layers were compressed through this object (not reused from a cache or the shared repository). */
  get compressed(): number {
    return this.count;
  }

  /** `store()`'s layer or, when a call with this key is running already, that call's layer. */
  async once(key: string, store: () => Promise<StoredLayer>): Promise<StoredLayer> {
    const running = this.running.get(key);
    if (running !== undefined) return { ...(await running), origin: 'cache' };
    const started = store().finally(() => this.running.delete(key));
    this.running.set(key, started);
    const stored = await started;
    if (stored.origin === 'compressed') this.count++;
    return stored;
  }
}

/** The InFlightLayers of this process, which every build's layers go through unless a caller passes its own. */
export const inFlightLayers = new InFlightLayers();
