import { Readable } from 'node:stream';
import { fail } from '../core/index.ts';
import {
  type Descriptor,
  isIndexMediaType,
  isManifestMediaType,
  parseDigest,
  REF_NAME_ANNOTATION,
  verifyBytes,
} from '../oci/index.ts';
import {
  fetchBlob,
  getManifest,
  headBlob,
  headManifest,
  listReferrers,
  pushManifest,
  type RegistryClient,
  uploadBlob,
} from '../registry/index.ts';
import {
  COSIGN_ATTESTATION_SUFFIX,
  COSIGN_SIGNATURE_SUFFIX,
  cosignTag,
  type ReferrerSink,
  referrerManifest,
} from './referrer-sink.ts';

/**
 * A ReferrerSink over one repository of a registry (distribution spec 1.1), the registry counterpart of
 * layoutReferrerSink: the same artifacts, found the same way, so `sign`/`attest`/`verify` behave alike on
 * `docker://` references and on layouts.
 *
 * - putReferrer uploads the config and layer blobs, then pushes the artifact manifest by its digest (no tag).
 *   pushManifest keeps the referrers tag schema index up to date on registries without the referrers API.
 * - listReferrers asks the referrers API (or reads the fallback tag), then adds the manifests of cosign's
 *   `sha256-<hex>.sig` / `.att` tags, annotated with their tag as the layout sink does.
 * - readBlob reads manifests through the manifests endpoint (a registry keeps them apart from blobs) and
 *   every other blob through the blobs endpoint; both are checked against the descriptor.
 */
export function registryReferrerSink(client: RegistryClient, repo: string): ReferrerSink {
  client.repoPath(repo, ''); // validates the repository name now rather than at the first request
  const name = `${client.host}/${repo}`;
  return {
    name,
    async putReferrer(artifact) {
      const { manifest, blobs } = referrerManifest(artifact);
      for (const blob of blobs) {
        const desc: Descriptor = {
          mediaType: blob.mediaType,
          digest: parseDigest(blob.digest, 'referrer blob'),
          size: blob.size,
        };
        // Signing again (or a second platform sharing a payload) finds most blobs there already.
        if ((await headBlob(client, repo, desc.digest)) === desc.size) continue;
        // uploadBlob checks the bytes against `desc` before committing, so a wrong digest never lands.
        await uploadBlob(client, repo, desc, async () => Readable.from([blob.bytes]));
      }
      const { digest, mediaType } = manifest.descriptor;
      await pushManifest(client, repo, digest, manifest.bytes, mediaType);
      return manifest.descriptor;
    },
    async listReferrers(subject) {
      const referrers = await listReferrers(client, repo, subject);
      const cosign: Descriptor[] = [];
      for (const suffix of [COSIGN_SIGNATURE_SUFFIX, COSIGN_ATTESTATION_SUFFIX]) {
        const tag = cosignTag(subject, suffix);
        const found = await headManifest(client, repo, tag);
        if (found !== undefined) cosign.push({ ...found, annotations: { [REF_NAME_ANNOTATION]: tag } });
      }
      return [...referrers, ...cosign];
    },
    async readBlob(desc, maxBytes) {
      if (desc.size > maxBytes) fail('INVALID_INPUT', `blob ${desc.digest} is larger than ${maxBytes} bytes`);
      if (!isIndexMediaType(desc.mediaType) && !isManifestMediaType(desc.mediaType)) {
        return fetchBlob(client, repo, desc, maxBytes);
      }
      // getManifest checks the bytes against the digest asked for; the size and media type come from desc.
      const m = await getManifest(client, repo, desc.digest);
      verifyBytes(m.bytes, desc, `manifest ${desc.digest} in ${name}`);
      return m.bytes;
    },
  };
}
