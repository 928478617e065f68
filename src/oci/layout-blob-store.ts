import type { Readable } from 'node:stream';
import { fail } from '../core/index.ts';
import { isDigest } from './digest.ts';
import { LayoutStore } from './layout.ts';
import { MAX_MANIFEST_BYTES, parseManifest } from './manifest.ts';
import type { BlobStore, Descriptor, Digest } from './types.ts';
import { verifyBytes } from './verify.ts';

/**
 * A BlobStore over an OCI image layout. Nothing is read until a method is called. `readManifest` accepts a
 * tag, a digest, or '' meaning "the only image in the layout" (skopeo's `oci:DIR` without a reference).
 */
export function layoutBlobStore(layout: string | LayoutStore): BlobStore {
  let opened: Promise<LayoutStore> | undefined;
  const store = (): Promise<LayoutStore> => {
    // A failed open is not kept: a layout another writer creates later (a shared `--cache-from oci:DIR`) is read.
    opened ??= (typeof layout === 'string' ? LayoutStore.open(layout) : Promise.resolve(layout)).catch((err) => {
      opened = undefined;
      throw err;
    });
    return opened;
  };
  return {
    async readManifest(ref: string) {
      const s = await store();
      const desc = await pickEntry(s, ref);
      const bytes = await s.readBlob(desc.digest, MAX_MANIFEST_BYTES);
      // A tag names a digest; the stored bytes must still hash to it (a corrupt store must not pass as the image).
      verifyBytes(bytes, desc, `stored manifest in ${s.dir}:`);
      return { bytes, mediaType: desc.mediaType };
    },
    async openBlob(d: Descriptor): Promise<Readable> {
      return (await store()).openBlob(d.digest);
    },
    async listReferrers(subject: Digest) {
      return (await store()).referrers(subject);
    },
  };
}

async function pickEntry(s: LayoutStore, ref: string): Promise<Descriptor> {
  if (isDigest(ref)) {
    const entry = (await s.readIndex()).manifests.find((m) => m.digest === ref);
    if (entry !== undefined) return entry;
    // Not listed in index.json (e.g. a platform manifest under an index): take the media type from the document.
    const bytes = await s.readBlob(ref, MAX_MANIFEST_BYTES);
    return { mediaType: parseManifest(bytes, undefined, `manifest ${ref}`).mediaType, digest: ref, size: bytes.length };
  }
  const tags = await s.listTags();
  if (ref !== '') {
    const hit = tags.find((t) => t.name === ref)?.descriptor;
    if (hit !== undefined) return hit;
    fail('NOT_FOUND', `no tag ${JSON.stringify(ref)} in ${s.dir}`, { hint: tagHint(tags.map((t) => t.name)) });
  }
  const images: Descriptor[] = [];
  for (const m of (await s.readIndex()).manifests) if ((await s.anchorOf(m)) === null) images.push(m);
  if (images.length === 1) return images[0]!;
  return fail('USAGE', `${s.dir} holds ${images.length} images; name one with a tag`, {
    hint: tagHint(tags.map((t) => t.name)),
  });
}

function tagHint(names: readonly string[]): string {
  if (names.length === 0) return 'the layout has no tags';
  const shown = names.slice(0, 10).join(', ');
  return `tags: ${shown}${names.length > 10 ? `, … (${names.length} in all)` : ''}`;
}
