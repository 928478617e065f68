import type { KeyObject } from 'node:crypto';
import type { BuildResult } from '../image/index.ts';
import { layoutEndpoint } from '../oci/index.ts';
import { CTRF_REPORT, CYCLONEDX_BOM, OPENVEX_V020, SLSA_PROVENANCE_V1, SPDX_DOCUMENT } from './predicates/index.ts';
import { verifyImage } from './verify-image.ts';

type BuiltImage = BuildResult['images'][number];

/**
 * The predicate types attachBuildAttestations attaches to the index and each platform manifest of `image`
 * (without a caller's extra predicates): provenance, both SBOMs, the test report when the build ran the tests,
 * OpenVEX when the image has advisories.
 */
export function builtPredicateTypes(image: BuiltImage): string[] {
  return [
    SLSA_PROVENANCE_V1,
    SPDX_DOCUMENT,
    CYCLONEDX_BOM,
    ...(image.testReport === undefined ? [] : [CTRF_REPORT]),
    ...(image.vex.size === 0 ? [] : [OPENVEX_V020]),
  ];
}

/**
 * Whether every image of `result` is signed and attested with `publicKey`'s key already: its index and each
 * platform manifest signed, and each carrying a valid attestation of every type attachBuildAttestations attaches
 * (`verify --require` of them all, no invalid entry). A rebuild gives the same digests, so this is what an
 * interrupted run with the same key left: signing again would only add referrers that differ from those in their
 * invocation id and time. Anything missing or invalid answers false, and the caller signs as usual.
 */
export async function buildAttested(result: BuildResult, publicKey: KeyObject): Promise<boolean> {
  const sink = layoutEndpoint(result.layout).referrers;
  for (const image of result.images) {
    const target = { top: image.index, platforms: image.platforms.map((p) => p.manifest) };
    const verdict = await verifyImage(sink, target, publicKey, { require: builtPredicateTypes(image) });
    if (!verdict.ok) return false;
  }
  return true;
}
