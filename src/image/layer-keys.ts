import { createHash } from 'node:crypto';
import {
  type Descriptor,
  type Digest,
  type ImageEndpoint,
  layerCompression,
  TAR_FORMAT,
  type TarEntry,
} from '../oci/index.ts';
import type { DerivedCache } from './derived-cache.ts';
import { dataDigests, dataLength } from './file-data.ts';

/**
 * Layers found by what they are made of, before any tar is written. A layer's tar is a pure function of its
 * entries (paths, types, modes, owners, mtimes, link targets, file bytes) and of the tar writer (TAR_FORMAT); its
 * blob adds the compression, its level and library (the layer cache's format, which this cache's format
 * includes). The key hashes exactly that, each file's bytes standing in through their sha256. So it covers
 * everything the bytes depend on by construction: the .debs, the `paths` and accounts applied, merged /usr, the
 * strip rules, the epoch clamp and the layer plan are all seen through the entries they produce, and none can be
 * forgotten. A patch rebuild finds each unchanged package group by its key and checks the stored blob against
 * its digest, without tarring the group, hashing the tar or decompressing the blob.
 *
 * What the key cannot check is that its entry names the layer those entries make: a forged entry needs the
 * home's secret (derived-cache.ts), and `--no-cache` and `rebuild --verify` read no entry at all.
 */
export const LAYER_KEYS_KIND = 'layer-keys';
export const ZSTD_LAYER_KEYS_KIND = 'layer-keys-zstd';

/** The format of the layer keys cache over a layer cache format (compression, level, library). */
export function layerKeysFormat(layersFormat: string): string {
  return `${TAR_FORMAT}-${layersFormat}`;
}

/** What a key names: the stored layer of those entries. */
export interface KnownLayer {
  readonly descriptor: Descriptor;
  readonly diffId: Digest;
  readonly uncompressedSize: number;
}

/** 64 hex: sha256 over the tar format and every entry's fields (in the given order), file bytes by their sha256. */
export function layerKey(entries: readonly TarEntry[]): string {
  // One string hashed at once: a native hash update per field of tens of thousands of entries costs more.
  const lines = [`ironclad-layer-key-v1\n${TAR_FORMAT}\n`];
  for (const e of entries) {
    const fields = fieldsOf(e);
    let line = '[';
    for (let i = 0; i < fields.length; i++) {
      const k = fields[i]!;
      // As JSON.stringify of the [name, value] pairs writes them (a value JSON cannot hold is null).
      line += `${i > 0 ? ',' : ''}[${JSON.stringify(k)},${JSON.stringify(e[k as keyof TarEntry]) ?? 'null'}]`;
    }
    line += ']';
    if (e.type === 'file') line += ` ${dataLength(e)} ${dataDigests(e).sha256}`;
    lines.push(`${line}\n`);
  }
  return createHash('sha256').update(lines.join('')).digest('hex');
}

/** Field names by the list of an entry's own keys: entries of one shape share one sorted list. */
const fieldOrders = new Map<string, readonly string[]>();

/** The entry's field names but `data`, sorted (UTF-16 code unit order): every field is keyed, a new one too. */
function fieldsOf(e: TarEntry): readonly string[] {
  const own = Object.keys(e);
  const shape = own.join('\0');
  let sorted = fieldOrders.get(shape);
  if (sorted === undefined) {
    sorted = own.filter((k) => k !== 'data').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    fieldOrders.set(shape, sorted);
  }
  return sorted;
}

/**
 * The layer `key` names, when its entry is sealed and well-formed and `out` holds its blob intact (the store
 * re-hashes the blob against the digest); undefined otherwise.
 */
export async function knownLayer(
  keys: DerivedCache,
  key: string,
  out: ImageEndpoint,
  compression: 'gzip' | 'zstd',
): Promise<KnownLayer | undefined> {
  const payload = await keys.get(key);
  if (payload === undefined) return undefined;
  const entry = parseKnownLayer(payload);
  if (entry === undefined || layerCompression(entry.descriptor.mediaType) !== compression) {
    await keys.discard(key, `does not name a ${compression} layer`);
    return undefined;
  }
  return (await out.requireWriter().hasBlob(entry.descriptor)) ? entry : undefined;
}

export function rememberLayer(keys: DerivedCache, key: string, layer: KnownLayer): Promise<void> {
  const entry: KnownLayer = {
    descriptor: layer.descriptor,
    diffId: layer.diffId,
    uncompressedSize: layer.uncompressedSize,
  };
  return keys.put(key, new TextEncoder().encode(JSON.stringify(entry)));
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** The entry's layer, or undefined when the payload is not one. */
export function parseKnownLayer(payload: Uint8Array): KnownLayer | undefined {
  try {
    const e = JSON.parse(new TextDecoder().decode(payload)) as Partial<KnownLayer>;
    const d = e.descriptor;
    const ok =
      typeof e.diffId === 'string' &&
      DIGEST_RE.test(e.diffId) &&
      Number.isSafeInteger(e.uncompressedSize) &&
      d !== undefined &&
      typeof d.mediaType === 'string' &&
      typeof d.digest === 'string' &&
      DIGEST_RE.test(d.digest) &&
      Number.isSafeInteger(d.size);
    return ok
      ? {
          descriptor: { mediaType: d.mediaType, digest: d.digest, size: d.size },
          diffId: e.diffId!,
          uncompressedSize: e.uncompressedSize!,
        }
      : undefined;
  } catch {
    return undefined;
  }
}
