import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { EndpointCore, ImageWriter } from './endpoint.ts';
import { checkImageBlobs } from './integrity.ts';
import { LayoutStore } from './layout.ts';
import { layoutBlobStore } from './layout-blob-store.ts';
import type { BlobStore, Descriptor } from './types.ts';

/**
 * The OCI image layout transport (image-layout.md), also behind the local store. Reads open the layout as it is
 * (NOT_FOUND when missing); the first write creates it. `reference` is a tag, a digest, or '' for the only image.
 */
export function layoutCore(dir: string, reference: string, tagName?: (tag: string) => string): EndpointCore {
  return {
    store: withEmbeddedData(layoutBlobStore(dir)),
    reference,
    writer: layoutWriter(dir),
    ...(tagName !== undefined && { tagName }),
  };
}

/**
 * Writes into an OCI layout: blobs verified then renamed into place (LayoutStore.putBlob); manifests stored as
 * blobs, tagged ones recorded under their tag, untagged roots (referrers) as plain index.json entries. A
 * directory is opened (and created when missing) at the first write.
 */
export function layoutWriter(layout: string | LayoutStore): ImageWriter {
  let opened: Promise<LayoutStore> | undefined;
  const open = () => {
    opened ??= typeof layout === 'string' ? LayoutStore.open(layout, { create: true }) : Promise.resolve(layout);
    return opened;
  };
  return {
    name: typeof layout === 'string' ? resolve(layout) : layout.dir,
    // "Has" means "has intact": a copy or pull then fetches a corrupt blob again, and putBlob replaces it. A blob
    // this process hashed before and that has not changed since is not read again (builds reuse the same layers).
    hasBlob: async (desc) => (await open()).blobIntactKnown(desc.digest, desc.size),
    async putBlob(desc, read) {
      await (await open()).putBlob(await read(), { digest: desc.digest, size: desc.size });
      return 'stored';
    },
    // A copy skips what the destination has, so "has" means the whole image is there intact: a pull into a store
    // with a corrupt blob then fetches it again instead of keeping it.
    hasManifest: async (desc) => {
      const store = await open();
      if (!(await store.blobIntact(desc.digest, desc.size))) return false;
      return (await checkImageBlobs(layoutBlobStore(store), desc, { deep: true })).problems.length === 0;
    },
    async putManifest(desc, bytes, opts) {
      const store = await open();
      await store.putBlob(bytes, { digest: desc.digest, size: desc.size });
      const entry: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
      if (opts.tag !== undefined) await store.tag(opts.tag, { ...entry, ...platformOf(desc) });
      else if (opts.root) await store.addManifest({ ...desc });
    },
  };
}

function platformOf(desc: Descriptor): Partial<Descriptor> {
  return desc.platform === undefined ? {} : { platform: desc.platform };
}

/**
 * Serves a blob from its descriptor's embedded `data` (OCI image spec, descriptor "data") before asking the
 * layout. A layout may lack such blobs (image-layout lets referenced blobs be missing), typically the empty `{}`
 * config of artifacts, yet a registry needs them uploaded. Readers verify the bytes like any other blob.
 */
function withEmbeddedData(store: BlobStore): BlobStore {
  return {
    readManifest: (ref) => store.readManifest(ref),
    openBlob: async (desc) =>
      desc.data === undefined ? store.openBlob(desc) : Readable.from([Buffer.from(desc.data, 'base64')]),
    ...(store.listReferrers !== undefined && { listReferrers: store.listReferrers.bind(store) }),
  };
}
