import type { Readable } from 'node:stream';
import { extract, type Header as TarStreamHeaders } from 'tar-stream';
import { fail, IroncladError } from '../core/index.ts';
import { decompress } from './decompress.ts';
import type { LayerCompression } from './media-types.ts';
import { readAll } from './read-all.ts';

/** Limits for reading a tar of outside origin; defaults fit the largest real images with a wide margin. */
export interface TarLimits {
  readonly maxEntries?: number;
  readonly maxPathBytes?: number;
  /** Sum of entry sizes. */
  readonly maxTotalBytes?: number;
}

export const DEFAULT_TAR_LIMITS: Required<TarLimits> = {
  maxEntries: 2_000_000,
  maxPathBytes: 4096,
  maxTotalBytes: 64 * 1024 ** 3,
};

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One header as read, with the path exactly as stored (callers normalise it for their purpose). */
export interface TarHeader {
  readonly path: string;
  readonly type: TarEntryType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  readonly linkTarget?: string;
  readonly devMajor?: number;
  readonly devMinor?: number;
}

/**
 * One entry. Its content is readable only until the iterator advances; content not read is skipped.
 */
export interface TarReadEntry {
  readonly header: TarHeader;
  /** Position of the entry in the archive, from 0: identifies it when a path repeats. */
  readonly ordinal: number;
  /** The content as chunks; iterate at most once. */
  content(): AsyncIterable<Uint8Array>;
  /** The content in memory. @throws INVALID_INPUT above `maxBytes`. */
  read(maxBytes: number): Promise<Uint8Array>;
}

const TYPES: Readonly<Record<string, TarEntryType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

function toHeader(h: TarStreamHeaders): TarHeader {
  const type = TYPES[h.type ?? 'file'];
  if (type === undefined) fail('INVALID_INPUT', `tar entry ${JSON.stringify(h.name)}: unsupported type ${h.type}`);
  return {
    path: h.name,
    type,
    mode: h.mode ?? 0,
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
    size: h.size ?? 0,
    mtime: h.mtime === undefined ? 0 : Math.floor(h.mtime.getTime() / 1000),
    ...(h.linkname != null && (type === 'symlink' || type === 'hardlink') && { linkTarget: h.linkname }),
    ...(type === 'char' || type === 'block' ? { devMajor: h.devmajor ?? 0, devMinor: h.devminor ?? 0 } : {}),
  };
}

/**
 * Iterates over the entries of a tar stream, decompressing it first (gzip and zstd are sniffed from the magic
 * bytes unless `compression` is given). PAX and GNU long names are applied by tar-stream.
 * Breaking out of the loop destroys the input.
 * @throws IroncladError INVALID_INPUT for malformed archives or when a limit is exceeded.
 */
export async function* readTar(
  input: Readable,
  opts: { readonly limits?: TarLimits; readonly compression?: LayerCompression; readonly what?: string } = {},
): AsyncGenerator<TarReadEntry> {
  const limits = { ...DEFAULT_TAR_LIMITS, ...opts.limits };
  const what = opts.what ?? 'tar archive';
  const ex = extract();
  const plain = decompress(input, opts.compression);
  plain.on('error', (err) => ex.destroy(err));
  plain.pipe(ex);
  let ordinal = 0;
  let total = 0;
  try {
    for await (const entry of ex) {
      const header = toHeader(entry.header);
      if (ordinal >= limits.maxEntries) fail('INVALID_INPUT', `${what}: more than ${limits.maxEntries} entries`);
      if (Buffer.byteLength(header.path) > limits.maxPathBytes) {
        fail('INVALID_INPUT', `${what}: a path is longer than ${limits.maxPathBytes} bytes`);
      }
      total += header.size;
      if (total > limits.maxTotalBytes) fail('INVALID_INPUT', `${what}: content exceeds ${limits.maxTotalBytes} bytes`);
      let used = false;
      const content = (): AsyncIterable<Uint8Array> => {
        if (used) fail('INTERNAL', `tar entry ${header.path} content read twice`);
        used = true;
        return entry as AsyncIterable<Uint8Array>;
      };
      yield {
        header,
        ordinal: ordinal++,
        content,
        read: (maxBytes: number) =>
          readAll(content(), maxBytes, `${what}: ${JSON.stringify(header.path.slice(0, 200))}`),
      };
      if (!used) entry.resume();
    }
  } catch (err) {
    if (err instanceof IroncladError) throw err;
    fail('INVALID_INPUT', `${what}: malformed tar`, { cause: err });
  } finally {
    if (!plain.destroyed) plain.destroy();
    if (!input.destroyed) input.destroy();
  }
}
