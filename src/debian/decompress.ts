import { gunzipSync } from 'node:zlib';
import { decompressSync as xzDecompressSync } from '@napi-rs/lzma/xz';
import { Decompress as ZstdDecompress } from 'fzstd';
import { fail, isIroncladError } from '../core/index.ts';
import type { DebCompression } from './deb-types.ts';

/**
 * Decompression of .deb archive members. deb(5) allows control.tar{,.gz,.xz,.zst} and data.tar with those
 * plus .bz2 and .lzma; bzip2 and lzma are legacy (dpkg-deb no longer writes them) and are refused here.
 */

const SUFFIXES: ReadonlyMap<string, DebCompression> = new Map([
  ['', 'none'],
  ['.gz', 'gzip'],
  ['.xz', 'xz'],
  ['.zst', 'zstd'],
]);

/**
 * Maps a member name such as `data.tar.xz` to its compression, or `undefined` when the name is not
 * `<base>.tar[<known suffix>]`; a recognisable `<base>.tar.<other>` fails INVALID_INPUT naming the archive.
 */
export function memberCompression(member: string, base: string, what: string): DebCompression | undefined {
  const prefix = `${base}.tar`;
  if (!member.startsWith(prefix)) return undefined;
  const kind = SUFFIXES.get(member.slice(prefix.length));
  if (kind === undefined) {
    fail('INVALID_INPUT', `${what}: member "${member}" uses an unsupported compression`, {
      hint: 'Supported: uncompressed, gzip (.gz), xz (.xz) and zstd (.zst), as written by dpkg-deb.',
    });
  }
  return kind;
}

function tooLarge(what: string, member: string, limit: number): never {
  return fail('HOSTILE_INPUT', `${what}: member "${member}" unpacks to more than ${limit} bytes`);
}

function zstd(data: Uint8Array, limit: number, what: string, member: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  // The streaming decoder lets us stop as soon as the output passes the limit (a zstd bomb never allocates).
  const d = new ZstdDecompress((chunk) => {
    total += chunk.length;
    if (total > limit) tooLarge(what, member, limit);
    chunks.push(chunk);
  });
  d.push(data, true);
  return Buffer.concat(chunks, total);
}

/**
 * Decompresses one member into memory, failing HOSTILE_INPUT when the result would exceed `limit` bytes and
 * INVALID_INPUT when the compressed data is corrupt or truncated. xz is decoded in one call (the member itself
 * is bounded) and checked afterwards.
 */
export function decompressMember(
  kind: DebCompression,
  data: Uint8Array,
  limit: number,
  what: string,
  member: string,
): Uint8Array {
  let out: Uint8Array;
  try {
    switch (kind) {
      case 'none':
        out = data;
        break;
      case 'gzip':
        out = gunzipSync(data, { maxOutputLength: limit + 1 });
        break;
      case 'xz':
        out = xzDecompressSync(data);
        break;
      case 'zstd':
        out = zstd(data, limit, what, member);
        break;
    }
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ERR_BUFFER_TOO_LARGE') tooLarge(what, member, limit);
    if (isIroncladError(err)) throw err;
    return fail('INVALID_INPUT', `${what}: member "${member}" is corrupt or truncated (${kind})`, { cause: err });
  }
  if (out.length > limit) tooLarge(what, member, limit);
  return out;
}
