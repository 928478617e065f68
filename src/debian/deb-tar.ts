import tar from 'tar-stream';
import { fail, isIroncladError } from '../core/index.ts';
import type { DebEntry, DebLimits } from './deb-types.ts';

/**
 * Reads the tar archives inside a .deb (control.tar, data.tar) from memory into {@link DebEntry} values, with
 * every path normalised and checked. dpkg-deb writes GNU tar with `./`-prefixed names; pax and GNU long names
 * are handled by tar-stream.
 */

/**
 * Normalises an archive path to the relative form used everywhere else (`usr/bin/env`): strips one leading
 * `./`, drops `.` and empty components and a trailing `/`. Returns `''` for the root entry.
 * Throws HOSTILE_INPUT for `..` components, absolute names, NUL bytes or an over-long path; dpkg itself
 * refuses such names, so they only appear in crafted archives.
 */
export function normalizeArchivePath(raw: string, maxPathLength: number, what: string): string {
  if (raw.includes('\0')) fail('HOSTILE_INPUT', `${what}: entry name contains a NUL byte`);
  const rel = raw.startsWith('./') ? raw.slice(2) : raw === '.' ? '' : raw;
  if (rel.startsWith('/')) fail('HOSTILE_INPUT', `${what}: absolute entry name "${raw.slice(0, 200)}"`);
  const parts: string[] = [];
  for (const part of rel.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') fail('HOSTILE_INPUT', `${what}: entry "${raw.slice(0, 200)}" climbs out with ".."`);
    parts.push(part);
  }
  const path = parts.join('/');
  if (Buffer.byteLength(path) > maxPathLength) {
    fail('HOSTILE_INPUT', `${what}: entry name is longer than ${maxPathLength} bytes`);
  }
  return path;
}

type TarLimits = Pick<DebLimits, 'maxEntries' | 'maxPathLength'> & { readonly maxContentBytes: number };

function entryType(type: tar.Header['type'], name: string, what: string): DebEntry['type'] {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    case 'character-device':
      return 'char';
    case 'block-device':
      return 'block';
    case 'fifo':
      return 'fifo';
    default:
      return fail('INVALID_INPUT', `${what}: entry "${name.slice(0, 200)}" has unsupported tar type ${type}`);
  }
}

async function collect(stream: AsyncIterable<unknown>, expected: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks, expected);
}

function toEntry(h: tar.Header, path: string, data: Uint8Array, limits: TarLimits, what: string): DebEntry {
  const base = {
    path,
    mode: (h.mode ?? 0) & 0o7777,
    uid: h.uid ?? 0,
    gid: h.gid ?? 0,
    mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000),
  };
  const type = entryType(h.type, h.name, what);
  switch (type) {
    case 'file':
      return { ...base, type, data };
    case 'dir':
    case 'fifo':
      return { ...base, type };
    case 'symlink': {
      const linkname: string = h.linkname ?? '';
      if (linkname.length === 0 || linkname.includes('\0')) {
        fail('HOSTILE_INPUT', `${what}: symlink "${path}" has an empty or invalid target`);
      }
      if (Buffer.byteLength(linkname) > limits.maxPathLength) fail('HOSTILE_INPUT', `${what}: symlink target too long`);
      return { ...base, type, linkname };
    }
    case 'hardlink':
      return { ...base, type, linkname: normalizeArchivePath(h.linkname ?? '', limits.maxPathLength, what) };
    case 'char':
    case 'block':
      return { ...base, type, devmajor: h.devmajor ?? 0, devminor: h.devminor ?? 0 };
  }
}

/**
 * Parses a whole (uncompressed) tar archive held in memory. Entries come back in archive order; the root entry
 * is dropped. Throws INVALID_INPUT for corrupt or truncated tar data, HOSTILE_INPUT for hostile names or when
 * the entry count or summed file contents exceed the limits. Hardlinks must name an earlier entry.
 */
export async function readTarEntries(bytes: Uint8Array, limits: TarLimits, what: string): Promise<DebEntry[]> {
  const entries: DebEntry[] = [];
  const seen = new Set<string>();
  let contentBytes = 0;
  const extract = tar.extract();
  extract.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  try {
    for await (const item of extract) {
      const h = item.header;
      if (entries.length >= limits.maxEntries) fail('HOSTILE_INPUT', `${what}: more than ${limits.maxEntries} entries`);
      const path = normalizeArchivePath(h.name, limits.maxPathLength, what);
      const size = h.type === 'file' || h.type === 'contiguous-file' ? (h.size ?? 0) : 0;
      contentBytes += size;
      if (contentBytes > limits.maxContentBytes) {
        fail('HOSTILE_INPUT', `${what}: file contents exceed the limit of ${limits.maxContentBytes} bytes`);
      }
      const data = size > 0 ? await collect(item as AsyncIterable<unknown>, size) : new Uint8Array(0);
      if (size === 0) item.resume();
      if (path === '') continue;
      const entry = toEntry(h, path, data, limits, what);
      if (entry.type === 'hardlink' && !seen.has(entry.linkname)) {
        fail('HOSTILE_INPUT', `${what}: hardlink "${path}" points to missing entry "${entry.linkname}"`);
      }
      seen.add(path);
      entries.push(entry);
    }
  } catch (err) {
    extract.destroy();
    if (isIroncladError(err)) throw err;
    fail('INVALID_INPUT', `${what} is corrupt or truncated`, { cause: err });
  }
  return entries;
}
