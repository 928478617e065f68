import { PassThrough, type Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { IroncladError } from '../core/index.ts';
import type { LayerCompression } from './media-types.ts';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** The compression that the first bytes of a blob reveal (RFC 1952 / RFC 8878 magic numbers), else 'none'. */
export function sniffCompression(head: Uint8Array): LayerCompression {
  if (GZIP_MAGIC.every((b, i) => head[i] === b)) return 'gzip';
  if (ZSTD_MAGIC.every((b, i) => head[i] === b)) return 'zstd';
  return 'none';
}

function zstdStream(): Transform {
  let out: Transform | undefined;
  const z = new Decompress((data) => out?.push(Buffer.from(data)));
  out = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        z.push(chunk);
        cb();
      } catch (cause) {
        cb(new IroncladError('INVALID_INPUT', 'zstd stream is corrupt', { cause }));
      }
    },
    flush(cb: TransformCallback) {
      try {
        z.push(new Uint8Array(0), true);
        cb();
      } catch (cause) {
        cb(new IroncladError('INVALID_INPUT', 'zstd stream is truncated or corrupt', { cause }));
      }
    },
  });
  return out;
}

/** Decompressing transform for a known compression. */
function decompressor(c: LayerCompression): Transform {
  switch (c) {
    case 'gzip':
      return createGunzip();
    case 'zstd':
      return zstdStream();
    case 'none':
      return new PassThrough();
  }
}

/**
 * Decompresses `input`. With `compression` given (from a media type) that is used; without it the
 * compression is sniffed from the magic bytes. Errors of `input` propagate to the returned stream, and
 * corrupt compressed data surfaces as INVALID_INPUT. The caller consumes or destroys the result.
 */
export function decompress(input: Readable, compression?: LayerCompression): Readable {
  const out = new PassThrough();
  let started = false;
  let head = Buffer.alloc(0);
  let pipe: Transform | undefined;
  const start = (c: LayerCompression): void => {
    started = true;
    pipe = decompressor(c);
    pipe.on('error', (cause) =>
      out.destroy(
        cause instanceof IroncladError ? cause : new IroncladError('INVALID_INPUT', `${c} data is corrupt`, { cause }),
      ),
    );
    pipe.pipe(out);
  };
  if (compression !== undefined) start(compression);
  input.on('data', (chunk: Buffer) => {
    if (!started) {
      head = Buffer.concat([head, chunk]);
      if (head.length < ZSTD_MAGIC.length) return;
      start(sniffCompression(head));
      chunk = head;
    }
    if (!pipe!.write(chunk)) {
      input.pause();
      pipe!.once('drain', () => input.resume());
    }
  });
  input.on('end', () => {
    if (!started) {
      start(sniffCompression(head));
      if (head.length > 0) pipe!.write(head);
    }
    pipe!.end();
  });
  input.on('error', (err) => out.destroy(err));
  out.on('close', () => {
    if (!input.destroyed) input.destroy();
  });
  return out;
}
