import type { Descriptor, Referrers } from '../oci/index.ts';
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
 * Attaches the SPDX and CycloneDX SBOMs of a platform image beside it as OCI 1.1 referrers (artifact manifests
 * whose `subject` is the platform manifest), unsigned. `ironclad build --key` adds signed attestations of the
 * same documents. Returns the referrer descriptors.
 */
export async function storeSbomReferrers(
  referrers: Referrers,
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
  for (const [mediaType, bytes] of [
    [SPDX_MEDIA_TYPE, writeSpdxJson(doc)],
    [CYCLONEDX_MEDIA_TYPE, writeCycloneDxJson(doc)],
  ] as const) {
    out.push(await referrers.attach({ artifactType: mediaType, subject, layers: [{ mediaType, bytes }] }));
  }
  return out;
}
