import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { type DebContents, type DebEntry, parseSingleParagraph, readDeb } from '../debian/index.ts';
import { type ContentDigests, contentDigests, rememberContentDigests } from './content-digests.ts';
import type { DerivedCache, DerivedCacheOptions } from './derived-cache.ts';
import { derivedCache } from './derived-cache.ts';

/**
 * Parsed .deb contents cached by the .deb's sha256 (which the download already verified). Decompressing data.tar
 * (xz) is most of a build's reading time; the cached form loads in milliseconds. Entries are sealed and bound to
 * the .deb's sha256 (derived-cache.ts); re-checking one against its .deb would cost the decompression the cache
 * saves, so that check is `cache verify`'s and `rebuild --verify`'s (which reads no cache).
 */
export const DEB_CONTENTS_KIND = 'deb-contents';
/**
 * The metadata is V8's serialization, whose format may change with the engine. v3: control members kept. v4: the
 * sha256 and md5 of every file kept too (content-digests.ts), so a warm build hashes no package file. v5: file
 * bytes outside the serialization, read back as slices of the entry (no copy of every file on every build).
 */
export const DEB_CONTENTS_FORMAT = `v5-node${process.versions.v8}`;

export function debContentsCache(opts: DerivedCacheOptions): DerivedCache {
  return derivedCache(DEB_CONTENTS_KIND, DEB_CONTENTS_FORMAT, opts);
}

type FileEntry = Extract<DebEntry, { type: 'file' }>;
/** A file entry as the metadata holds it: its bytes are in the payload's data part, `dataLength` of them. */
type StoredFile = Omit<FileEntry, 'data'> & { readonly dataLength: number };
type StoredEntry = Exclude<DebEntry, FileEntry> | StoredFile;

/** The metadata part: the contents without the parsed control and file bytes, and the digests of the files. */
type Metadata = Omit<DebContents, 'control' | 'entries'> & {
  readonly entries: readonly StoredEntry[];
  readonly digests: readonly ContentDigests[];
};

/** The metadata part's length, before it. */
const LENGTH_BYTES = 4;

/**
 * The cached form of a .deb: the length of the metadata part (u32, big-endian), the metadata (everything but the
 * parsed control paragraph, which has methods and is rebuilt from text, and but the files' bytes; the digests of
 * the files' contents), then every file's bytes in entry order. Decoding makes each file's bytes a view of the
 * entry just read, so a warm build copies none of them.
 */
export function debContentsPayload(deb: DebContents): Uint8Array {
  const { control: _control, entries, ...rest } = deb;
  const files = entries.filter((e) => e.type === 'file');
  const stored = entries.map((e): StoredEntry => {
    if (e.type !== 'file') return e;
    const { data, ...file } = e;
    return { ...file, dataLength: data.length };
  });
  const digests = files.map((f) => contentDigests(f.data));
  const metadata = serialize({ ...rest, entries: stored, digests } satisfies Metadata);
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeUInt32BE(metadata.length);
  return Buffer.concat([length, metadata, ...files.map((f) => f.data)]);
}

/**
 * The parsed contents of the .deb with this sha256 (the lock's), when `cache` holds them: a sealed entry bound to
 * that digest is all a build reads of a .deb, so a hit needs no .deb file and no hashing of it.
 */
export async function cachedDebContents(debSha256: string, cache: DerivedCache): Promise<DebContents | undefined> {
  const payload = await cache.get(debSha256);
  if (payload === undefined) return undefined;
  const cached = decode(payload);
  if (cached === undefined) await cache.discard(debSha256, 'payload does not decode');
  return cached;
}

/** Reads the .deb at `path` (whose sha256 the caller verified) through `cache`. */
export async function readDebCached(path: string, debSha256: string, cache: DerivedCache): Promise<DebContents> {
  const cached = await cachedDebContents(debSha256, cache);
  if (cached !== undefined) return cached;
  const deb = await readDeb(path);
  await cache.put(debSha256, debContentsPayload(deb));
  return deb;
}

/** The contents of a payload, or undefined when it is not one (any inconsistency: the entry is rebuilt). */
function decode(payload: Uint8Array): DebContents | undefined {
  try {
    const buf = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const metaEnd = LENGTH_BYTES + buf.readUInt32BE(0);
    if (metaEnd > buf.length) return undefined;
    const { entries: stored, digests, ...rest } = deserialize(buf.subarray(LENGTH_BYTES, metaEnd)) as Metadata;
    if (!Array.isArray(stored) || !Array.isArray(digests)) return undefined;
    let offset = metaEnd;
    let file = 0;
    const entries = stored.map((e): DebEntry => {
      if (e.type !== 'file') return e;
      const { dataLength, ...meta } = e;
      const d = digests[file++];
      if (!Number.isSafeInteger(dataLength) || dataLength < 0 || offset + dataLength > buf.length) {
        throw new RangeError('file bytes out of bounds');
      }
      if (typeof d?.sha256 !== 'string' || typeof d.md5 !== 'string') throw new TypeError('malformed digests');
      // As the .deb reader gives them: a Buffer over the file's bytes, a bare empty Uint8Array for an empty file.
      const data = dataLength === 0 ? new Uint8Array(0) : buf.subarray(offset, offset + dataLength);
      offset += dataLength;
      rememberContentDigests(data, { sha256: d.sha256, md5: d.md5 });
      return { ...meta, data };
    });
    if (file !== digests.length || offset !== buf.length) return undefined;
    return { ...rest, entries, control: parseSingleParagraph(rest.controlText) };
  } catch {
    return undefined;
  }
}

/**
 * Whether `payload` holds exactly what `deb` (freshly read from its verified .deb) gives: every field, every file's
 * bytes and the digests kept beside them, compared by value. The payload's bytes are not compared with a fresh
 * encoding: V8's serialization is not canonical (a string is written one-byte or two-byte as it happens to be held
 * in memory), so equal contents can encode differently in a process that has done other work.
 */
export function payloadMatchesDeb(payload: Uint8Array, deb: DebContents): boolean {
  const stored = decode(payload);
  if (stored === undefined) return false;
  return canonicalDeb(stored, (data) => contentDigests(data)) === canonicalDeb(deb, freshDigests);
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
