import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { decompress as xzDecompress } from '@napi-rs/lzma/xz';
import tar from 'tar-stream';
import yauzl from 'yauzl';
import { fail, wrapError } from '../core/index.ts';
import { MAX_RECORD_BYTES } from './osv-record.ts';

/**
 * Reads the JSON documents of an OSV export, whatever its container: a directory tree, a zip (OSV's
 * `all.zip`), or a tar (plain, gzip or xz). Only `*.json` files are yielded; a file larger than
 * MAX_RECORD_BYTES is yielded without bytes so the importer can count it, and is never read into memory.
 */

export type ArchiveKind = 'dir' | 'zip' | 'tar' | 'tar.gz' | 'tar.xz';

export type ArchiveEntry =
  | { readonly name: string; readonly bytes: Uint8Array }
  | { readonly name: string; readonly tooLarge: number };

/** Largest compressed archive accepted; OSV's complete Debian export is ~100 MiB zipped. */
export const MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024;
/**
 * xz is decompressed in memory (the binding has no streaming API), so its output is capped.
 * The shared Debian tarball inflates to ~300 MiB.
 */
const MAX_XZ_COMPRESSED = 256 * 1024 * 1024;

const isJson = (name: string) => name.endsWith('.json');

/** Detects a container from its first bytes (zip local header, gzip, xz magic, or a ustar header). */
export async function sniffArchive(path: string): Promise<ArchiveKind | null> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    if (bytesRead >= 4 && head.readUInt32BE(0) === 0x504b0304) return 'zip';
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
    if (bytesRead >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])))
      return 'tar.xz';
    if (bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    return null;
  } finally {
    await fh.close();
  }
}

async function* fromDir(root: string, dir = root): AsyncGenerator<ArchiveEntry> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* fromDir(root, p);
    else if (e.isFile() && isJson(e.name)) {
      const { size } = await stat(p);
      const name = relative(root, p);
      yield size > MAX_RECORD_BYTES ? { name, tooLarge: size } : { name, bytes: await readFile(p) };
    }
  }
}

async function readLimited(stream: AsyncIterable<Buffer>, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += c.length;
    if (n > limit) return null;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

async function* fromZip(path: string): AsyncGenerator<ArchiveEntry> {
  // yauzl validates entry sizes against the central directory, so a lying header fails the stream.
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  try {
    while (true) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => done(() => resolve(e));
        const onEnd = () => done(() => resolve(null));
        const onError = (err: Error) => done(() => reject(err));
        const done = (f: () => void) => {
          zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
          f();
        };
        zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
        zip.readEntry();
      });
      if (entry === null) return;
      if (entry.fileName.endsWith('/') || !isJson(entry.fileName)) continue;
      if (entry.uncompressedSize > MAX_RECORD_BYTES) {
        yield { name: entry.fileName, tooLarge: entry.uncompressedSize };
        continue;
      }
      const bytes = await readLimited(await zip.openReadStreamPromise(entry), MAX_RECORD_BYTES);
      yield bytes === null ? { name: entry.fileName, tooLarge: MAX_RECORD_BYTES + 1 } : { name: entry.fileName, bytes };
    }
  } finally {
    zip.close();
  }
}

async function tarInput(path: string, kind: 'tar' | 'tar.gz' | 'tar.xz'): Promise<Readable> {
  if (kind === 'tar') return createReadStream(path);
  if (kind === 'tar.gz') return createReadStream(path).pipe(createGunzip());
  const { size } = await stat(path);
  if (size > MAX_XZ_COMPRESSED) fail('INVALID_INPUT', `${path}: xz archive larger than ${MAX_XZ_COMPRESSED} bytes`);
  return Readable.from([await xzDecompress(await readFile(path))]);
}

async function* fromTar(path: string, kind: 'tar' | 'tar.gz' | 'tar.xz'): AsyncGenerator<ArchiveEntry> {
  const extract = tar.extract();
  const input = await tarInput(path, kind);
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);
  for await (const entry of extract) {
    const { name, size = 0, type } = entry.header;
    if (type !== 'file' || !isJson(name)) {
      entry.resume();
      continue;
    }
    if (size > MAX_RECORD_BYTES) {
      entry.resume();
      yield { name, tooLarge: size };
      continue;
    }
    yield { name, bytes: (await readLimited(entry as AsyncIterable<Buffer>, MAX_RECORD_BYTES)) ?? Buffer.alloc(0) };
  }
}

/**
 * Yields the JSON documents of an archive or directory in a stable order (directory: sorted paths;
 * zip/tar: archive order). Throws INVALID_INPUT when the container itself is corrupt.
 */
export async function* readOsvArchive(path: string, kind: ArchiveKind): AsyncGenerator<ArchiveEntry> {
  try {
    switch (kind) {
      case 'dir':
        yield* fromDir(path);
        return;
      case 'zip':
        yield* fromZip(path);
        return;
      default:
        yield* fromTar(path, kind);
    }
  } catch (err) {
    throw wrapError(err, 'INVALID_INPUT', `reading OSV data from ${path}`);
  }
}
