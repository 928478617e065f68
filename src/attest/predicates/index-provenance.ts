import { checkDigest, provenanceFrame, type SharedProvenanceInput, type SlsaProvenance } from './provenance.ts';

/*
 * SLSA Provenance v1 for a multi-platform image index (docs/build-type.md, "Index build type"). The index is made by
 * the same build as its platform images: it only lists them. So its provenance records the build's parameters and,
 * as resolved dependencies, the platform manifests it lists (by digest); how each platform image was built (suites,
 * packages) is in that manifest's own provenance, under https://ironclad.dev/build/v1. Admission controllers that
 * require provenance on the digest a pod names find this one when the pod names the multi-platform tag.
 */

/** The buildType of an index's provenance; the parameter schema differs from a platform build's, so its URI does. */
export const IRONCLAD_INDEX_BUILD_TYPE = 'https://ironclad.dev/build/index/v1';

/** One platform manifest the index lists. */
export interface IndexProvenancePlatform {
  readonly platform: string;
  readonly digest: string;
  readonly mediaType: string;
}

/** The build parameters shared with the platform provenance, and the platform manifests. */
export type IndexProvenanceInput = SharedProvenanceInput & { readonly platforms: readonly IndexProvenancePlatform[] };

/**
 * The predicate: externalParameters as a platform build's with `platforms` (in index order) instead of `platform`;
 * resolvedDependencies = the source (when known), then each platform manifest in index order.
 * @throws IroncladError `INVALID_INPUT` for a malformed digest.
 */
export function buildIndexProvenance(input: IndexProvenanceInput): SlsaProvenance {
  const manifests = input.platforms.map((p) => {
    const hex = p.digest.replace(/^sha256:/, '');
    checkDigest(hex, `platform manifest ${p.platform}`);
    return {
      name: p.platform,
      digest: { sha256: hex },
      mediaType: p.mediaType,
      annotations: { kind: 'platform-manifest' },
    };
  });
  const { platforms: _platforms, ...shared } = input;
  return provenanceFrame(
    shared,
    IRONCLAD_INDEX_BUILD_TYPE,
    { platforms: input.platforms.map((p) => p.platform) },
    manifests,
  );
}
