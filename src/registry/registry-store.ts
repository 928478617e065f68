import { Readable } from 'node:stream';
import { type BlobStore, type Descriptor, type Digest, isIndexMediaType, isManifestMediaType } from '../oci/index.ts';
import { openBlob } from './blobs.ts';
import type { RegistryClient } from './client.ts';
import { getManifest } from './manifests.ts';
import { listReferrers } from './referrers.ts';

const REGISTRY_STORE = Symbol('registry blob store');

/** A BlobStore over one repository of a registry; `host` (the API host) and `repo` let a copy mount blobs. */
export interface RegistryBlobStore extends BlobStore {
  readonly [REGISTRY_STORE]: true;
  readonly host: string;
  readonly repo: string;
  listReferrers(subject: Digest): Promise<Descriptor[]>;
}

/**
 * Lets an ImageSource (oci imageSourceFrom) work over a registry without pulling everything: each call is
 * one request, made only when asked. Manifests are checked against their digest (or Docker-Content-Digest
 * for tags) and blob streams are verified against their descriptor, which is stricter than BlobStore
 * requires. A descriptor with a manifest media type is read through the manifests endpoint, since a
 * registry stores manifests apart from blobs. `client` may be a thunk (credentials are read asynchronously);
 * then `host` must be given and is the API host the client will talk to.
 */
export function registryBlobStore(
  client: RegistryClient | (() => Promise<RegistryClient>),
  repo: string,
  host?: string,
): RegistryBlobStore {
  const get = typeof client === 'function' ? client : async () => client;
  if (typeof client !== 'function') client.repoPath(repo, ''); // validates the name now, not at the first request
  return {
    [REGISTRY_STORE]: true,
    host: typeof client === 'function' ? (host ?? '') : client.host,
    repo,
    async readManifest(ref: string) {
      const m = await getManifest(await get(), repo, ref);
      return { bytes: m.bytes, mediaType: m.mediaType };
    },
    async openBlob(d: Descriptor) {
      const c = await get();
      if (isIndexMediaType(d.mediaType) || isManifestMediaType(d.mediaType)) {
        const m = await getManifest(c, repo, d.digest);
        return Readable.from([m.bytes]);
      }
      return openBlob(c, repo, d);
    },
    async listReferrers(subject: Digest) {
      return listReferrers(await get(), repo, subject);
    },
  };
}

/** True when `store` reads from a registry (so a copy to the same host can mount its blobs). */
export function isRegistryBlobStore(store: BlobStore): store is RegistryBlobStore {
  return (store as Partial<RegistryBlobStore>)[REGISTRY_STORE] === true;
}
