import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { IroncladError } from '../core/index.ts';
import { type DebContents, type DebEntry, parseSingleParagraph, readDeb } from '../debian/index.ts';
import { type ContentDigests, contentDigests, rememberContentDigests } from './content-digests.ts';
import type { DerivedCache, DerivedCacheOptions, PayloadReader } from './derived-cache.ts';
import { derivedCache } from './derived-cache.ts';
import { withLazyData } from './file-data.ts';

/**
 * Parsed .deb contents cached by the .deb's sha256 (which the download already verified). Decompressing data.tar
 * (xz) is most of a build's reading time; the cached form loads in milliseconds. Two entries per .deb, both sealed
 * and bound to the .deb's sha256 (derived-cache.ts): the metadata (every entry, with the sha256 and md5 of every
 * file, no bytes) and the files' bytes. A build reads the metadata; a file's bytes are read only when something
 * needs them (file-data.ts), and checked against the sha256 the sealed metadata holds before use. Re-checking an
 * entry against its .deb would cost the decompression the cache saves, so that check is `cache verify`'s and
 * `rebuild --verify`'s (which reads no cache).
 */
export const DEB_CONTENTS_KIND = 'deb-contents';
/** The files' bytes of a `deb-contents` entry, in entry order, in an entry of their own. */
export const DEB_BYTES_KIND = 'deb-contents-bytes';
/**
 * The metadata is V8's serialization, whose format may change with the engine. v3: control members kept. v4: the
 * sha256 and md5 of every file kept too (content-digests.ts), so a warm build hashes no package file. v5: file
 * bytes outside the serialization, read back as slices of the entry (no copy of every file on every build). v6:
 * the bytes in an entry of their own, read only when needed.
 */
export const DEB_CONTENTS_FORMAT = `v6-node${process.versions.v8}`;

/** The two caches of parsed .debs: metadata, and files' bytes. */
export interface DebContentsCache {
  readonly metadata: DerivedCache;
  readonly bytes: DerivedCache;
}

export function debContentsCache(opts: DerivedCacheOptions): DebContentsCache {
  return {
    metadata: derivedCache(DEB_CONTENTS_KIND, DEB_CONTENTS_FORMAT, opts),
    bytes: derivedCache(DEB_BYTES_KIND, DEB_CONTENTS_FORMAT, opts),
  };
}

type FileEntry = Extract<DebEntry, { type: 'file' }>;
/** A file entry as the metadata holds it: its bytes are in the bytes entry, `dataLength` of them. */
type StoredFile = Omit<FileEntry, 'data'> & { readonly dataLength: number };
type StoredEntry = Exclude<DebEntry, FileEntry> | StoredFile;

/** The metadata: the contents without the parsed control and the file bytes, and the digests of the files. */
type Metadata = Omit<DebContents, 'control' | 'entries'> & {
  readonly entries: readonly StoredEntry[];
  readonly digests: readonly ContentDigests[];
};

/** The cached form of a .deb: its metadata, and every file's bytes in entry order. */
export interface DebContentsPayload {
  /**
   * Everything but the parsed control paragraph (which has methods and is rebuilt from text) and the files'
   * bytes; with the digests of the files' contents.
   */
  readonly metadata: Uint8Array;
  readonly bytes: Uint8Array;
}

export function debContentsPayload(deb: DebContents): DebContentsPayload {
  const { control: _control, entries, ...rest } = deb;
  const files = entries.filter((e) => e.type === 'file');
  const stored = entries.map((e): StoredEntry => {
    if (e.type !== 'file') return e;
    const { data, ...file } = e;
    return { ...file, dataLength: data.length };
  });
  const digests = files.map((f) => contentDigests(f.data));
  const metadata = serialize({ ...rest, entries: stored, digests } satisfies Metadata);
  return { metadata, bytes: Buffer.concat(files.map((f) => f.data)) };
}

/**
 * A cached file's bytes did not match the digest its sealed metadata holds (or were gone). The entries are being
 * discarded (`discarded`); the build that met this starts over, and then reads that .deb again.
 */
export class DamagedCachedBytes extends IroncladError {
  constructor(
    message: string,
    readonly discarded: Promise<void>,
  ) {
    super('DIGEST_MISMATCH', message, {
      hint: 'The derived cache entry was removed; run the command again (`ironclad cache verify` checks the rest).',
    });
  }
}

/**
 * The parsed contents of the .deb with this sha256 (the lock's), when `cache` holds them: sealed entries bound to
 * that digest are all a build reads of a .deb, so a hit needs no .deb file and no hashing of it. Files' bytes are
 * read on first use and throw {@link DamagedCachedBytes} when they do not match their sealed digests.
 */
export async function cachedDebContents(debSha256: string, cache: DebContentsCache): Promise<DebContents | undefined> {
  const payload = await cache.metadata.get(debSha256);
  if (payload === undefined) return undefined;
  const reader = cache.bytes.payloadReader(debSha256);
  const cached = reader === undefined ? undefined : decode(payload, lazyFiles(debSha256, reader, cache));
  if (cached === undefined) {
    const why = reader === undefined ? 'its file bytes are missing' : 'payload does not decode';
    await cache.metadata.discard(debSha256, why);
  }
  return cached;
}

/** Reads the .deb at `path` (whose sha256 the caller verified) through `cache`. */
export async function readDebCached(path: string, debSha256: string, cache: DebContentsCache): Promise<DebContents> {
  const cached = await cachedDebContents(debSha256, cache);
  if (cached !== undefined) return cached;
  const deb = await readDeb(path);
  const { metadata, bytes } = debContentsPayload(deb);
  // Bytes first: a metadata entry found always has its bytes beside it.
  await cache.bytes.put(debSha256, bytes);
  await cache.metadata.put(debSha256, metadata);
  return deb;
}

/** Where a decoded payload gets its files' bytes from. */
interface FileSource {
  readonly size: number;
  /** The file's bytes, checked against `digests`. */
  file(offset: number, length: number, digests: ContentDigests, path: string): Uint8Array;
}

/**
 * The files of a cached .deb, read from its bytes entry: the first file alone, then (a layer being written reads
 * them all) the whole entry at once. Each file is checked against its sealed sha256 before use.
 */
function lazyFiles(debSha256: string, reader: PayloadReader, cache: DebContentsCache): FileSource {
  let whole: Uint8Array | undefined;
  let reads = 0;
  return {
    size: reader.size,
    file(offset, length, digests, path) {
      let bytes: Uint8Array;
      try {
        if (whole === undefined && ++reads > 1) whole = reader.read(0, reader.size);
        bytes = whole === undefined ? reader.read(offset, length) : whole.subarray(offset, offset + length);
      } catch (err) {
        throw damaged(debSha256, `cannot read the bytes of /${path} (${(err as Error).message})`, cache);
      }
      if (createHash('sha256').update(bytes).digest('hex') !== digests.sha256) {
        throw damaged(debSha256, `the bytes of /${path} do not match their sealed sha256`, cache);
      }
      return bytes;
    },
  };
}

function damaged(debSha256: string, why: string, cache: DebContentsCache): DamagedCachedBytes {
  const discarded = Promise.all([cache.metadata.discard(debSha256, why), cache.bytes.discard(debSha256, why)]);
  return new DamagedCachedBytes(
    `cached contents of .deb ${debSha256.slice(0, 16)}: ${why}`,
    discarded.then(() => undefined),
  );
}

/** The bytes of a payload held in memory (`cache verify`), each file checked like a lazily read one. */
function memoryFiles(bytes: Uint8Array): FileSource {
  return {
    size: bytes.length,
    file(offset, length, digests, path) {
      const data = bytes.subarray(offset, offset + length);
      if (createHash('sha256').update(data).digest('hex') !== digests.sha256) {
        throw new RangeError(`the bytes of /${path} do not match their recorded sha256`);
      }
      return data;
    },
  };
}

/**
 * The contents a payload describes, its files' bytes from `files` on first use; undefined when the metadata is
 * not one or does not fit the bytes (any inconsistency: the entry is rebuilt).
 */
function decode(metadata: Uint8Array, files: FileSource): DebContents | undefined {
  try {
    const buf = Buffer.from(metadata.buffer, metadata.byteOffset, metadata.byteLength);
    const { entries: stored, digests, ...rest } = deserialize(buf) as Metadata;
    if (!Array.isArray(stored) || !Array.isArray(digests)) return undefined;
    let offset = 0;
    let file = 0;
    const entries = stored.map((e): DebEntry => {
      if (e.type !== 'file') return e;
      const { dataLength, ...meta } = e;
      const d = digests[file++];
      if (!Number.isSafeInteger(dataLength) || dataLength < 0 || offset + dataLength > files.size) {
        throw new RangeError('file bytes out of bounds');
      }
      if (typeof d?.sha256 !== 'string' || typeof d.md5 !== 'string') throw new TypeError('malformed digests');
      const digestsOf = { sha256: d.sha256, md5: d.md5 };
      // As the .deb reader gives them: a bare empty Uint8Array for an empty file.
      if (dataLength === 0) return { ...meta, data: new Uint8Array(0) };
      const at = offset;
      offset += dataLength;
      let data: Uint8Array | undefined;
      return withLazyData(meta, {
        length: dataLength,
        digests: digestsOf,
        bytes() {
          if (data === undefined) {
            data = files.file(at, dataLength, digestsOf, meta.path);
            rememberContentDigests(data, digestsOf);
          }
          return data;
        },
      });
    });
    if (file !== digests.length || offset !== files.size) return undefined;
    return { ...rest, entries, control: parseSingleParagraph(rest.controlText) };
  } catch {
    return undefined;
  }
}

/**
 * Whether `payload` (metadata and bytes) holds exactly what `deb` (freshly read from its verified .deb) gives: every field, every file's
 * bytes and the digests kept beside them, compared by value. The payload's bytes are not compared with a fresh
 * encoding: V8's serialization is not canonical (a string is written one-byte or two-byte as it happens to be held
 * in memory), so equal contents can encode differently in a process that has done other work.
 */
export function payloadMatchesDeb(payload: DebContentsPayload, deb: DebContents): boolean {
  const stored = decode(payload.metadata, memoryFiles(payload.bytes));
  if (stored === undefined) return false;
  try {
    return canonicalDeb(stored, (data) => contentDigests(data)) === canonicalDeb(deb, freshDigests);
  } catch {
    return false; // a file's bytes do not match their recorded digest
  }
}

function freshDigests(data: Uint8Array): ContentDigests {
  return { sha256: createHash('sha256').update(data).digest('hex'), md5: createHash('md5').update(data).digest('hex') };
}

/** A canonical text of everything a payload holds; file bytes by their own sha256, recorded digests by `digests`. */
function canonicalDeb(deb: DebContents, digests: (data: Uint8Array) => ContentDigests): string {
  const bytes = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
  const fields = (o: object) =>
    Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, v instanceof Uint8Array ? { bytes: bytes(v), recorded: digests(v) } : v]);
  return JSON.stringify({
    controlText: deb.controlText,
    md5sums: [...deb.md5sums.entries()],
    conffiles: deb.conffiles,
    controlFiles: deb.controlFiles.map((m) => fields(m)),
    entries: deb.entries.map((e) => fields(e)),
    controlCompression: deb.controlCompression,
    dataCompression: deb.dataCompression,
  });
}
