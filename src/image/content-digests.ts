import { createHash } from 'node:crypto';

/**
 * sha256 and md5 of file contents, remembered by the buffer that holds them. A build hashes every file of its tree
 * twice over (md5 for the dpkg md5sums, sha256 for the layer keys), and the buffers are those of the parsed .debs:
 * the deb-contents cache stores their digests beside them, so a warm build hashes only the files it generated.
 * Buffers of a tree are never written to after they are made (a changed file is a new buffer), which is what
 * keying by the buffer relies on.
 */
export interface ContentDigests {
  /** Lowercase hex. */
  readonly sha256: string;
  /** Lowercase hex, as deb-md5sums(5) lists it. */
  readonly md5: string;
}

const known = new WeakMap<Uint8Array, ContentDigests>();

/** The digests of `data`, computed on first use. */
export function contentDigests(data: Uint8Array): ContentDigests {
  let d = known.get(data);
  if (d === undefined) {
    d = {
      sha256: createHash('sha256').update(data).digest('hex'),
      md5: createHash('md5').update(data).digest('hex'),
    };
    known.set(data, d);
  }
  return d;
}

/** Records digests computed earlier from these very bytes (a sealed cache entry that holds both). */
export function rememberContentDigests(data: Uint8Array, digests: ContentDigests): void {
  known.set(data, digests);
}
