/*
 * attest: keys, DSSE, in-toto statements, predicates, sigstore bundles, signing and verification, and the
 * description of bundles as OCI referrers. No registry access: referrers are read and written through the
 * endpoint a caller opened. `rebuild` builds images, so it downloads the packages its provenance names.
 */

export type { AttachedImage, AttachedPlatform, BuildAttestationOptions } from './build-attestations.ts';
export { attachBuildAttestations, LOCAL_BUILDER_ID } from './build-attestations.ts';
export type { SigstoreBundle } from './bundle.ts';
export { parseBundle, SIGSTORE_BUNDLE_V03_MEDIA_TYPE, serializeBundle } from './bundle.ts';
export type { DsseEnvelope, DsseEnvelopeJson, DsseSignature } from './dsse.ts';
export { envelopeFromJson, envelopeToJson, IN_TOTO_PAYLOAD_TYPE, pae, signEnvelope, verifyEnvelope } from './dsse.ts';
export type { Evidence } from './evidence.ts';
export { collectEvidence } from './evidence.ts';
export type { EvidenceEntry, FailureReason } from './evidence-entry.ts';
export {
  evidenceKeyHint,
  unverifiedStatement,
  verifyAttestationEvidence,
  verifySignatureEvidence,
} from './evidence-verify.ts';
export type { KeyFilePaths } from './key-files.ts';
export { assertKeyFilesAbsent, keyFilePaths, writeKeyPairFiles } from './key-files.ts';
export type { GeneratedKeyPair } from './keys.ts';
export {
  generateKeyPair,
  keyFingerprint,
  loadPrivateKey,
  loadPublicKey,
  PRIVATE_KEY_PEM_LABEL,
  publicKeyOf,
  publicKeyToPem,
} from './keys.ts';
export type {
  ProvenanceDependency,
  ProvenanceInput,
  ProvenancePackage,
  ProvenanceSuite,
  ReadProvenance,
  ResourceDescriptor,
  SlsaProvenance,
} from './predicates/index.ts';
export {
  buildProvenance,
  CTRF_REPORT,
  CYCLONEDX_BOM,
  IRONCLAD_BUILD_TYPE,
  OPENVEX_V020,
  parseProvenance,
  SLSA_PROVENANCE_V1,
  SPDX_DOCUMENT,
} from './predicates/index.ts';
export type { PredicateInput } from './publish.ts';
export { attachAttestation, attachSignature } from './publish.ts';
export type { PlatformRebuild, RebuildOptions, RebuildReport } from './rebuild.ts';
export { rebuildImage } from './rebuild.ts';
export { lockedPlatformFromProvenance } from './rebuild-lock.ts';
export type { ReferrerArtifact, ReferrerBlob, ReferrerOptions, ReferrerSubject } from './referrer.ts';
export {
  ANNOTATION_BUNDLE_CONTENT,
  ANNOTATION_BUNDLE_PREDICATE_TYPE,
  attestationReferrer,
  imageSignatureReferrer,
  OCI_EMPTY_MEDIA_TYPE,
} from './referrer.ts';
export type { ImageSignature } from './sign.ts';
export { signImage, signStatement } from './sign.ts';
export type { Signer } from './signer.ts';
export { keySigner } from './signer.ts';
export type { SimpleSigningPayload } from './simple-signing.ts';
export {
  parseSimpleSigningPayload,
  SIMPLE_SIGNING_MEDIA_TYPE,
  SIMPLE_SIGNING_TYPE,
  simpleSigningPayload,
} from './simple-signing.ts';
export type { Statement, StatementSubject } from './statement.ts';
export { buildStatement, imageSubject, parseStatement, STATEMENT_TYPE_V1, statementBytes } from './statement.ts';
export type { ExpectedAttestation, VerifiedAttestation } from './verify.ts';
export { verifyAttestation, verifyImageSignature } from './verify.ts';
export type { ImageTarget, ImageVerification, VerificationCheck, VerifyImageOptions } from './verify-image.ts';
export { REQUIREMENTS, requirementTypes, verifyImage } from './verify-image.ts';
