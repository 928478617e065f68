import { Readable } from 'node:stream';
import { fail } from '../core/index.ts';
import type { TarEntry } from './types.ts';

/**
 * Deterministic tar writer (POSIX ustar with PAX extended headers, POSIX.1-2001 "pax" format).
 *
 * Same entries in, same bytes out: entries are sorted by path bytes; uname/gname are always empty (runtimes
 * use the numeric ids, and names would leak the build host's passwd); uid, gid, mode and mtime come from the
 * entry; no atime/ctime records; PAX headers are written only when a value does not fit ustar (path or link
 * longer than 100 bytes or not ASCII, ids above 0o7777777, files of 8 GiB or more), and their own header is
 * fixed (name derived from the path, mode 0644, ids and mtime 0). No trailing record padding beyond the two
 * zero blocks the format requires.
 */

/**
 * The version of the bytes this writer gives for a list of entries. Caches that find a layer by a description of
 * its entries rather than by its tar's digest (the image module's layer keys) include it, so it must change
 * whenever a change here changes the tar written for the same entries.
 */
export const TAR_FORMAT = 'ironclad-pax-1';

const BLOCK = 512;
const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;

/**
 * Byte-wise order of UTF-8 paths, the order tar writers and `LC_ALL=C sort` use, so the result does not depend on
 * locale or JS string collation. Negative, zero or positive, like a sort comparator.
 */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Below the surrogates, UTF-16 code units order as code points, and code points as their UTF-8 bytes; a
    // surrogate (a character past U+FFFF, or a lone one) sorts otherwise, so those strings are compared encoded.
    if (x < 0xd800 && y < 0xd800) return x - y;
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  return a.length - b.length;
}

/**
 * Sorts entries by path bytes and checks them: paths relative, no `.`/`..`/empty components, no NUL, no duplicates.
 * @throws IroncladError INVALID_INPUT naming the first bad path.
 */
export function sortTarEntries(entries: readonly TarEntry[]): TarEntry[] {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    const parts = e.path.split('/');
    if (e.path === '' || e.path.includes('\0') || parts.some((c) => c === '' || c === '.' || c === '..')) {
      fail('INVALID_INPUT', `tar entry path ${JSON.stringify(e.path)} is not a clean relative path`);
    }
    if (i > 0 && sorted[i - 1]!.path === e.path) fail('INVALID_INPUT', `duplicate tar entry ${JSON.stringify(e.path)}`);
    if ((e.type === 'symlink' || e.type === 'hardlink') && (e.target === '' || e.target.includes('\0'))) {
      fail('INVALID_INPUT', `tar entry ${JSON.stringify(e.path)} has an invalid link target`);
    }
  }
  return sorted;
}

function writeString(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value, offset, length, 'utf8');
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  // length-1 zero-padded octal digits and a NUL terminator, as GNU tar and Go's archive/tar write them.
  writeString(buf, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function isPortable(s: string, maxBytes: number): boolean {
  return Buffer.byteLength(s, 'utf8') <= maxBytes && /^[\x20-\x7e]*$/.test(s);
}

interface HeaderFields {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
}

function header(f: HeaderFields): Buffer {
  const buf = Buffer.alloc(BLOCK);
  writeString(buf, 0, 100, f.name);
  writeOctal(buf, 100, 8, f.mode);
  writeOctal(buf, 108, 8, f.uid);
  writeOctal(buf, 116, 8, f.gid);
  writeOctal(buf, 124, 12, f.size);
  writeOctal(buf, 136, 12, f.mtime);
  buf.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  writeString(buf, 156, 1, f.typeflag);
  writeString(buf, 157, 100, f.linkname);
  writeString(buf, 257, 6, 'ustar\0');
  writeString(buf, 263, 2, '00');
  writeOctal(buf, 329, 8, 0);
  writeOctal(buf, 337, 8, 0);
  let sum = 0;
  for (const b of buf) sum += b;
  writeString(buf, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return buf;
}

/** One PAX record: "<len> <key>=<value>\n", where len counts the whole record including its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body, 'utf8');
  let len = bodyLen + 1;
  while (bodyLen + String(len).length !== len) len = bodyLen + String(len).length;
  return `${len}${body}`;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

function typeflag(e: TarEntry): string {
  switch (e.type) {
    case 'file':
      return '0';
    case 'hardlink':
      return '1';
    case 'symlink':
      return '2';
    case 'dir':
      return '5';
  }
}

/** The header blocks (PAX header if needed, then ustar header) and the data size of one entry. */
function entryBlocks(e: TarEntry): { head: Buffer[]; size: number } {
  const name = e.type === 'dir' ? `${e.path}/` : e.path;
  const link = e.type === 'symlink' || e.type === 'hardlink' ? e.target : '';
  const size = e.type === 'file' ? e.data.length : 0;
  const records: string[] = [];
  if (!isPortable(name, 100)) records.push(paxRecord('path', name));
  if (!isPortable(link, 100)) records.push(paxRecord('linkpath', link));
  if (e.uid > MAX_OCTAL_7) records.push(paxRecord('uid', String(e.uid)));
  if (e.gid > MAX_OCTAL_7) records.push(paxRecord('gid', String(e.gid)));
  if (size > MAX_OCTAL_11) records.push(paxRecord('size', String(size)));
  if (!Number.isSafeInteger(e.mtime) || e.mtime < 0 || e.mtime > MAX_OCTAL_11) {
    fail('INVALID_INPUT', `tar entry ${JSON.stringify(e.path)}: mtime ${e.mtime} out of range`);
  }
  if (!Number.isSafeInteger(e.uid) || e.uid < 0 || !Number.isSafeInteger(e.gid) || e.gid < 0) {
    fail('INVALID_INPUT', `tar entry ${JSON.stringify(e.path)}: uid/gid must be non-negative integers`);
  }
  const head: Buffer[] = [];
  if (records.length > 0) {
    const pax = Buffer.from(records.join(''), 'utf8');
    const paxName = `PaxHeaders/${asciiPrefix(e.path, 88)}`;
    head.push(
      header({ name: paxName, mode: 0o644, uid: 0, gid: 0, size: pax.length, mtime: 0, typeflag: 'x', linkname: '' }),
      pax,
      padding(pax.length),
    );
  }
  head.push(
    header({
      name: asciiPrefix(name, 100),
      mode: e.mode & 0o7777,
      uid: Math.min(e.uid, MAX_OCTAL_7),
      gid: Math.min(e.gid, MAX_OCTAL_7),
      size: Math.min(size, MAX_OCTAL_11),
      mtime: e.mtime,
      typeflag: typeflag(e),
      linkname: asciiPrefix(link, 100),
    }),
  );
  return { head, size };
}

/** A printable-ASCII truncation that fits a ustar field; the full value then lives in a PAX record. */
function asciiPrefix(s: string, maxBytes: number): string {
  return s.replace(/[^\x20-\x7e]/g, '_').slice(0, maxBytes);
}

/** Yields the tar archive in chunks, entry by entry; memory use is bounded by the largest file. */
export function* tarChunks(entries: readonly TarEntry[]): Generator<Uint8Array> {
  for (const e of sortTarEntries(entries)) {
    const { head, size } = entryBlocks(e);
    yield* head;
    if (e.type === 'file' && size > 0) {
      yield e.data;
      yield padding(size);
    }
  }
  yield Buffer.alloc(2 * BLOCK);
}

/**
 * A readable stream of the deterministic tar of `entries` (see the module comment for the rules).
 * Paths are validated up front.
 * @throws IroncladError INVALID_INPUT for unclean or duplicate paths, negative ids or out-of-range mtimes.
 */
export function tarStream(entries: readonly TarEntry[]): Readable {
  sortTarEntries(entries);
  return Readable.from(tarChunks(entries), { objectMode: false });
}

/** The whole tar in memory (tests and small layers). */
export function tarBytes(entries: readonly TarEntry[]): Uint8Array {
  return Buffer.concat([...tarChunks(entries)]);
}
