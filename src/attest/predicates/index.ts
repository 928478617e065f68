/*
 * Predicate types of the attestations Ironclad attaches to an image (in-toto Statement `predicateType`).
 * Each names a document format; the statement's subject is always the image manifest digest.
 */

/** SLSA Provenance v1 (https://slsa.dev/spec/v1.0/provenance). */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** SPDX document (in-toto attestation spec, predicates/spdx2.md). */
export const SPDX_DOCUMENT = 'https://spdx.dev/Document';
/** CycloneDX BOM (in-toto attestation spec, predicates/cyclonedx.md). */
export const CYCLONEDX_BOM = 'https://cyclonedx.org/bom';
/** OpenVEX 0.2.0 document (the OpenVEX spec's context URI, which vexctl also uses as predicate type). */
export const OPENVEX_V020 = 'https://openvex.dev/ns/v0.2.0';
/**
 * CTRF test report. CTRF defines no in-toto predicate type, so this one is ours (documented in
 * docs/build-type.md); the predicate is the CTRF JSON report as is.
 */
export const CTRF_REPORT = 'https://ctrf.io/report/v1';
export type { IndexProvenanceInput, IndexProvenancePlatform } from './index-provenance.ts';
export { buildIndexProvenance, IRONCLAD_INDEX_BUILD_TYPE } from './index-provenance.ts';
export type {
  ProvenanceBase,
  ProvenanceDependency,
  ProvenanceInput,
  ProvenancePackage,
  ProvenanceSuite,
  ReadProvenance,
  ResourceDescriptor,
  SlsaProvenance,
} from './provenance.ts';
export { buildProvenance, IRONCLAD_BUILD_TYPE, parseProvenance } from './provenance.ts';
