import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/index.ts';
import {
  DEFAULT_GZIP_LEVEL,
  type Descriptor,
  type Digest,
  digestHex,
  digestOf,
  type LayoutStore,
  type TarEntry,
  tarBytes,
  type WrittenLayer,
  writeLayer,
} from '../oci/index.ts';

/**
 * Compressed layers remembered by their diffId (the sha256 of the uncompressed tar). gzip is the costliest step
 * of a build and is deterministic for one zlib version and level, so a layer whose tar is unchanged (a patch
 * rebuild leaves most of them so) is not compressed again: its blob is already in the store.
 */
const CACHE_FORMAT = `gzip-${DEFAULT_GZIP_LEVEL}-zlib-${process.versions.zlib}`;

function entryPath(home: string, diffId: Digest): string {
  return join(home, 'cache', 'layers', CACHE_FORMAT, `${digestHex(diffId)}.json`);
}

/** Writes (or reuses) one gzip layer into `store`; returns the same shape as writeLayer, without bytes. */
export async function storeLayer(
  entries: readonly TarEntry[],
  store: LayoutStore,
  home: string,
): Promise<WrittenLayer> {
  const tar = tarBytes(entries);
  const diffId = digestOf(tar);
  const cached = await readFile(entryPath(home, diffId), 'utf8').then(
    (t) => JSON.parse(t) as { descriptor: Descriptor; uncompressedSize: number },
    () => undefined,
  );
  if (cached && cached.uncompressedSize === tar.length && (await store.hasBlob(cached.descriptor.digest))) {
    return { descriptor: cached.descriptor, diffId, uncompressedSize: tar.length };
  }
  const written = await writeLayer(entries, { compression: 'gzip' });
  await store.putBlob(written.bytes!, { digest: written.descriptor.digest, size: written.descriptor.size });
  await writeFileAtomic(
    entryPath(home, diffId),
    JSON.stringify({ descriptor: written.descriptor, uncompressedSize: written.uncompressedSize }),
  );
  return { descriptor: written.descriptor, diffId: written.diffId, uncompressedSize: written.uncompressedSize };
}
