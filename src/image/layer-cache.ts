import { Readable } from 'node:stream';
import {
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
  writeLayer,
  ZSTD_IMPLEMENTATION,
} from '../oci/index.ts';
import type { DerivedCache, DerivedCacheOptions } from './derived-cache.ts';
import { derivedCache } from './derived-cache.ts';

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

/** The cache of compressed layers for one compression. */
export function layerCache(opts: DerivedCacheOptions, compression: BuildCompression = 'gzip'): LayerCache {
  const cache =
    compression === 'gzip'
      ? derivedCache(LAYERS_KIND, LAYERS_FORMAT, opts)
      : derivedCache(ZSTD_LAYERS_KIND, ZSTD_LAYERS_FORMAT, opts);
  return Object.assign(cache, { compression });
}

/** A derived cache of compressed layers, and the compression its entries hold. */
export type LayerCache = DerivedCache & { readonly compression: BuildCompression };

interface LayerEntry {
  readonly descriptor: Descriptor;
  readonly uncompressedSize: number;
}

/** Writes (or reuses) one layer through `out` in the cache's compression; writeLayer's shape, without bytes. */
export async function storeLayer(
  entries: readonly TarEntry[],
  out: ImageEndpoint,
  cache: LayerCache,
): Promise<WrittenLayer> {
  const tar = tarBytes(entries);
  const diffId = digestOf(tar);
  const cached = await cachedLayer(cache, diffId, tar.length, out);
  if (cached !== undefined) return { descriptor: cached.descriptor, diffId, uncompressedSize: tar.length };
  const written = await writeLayer(entries, { compression: cache.compression });
  // putBlob replaces a blob already there whose bytes are corrupt, so this also repairs the store.
  const bytes = written.bytes!;
  await out.requireWriter().putBlob(written.descriptor, async () => Readable.from([bytes]));
  const entry: LayerEntry = { descriptor: written.descriptor, uncompressedSize: written.uncompressedSize };
  await cache.put(digestHex(diffId), new TextEncoder().encode(JSON.stringify(entry)));
  return { descriptor: written.descriptor, diffId: written.diffId, uncompressedSize: written.uncompressedSize };
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
