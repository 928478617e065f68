import { deserialize, serialize } from 'node:v8';
import { type DebContents, parseSingleParagraph, readDeb } from '../debian/index.ts';
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
 * The payload is V8's serialization, whose format may change with the engine. v3: control members kept. v4: the
 * sha256 and md5 of every file kept too (content-digests.ts), so a warm build hashes no package file.
 */
export const DEB_CONTENTS_FORMAT = `v4-node${process.versions.v8}`;

export function debContentsCache(opts: DerivedCacheOptions): DerivedCache {
  return derivedCache(DEB_CONTENTS_KIND, DEB_CONTENTS_FORMAT, opts);
}

/** What the cache holds: the contents without the parsed control, and the digests of the files, in entry order. */
type Payload = Omit<DebContents, 'control'> & { readonly digests: readonly ContentDigests[] };

/**
 * The cached form of a .deb: everything but the parsed control paragraph (it has methods; rebuilt from text), and
 * the digests of its files' contents.
 */
export function debContentsPayload(deb: DebContents): Uint8Array {
  const { control: _control, ...rest } = deb;
  const digests = deb.entries.flatMap((e) => (e.type === 'file' ? [contentDigests(e.data)] : []));
  return serialize({ ...rest, digests } satisfies Payload);
}

/** Reads the .deb at `path` (whose sha256 the caller verified) through `cache`. */
export async function readDebCached(path: string, debSha256: string, cache: DerivedCache): Promise<DebContents> {
  const payload = await cache.get(debSha256);
  if (payload !== undefined) {
    const cached = decode(payload);
    if (cached !== undefined) return cached;
    await cache.discard(debSha256, 'payload does not decode');
  }
  const deb = await readDeb(path);
  await cache.put(debSha256, debContentsPayload(deb));
  return deb;
}

function decode(payload: Uint8Array): DebContents | undefined {
  try {
    const { digests, ...rest } = deserialize(payload) as Payload;
    const files = rest.entries.filter((e) => e.type === 'file');
    if (!Array.isArray(digests) || digests.length !== files.length) return undefined;
    files.forEach((f, i) => {
      const d = digests[i]!;
      if (typeof d.sha256 !== 'string' || typeof d.md5 !== 'string') throw new TypeError('malformed digests');
      rememberContentDigests(f.data, { sha256: d.sha256, md5: d.md5 });
    });
    return { ...rest, control: parseSingleParagraph(rest.controlText) };
  } catch {
    return undefined;
  }
}
