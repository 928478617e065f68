import { createHash } from 'node:crypto';
import { type FsEntry, type ImageFilesystem, readTar } from '../../oci/index.ts';

/**
 * Streams the content of many files of a flattened image with one pass per layer that holds any of them, instead
 * of one pass per file. `accept` sees the first bytes (up to {@link HEAD_BYTES}) and decides whether the rest is
 * kept; rejected or oversized files are read through and dropped, so memory stays at one accepted file.
 * `fn` runs for each accepted file whose size is within `maxBytes`, in layer then tar order.
 */
export const HEAD_BYTES = 64;

export async function forEachFileContent(
  fs: ImageFilesystem,
  entries: readonly FsEntry[],
  opts: { readonly accept: (head: Uint8Array) => boolean; readonly maxBytes: number },
  fn: (entry: FsEntry, bytes: Uint8Array) => Promise<void> | void,
): Promise<void> {
  const files = entries.filter((e) => e.size <= opts.maxBytes);
  await forEachFileInLayers(fs, files, async (e, content) => {
    const bytes = await collect(content, opts);
    if (bytes !== undefined) await fn(e, bytes);
  });
}

async function collect(
  content: AsyncIterable<Uint8Array>,
  opts: { readonly accept: (head: Uint8Array) => boolean; readonly maxBytes: number },
): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let decided: boolean | undefined;
  for await (const chunk of content) {
    if (decided === false) continue; // drain: leaving the entry half-read would stall the tar stream
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size > opts.maxBytes) {
      decided = false;
      chunks.length = 0;
      continue;
    }
    if (decided === undefined && size >= HEAD_BYTES)
      decided = opts.accept(Buffer.concat(chunks).subarray(0, HEAD_BYTES));
    if (decided === false) chunks.length = 0;
  }
  if (decided === undefined) decided = opts.accept(Buffer.concat(chunks));
  return decided ? Buffer.concat(chunks) : undefined;
}

/**
 * SHA-1 and SHA-256 of regular files, streamed (no size bound needed: nothing is kept), one pass per layer.
 * Results are keyed by path.
 */
export async function hashFiles(
  fs: ImageFilesystem,
  entries: readonly FsEntry[],
): Promise<Map<string, { sha1: string; sha256: string }>> {
  const out = new Map<string, { sha1: string; sha256: string }>();
  await forEachFileInLayers(fs, entries, async (e, content) => {
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    for await (const chunk of content) {
      sha1.update(chunk);
      sha256.update(chunk);
    }
    out.set(e.path, { sha1: sha1.digest('hex'), sha256: sha256.digest('hex') });
  });
  return out;
}

/**
 * The one pass per layer both readers share: visits each regular file of `entries` in layer then tar order, with
 * a stream of its content that `fn` must consume before returning.
 */
async function forEachFileInLayers(
  fs: ImageFilesystem,
  entries: readonly FsEntry[],
  fn: (entry: FsEntry, content: AsyncIterable<Uint8Array>) => Promise<void>,
): Promise<void> {
  const byLayer = new Map<number, Map<number, FsEntry>>();
  for (const e of entries) {
    if (e.type !== 'file') continue;
    const m = byLayer.get(e.layerIndex) ?? new Map<number, FsEntry>();
    m.set(e.ordinal, e);
    byLayer.set(e.layerIndex, m);
  }
  const layers = fs.image.layers();
  for (const index of [...byLayer.keys()].sort((a, b) => a - b)) {
    const wanted = byLayer.get(index)!;
    const layer = layers[index];
    if (layer === undefined) continue;
    for await (const t of readTar(await layer.openUncompressed(), { compression: 'none' })) {
      const e = wanted.get(t.ordinal);
      if (e !== undefined) await fn(e, t.content());
    }
  }
}
