import { Readable } from 'node:stream';
import { type BlobStore, type Descriptor, type Digest, isIndexMediaType, isManifestMediaType } from '../oci/index.ts';
import { openBlob } from './blobs.ts';
import type { RegistryClient } from './client.ts';
import { getManifest } from './manifests.ts';
import { listReferrers } from './referrers.ts';

/** A BlobStore over one repository of a registry; `host` and `repo` let a copy mount instead of upload. */
export interface RegistryBlobStore extends BlobStore {
  readonly client: RegistryClient;
  readonly repo: string;
  listReferrers(subject: Digest): Promise<Descriptor[]>;
}

/**
 * Lets an ImageSource (oci imageSourceFrom) work over a registry without pulling everything: each call is
 * one request, made only when asked. Manifests are checked against their digest (or Docker-Content-Digest
 * for tags) and blob streams are verified against their descriptor, which is stricter than BlobStore
 * requires. A descriptor with a manifest media type is read through the manifests endpoint, since a
 * registry stores manifests apart from blobs.
 */
export function registryBlobStore(client: RegistryClient, repo: string): RegistryBlobStore {
  client.repoPath(repo, ''); // validates the name now rather than at the first request
  return {
    client,
    repo,
    async readManifest(ref: string) {
      const m = await getManifest(client, repo, ref);
      return { bytes: m.bytes, mediaType: m.mediaType };
    },
    async openBlob(d: Descriptor) {
      if (isIndexMediaType(d.mediaType) || isManifestMediaType(d.mediaType)) {
        const m = await getManifest(client, repo, d.digest);
        return Readable.from([m.bytes]);
      }
      return openBlob(client, repo, d);
    },
    listReferrers(subject: Digest) {
      return listReferrers(client, repo, subject);
    },
  };
}

/** True when `store` reads from a registry (so a copy to the same host can mount its blobs). */
export function isRegistryBlobStore(store: BlobStore): store is RegistryBlobStore {
  const s = store as Partial<RegistryBlobStore>;
  return typeof s.repo === 'string' && s.client !== undefined && typeof s.client.host === 'string';
}
