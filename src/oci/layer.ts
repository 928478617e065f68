import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlibConstants } from 'node:zlib';
import { fail, siblingTempPath } from '../core/index.ts';
import { Digester } from './digest.ts';
import { type LayerCompression, ociLayerMediaType } from './media-types.ts';
import { tarStream } from './tar-writer.ts';
import type { Descriptor, Digest, TarEntry } from './types.ts';

/**
 * Gzip level for layers: zlib's default. Measured on the python runtime's 50 MB of files, level 9 took 4.2x the
 * time of level 6 for output 0.4% smaller (17.95 vs 18.02 MB), so 9 is not worth a build's time. Determinism only
 * needs the level fixed. Reproducing a digest also needs the same zlib, which is bundled with Node: the
 * uncompressed `diffId` is the identity that survives a Node upgrade.
 */
export const DEFAULT_GZIP_LEVEL = 6;

export interface WriteLayerOptions {
  /**
   * `zstd` is not offered: no maintained zstd compressor is available to us in Node 20 (fzstd only
   * decompresses), and a layer we cannot write reproducibly is worse than a gzip one.
   */
  readonly compression: Exclude<LayerCompression, 'zstd'>;
  /** gzip level 1..9; default DEFAULT_GZIP_LEVEL. */
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

function compressor(o: WriteLayerOptions): Transform[] {
  if (o.compression === 'none') return [];
  const level = o.level ?? DEFAULT_GZIP_LEVEL;
  if (!Number.isInteger(level) || level < 1 || level > 9) fail('USAGE', `gzip level ${level} is not 1..9`);
  return [createGzip({ level, memLevel: 8, windowBits: 15, strategy: zlibConstants.Z_DEFAULT_STRATEGY }), pinGzipOs()];
}

function collect(into: Buffer[]): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      into.push(chunk);
      cb();
    },
  });
}

/**
 * Writes `entries` as one deterministic layer (see tar-writer.ts for the tar rules), computing the diffId
 * and the blob digest in the same pass. Two calls with equal entries and options give identical bytes.
 * @throws IroncladError INVALID_INPUT for bad entries, USAGE for a bad level.
 */
export async function writeLayer(entries: readonly TarEntry[], o: WriteLayerOptions): Promise<WrittenLayer> {
  const tar: Readable = tarStream(entries);
  const uncompressed = new Digester();
  const compressed = new Digester();
  const stages = [tar, tap(uncompressed), ...compressor(o), tap(compressed)];
  const mediaType = ociLayerMediaType(o.compression);
  if (o.file === undefined) {
    const chunks: Buffer[] = [];
    await pipeline([...stages, collect(chunks)]);
    const bytes = Buffer.concat(chunks);
    return result(mediaType, uncompressed, compressed, { bytes });
  }
  const tmp = siblingTempPath(o.file);
  try {
    await pipeline([...stages, createWriteStream(tmp, { flush: true })]);
    await rename(tmp, o.file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return result(mediaType, uncompressed, compressed, { path: o.file });
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
