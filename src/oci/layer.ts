import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip, gzip, constants as zlibConstants } from 'node:zlib';
import { compress as zstdCompress } from '@mongodb-js/zstd';
import { fail, siblingTempPath, writeFileAtomic } from '../core/index.ts';
import { Digester, digestOf } from './digest.ts';
import { type LayerCompression, ociLayerMediaType } from './media-types.ts';
import { tarBytes, tarStream } from './tar-writer.ts';
import type { Descriptor, Digest, TarEntry } from './types.ts';

/**
 * Gzip level for layers: zlib's default. Measured on the python runtime's 50 MB of files, level 9 took 4.2x the
 * time of level 6 for output 0.4% smaller (17.95 vs 18.02 MB), so 9 is not worth a build's time. Determinism only
 * needs the level fixed. Reproducing a digest also needs the same zlib, which is bundled with Node: the
 * uncompressed `diffId` is the identity that survives a Node upgrade.
 */
export const DEFAULT_GZIP_LEVEL = 6;

/**
 * zstd level for layers: the library's default, which compresses several times faster than gzip -6 for smaller
 * output. zstd single-threaded output is a pure function of the input, the level and the zstd version; the
 * binding is pinned (package.json) so a rebuild reproduces the blob, and the diffId survives any change.
 */
export const DEFAULT_ZSTD_LEVEL = 3;

/** What layer compression depends on besides the bytes: caches of compressed layers are keyed by it. */
export const ZSTD_IMPLEMENTATION = 'mongodb-js-zstd-1.2.2';

export interface WriteLayerOptions {
  readonly compression: LayerCompression;
  /** gzip level 1..9 (default DEFAULT_GZIP_LEVEL) or zstd level 1..19 (default DEFAULT_ZSTD_LEVEL). */
  readonly level?: number;
  /** Write the blob to this file (atomically, via a sibling temp file) instead of returning its bytes. */
  readonly file?: string;
}

/** A written layer: its descriptor (compressed digest and size), its diffId and where the bytes are. */
export interface WrittenLayer {
  readonly descriptor: Descriptor;
  /** sha256 of the uncompressed tar: what the image config's rootfs.diff_ids lists. */
  readonly diffId: Digest;
  readonly uncompressedSize: number;
  /** The blob, when no `file` was requested. */
  readonly bytes?: Uint8Array;
  /** The blob's path, when `file` was requested. */
  readonly path?: string;
}

/** Hashes whatever passes through. */
function tap(d: Digester): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      d.update(chunk);
      cb(null, chunk);
    },
  });
}

/**
 * RFC 1952 puts the OS in header byte 9, and zlib fills in the build host's value. We pin it to 3 (Unix) so a
 * layer compressed on another OS has the same bytes. Node's zlib already writes MTIME 0 and no file name.
 */
function pinGzipOs(): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (offset <= 9 && offset + chunk.length > 9) {
        const copy = Buffer.from(chunk);
        copy[9 - offset] = 3;
        chunk = copy;
      }
      offset += chunk.length;
      cb(null, chunk);
    },
  });
}

const GZIP_PARAMS = { memLevel: 8, windowBits: 15, strategy: zlibConstants.Z_DEFAULT_STRATEGY } as const;

function gzipLevel(o: WriteLayerOptions): number {
  const level = o.level ?? DEFAULT_GZIP_LEVEL;
  if (!Number.isInteger(level) || level < 1 || level > 9) fail('USAGE', `gzip level ${level} is not 1..9`);
  return level;
}

/** gzip streams through zlib (layers written to a file); zstd (below) compresses the whole tar at once. */
function compressor(o: WriteLayerOptions): Transform[] {
  if (o.compression !== 'gzip') return [];
  return [createGzip({ level: gzipLevel(o), ...GZIP_PARAMS }), pinGzipOs()];
}

const gzipAsync = promisify(gzip);
/**
 * Output chunk of one-shot gzip: each chunk is one round trip to the libuv pool, and zlib's default (16 KiB) made
 * a 20 MB layer cost over a thousand of them; a quarter of the tar (gzip output of a layer is about a third)
 * keeps small layers from allocating a large buffer. Deflate's output does not depend on how it is drained.
 */
const gzipChunk = (tarSize: number) => Math.min(1024 * 1024, Math.max(16 * 1024, Math.ceil(tarSize / 4)));

/**
 * gzip of a whole tar in one call on the libuv pool: the same bytes as the streaming compressor (deflate's output
 * depends on the input, level and parameters, not on how the input is fed), without a stream stage per tar block.
 */
async function gzipBytes(tar: Uint8Array, o: WriteLayerOptions): Promise<Buffer> {
  const out = await gzipAsync(tar, { level: gzipLevel(o), ...GZIP_PARAMS, chunkSize: gzipChunk(tar.length) });
  out[9] = 3; // as pinGzipOs
  return out;
}

/**
 * Compresses the whole tar in one call: the binding has no streaming API, and a layer is at most a few hundred
 * MB (the same bound as the tar writer's in-memory layers). Runs on libuv's pool, so layers compress in parallel.
 */
async function zstdFrame(tar: Uint8Array, level: number | undefined): Promise<Buffer> {
  const l = level ?? DEFAULT_ZSTD_LEVEL;
  if (!Number.isInteger(l) || l < 1 || l > 19) fail('USAGE', `zstd level ${l} is not 1..19`);
  return zstdCompress(Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength), l);
}

/**
 * Writes `entries` as one deterministic layer (see tar-writer.ts for the tar rules), computing the diffId
 * and the blob digest in the same pass. Two calls with equal entries and options give identical bytes.
 * @throws IroncladError INVALID_INPUT for bad entries, USAGE for a bad level.
 */
export async function writeLayer(entries: readonly TarEntry[], o: WriteLayerOptions): Promise<WrittenLayer> {
  if (o.file === undefined || o.compression === 'zstd') {
    const tar = tarBytes(entries);
    const { descriptor, bytes } = await compressLayer(tar, o);
    const layer = { descriptor, diffId: digestOf(tar), uncompressedSize: tar.length };
    if (o.file === undefined) return { ...layer, bytes };
    await writeFileAtomic(o.file, bytes);
    return { ...layer, path: o.file };
  }
  const uncompressed = new Digester();
  const compressed = new Digester();
  const stages = [tarStream(entries), tap(uncompressed), ...compressor(o), tap(compressed)];
  const tmp = siblingTempPath(o.file);
  try {
    await pipeline([...stages, createWriteStream(tmp, { flush: true })]);
    await rename(tmp, o.file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return result(ociLayerMediaType(o.compression), uncompressed, compressed, { path: o.file });
}

/**
 * The compressed blob of a tar already in memory (`o.file` is ignored), compressed in one call off the main
 * thread: the same bytes `writeLayer` gives for the entries of that tar. The caller hashes the tar for its diffId.
 */
export async function compressLayer(
  tar: Uint8Array,
  o: WriteLayerOptions,
): Promise<{ readonly descriptor: Descriptor; readonly bytes: Buffer }> {
  const bytes = await (o.compression === 'zstd' ? zstdFrame(tar, o.level) : gzipBytes(tar, o));
  return {
    descriptor: { mediaType: ociLayerMediaType(o.compression), digest: digestOf(bytes), size: bytes.length },
    bytes,
  };
}

function result(
  mediaType: string,
  uncompressed: Digester,
  compressed: Digester,
  where: { bytes: Uint8Array } | { path: string },
): WrittenLayer {
  return {
    descriptor: { mediaType, digest: compressed.digest(), size: compressed.size },
    diffId: uncompressed.digest(),
    uncompressedSize: uncompressed.size,
    ...where,
  };
}
