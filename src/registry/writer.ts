import type { ImageWriter } from '../oci/index.ts';
import { verifyBytes } from '../oci/index.ts';
import { headBlob } from './blobs.ts';
import type { RegistryClient } from './client.ts';
import { deleteManifest, headManifest } from './manifests.ts';
import { pushManifest } from './referrers.ts';
import { isRegistryBlobStore } from './registry-store.ts';
import { uploadBlob } from './upload.ts';

/**
 * The registry transport's write core: pushes into one repository. Blobs are checked against their descriptor
 * before the upload commits; a blob whose source is another repository of the same registry is mounted instead
 * of uploaded. Manifests with a `subject` also update the referrers tag schema index when the registry has no
 * referrers API (pushManifest). `client` may be a thunk, so credentials are resolved at the first request.
 */
export function registryWriter(
  client: RegistryClient | (() => Promise<RegistryClient>),
  repo: string,
  name?: string,
): ImageWriter {
  const get = typeof client === 'function' ? client : async () => client;
  return {
    name: name ?? (typeof client === 'function' ? repo : `${client.host}/${repo}`),
    async hasBlob(desc) {
      return (await headBlob(await get(), repo, desc.digest)) !== undefined;
    },
    async putBlob(desc, open, from) {
      const c = await get();
      const mountFrom = from !== undefined && isRegistryBlobStore(from) && from.host === c.host;
      const outcome = await uploadBlob(c, repo, desc, open, mountFrom ? { mountFrom: from.repo } : {});
      return outcome === 'mounted' ? 'mounted' : 'stored';
    },
    async hasManifest(desc) {
      return (await headManifest(await get(), repo, desc.digest)) !== undefined;
    },
    async putManifest(desc, bytes, opts) {
      verifyBytes(bytes, desc, 'manifest');
      await pushManifest(await get(), repo, opts.tag ?? desc.digest, bytes, desc.mediaType);
    },
    async deleteManifest(desc) {
      await deleteManifest(await get(), repo, desc.digest);
    },
  };
}
