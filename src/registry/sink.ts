import type { Readable } from 'node:stream';
import { type BlobStore, type Descriptor, type LayoutStore, verifyBytes } from '../oci/index.ts';
import { headBlob } from './blobs.ts';
import type { RegistryClient } from './client.ts';
import { headManifest } from './manifests.ts';
import { pushManifest } from './referrers.ts';
import { isRegistryBlobStore } from './registry-store.ts';
import { uploadBlob } from './upload.ts';

/**
 * Where a copy writes: a registry repository (push) or an OCI layout (pull). Both verify content against
 * its descriptor before it becomes visible, so a corrupt source never leaves anything behind.
 */
export interface BlobSink {
  /** For messages: `host/repo` or the layout directory. */
  readonly name: string;
  hasBlob(desc: Descriptor): Promise<boolean>;
  /**
   * Stores a blob read through `open` (called again on a retry). `from` lets a registry sink mount it from
   * another repository of the same registry instead of uploading; the result says which happened.
   */
  putBlob(desc: Descriptor, open: () => Promise<Readable>, from?: BlobStore): Promise<'stored' | 'mounted'>;
  hasManifest(desc: Descriptor): Promise<boolean>;
  /**
   * Stores a manifest whose children are already stored. `tag` names it; `root` marks a top-level image
   * or referrer (a layout lists those in index.json; a registry handles referrers of a `subject`).
   */
  putManifest(
    desc: Descriptor,
    bytes: Uint8Array,
    opts: { readonly tag?: string; readonly root: boolean },
  ): Promise<void>;
}

/** A sink pushing into one repository; uses cross-repository mount when the source is the same registry. */
export function registrySink(client: RegistryClient, repo: string): BlobSink {
  return {
    name: `${client.host}/${repo}`,
    async hasBlob(desc) {
      return (await headBlob(client, repo, desc.digest)) !== undefined;
    },
    async putBlob(desc, open, from) {
      const mountFrom = from !== undefined && isRegistryBlobStore(from) && from.client.host === client.host;
      const outcome = await uploadBlob(client, repo, desc, open, mountFrom ? { mountFrom: from.repo } : {});
      return outcome === 'mounted' ? 'mounted' : 'stored';
    },
    async hasManifest(desc) {
      return (await headManifest(client, repo, desc.digest)) !== undefined;
    },
    async putManifest(desc, bytes, opts) {
      verifyBytes(bytes, desc, 'manifest');
      await pushManifest(client, repo, opts.tag ?? desc.digest, bytes, desc.mediaType);
    },
  };
}

/** A sink writing into an OCI layout: blobs verified then renamed into place; roots recorded in index.json. */
export function layoutSink(store: LayoutStore): BlobSink {
  return {
    name: store.dir,
    hasBlob: (desc) => store.hasBlob(desc.digest),
    async putBlob(desc, open) {
      await store.putBlob(await open(), { digest: desc.digest, size: desc.size });
      return 'stored';
    },
    hasManifest: (desc) => store.hasBlob(desc.digest),
    async putManifest(desc, bytes, opts) {
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
