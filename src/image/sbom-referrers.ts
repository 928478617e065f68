import {
  buildArtifactManifest,
  type Descriptor,
  digestOf,
  EMPTY_DESCRIPTOR,
  EMPTY_JSON_BYTES,
  type LayoutStore,
} from '../oci/index.ts';
import {
  isoFromEpoch,
  type SbomDistro,
  type SbomPackage,
  sbomFromPackages,
  writeCycloneDxJson,
  writeSpdxJson,
} from '../sbom/index.ts';

/** Media types of the SBOM referrers (IANA: application/spdx+json; CycloneDX's registered type). */
export const SPDX_MEDIA_TYPE = 'application/spdx+json';
export const CYCLONEDX_MEDIA_TYPE = 'application/vnd.cyclonedx+json';

/**
 * Stores the SPDX and CycloneDX SBOMs of a platform image beside it as OCI 1.1 referrers (artifact manifests
 * whose `subject` is the platform manifest), unsigned. `ironclad build --key` adds signed attestations of the
 * same documents. Returns the referrer descriptors.
 */
export async function storeSbomReferrers(
  store: LayoutStore,
  subject: Descriptor,
  packages: readonly SbomPackage[],
  meta: { imageName: string; platform: string; distro: SbomDistro; epoch: number },
): Promise<Descriptor[]> {
  const doc = sbomFromPackages(packages, {
    imageName: meta.imageName,
    imageDigest: subject.digest,
    platform: meta.platform,
    distro: meta.distro,
    created: isoFromEpoch(meta.epoch),
  });
  const out: Descriptor[] = [];
  // The artifact manifests use the OCI empty config; the blob must exist for a layout to be complete.
  await store.putBlob(EMPTY_JSON_BYTES, { digest: EMPTY_DESCRIPTOR.digest, size: EMPTY_DESCRIPTOR.size });
  for (const [mediaType, bytes] of [
    [SPDX_MEDIA_TYPE, writeSpdxJson(doc)],
    [CYCLONEDX_MEDIA_TYPE, writeCycloneDxJson(doc)],
  ] as const) {
    const blob: Descriptor = { mediaType, digest: digestOf(bytes), size: bytes.length };
    await store.putBlob(bytes, { digest: blob.digest, size: blob.size });
    const { platform: _drop, ...subjectDesc } = subject;
    const manifest = buildArtifactManifest({ artifactType: mediaType, subject: subjectDesc, blobs: [blob] });
    await store.putBlob(manifest.bytes, { digest: manifest.descriptor.digest, size: manifest.descriptor.size });
    await store.addManifest(manifest.descriptor);
    out.push(manifest.descriptor);
  }
  return out;
}
