/*
 * attest: keys, DSSE, in-toto statements, predicates, sigstore bundles, signing and verification, and the
 * description of bundles as OCI referrers. No registry access: referrers are read and written through the
 * endpoint a caller opened. `rebuild` builds images, so it downloads the packages its provenance names.
 */

export type { AttachedImage } from './build-attestations.ts';
export { attachBuildAttestations } from './build-attestations.ts';
export type { Evidence } from './evidence.ts';
export { collectEvidence } from './evidence.ts';
export type { EvidenceEntry } from './evidence-entry.ts';
export { evidenceKeyHint, unverifiedStatement, verifyAttestationEvidence } from './evidence-verify.ts';
export type { PinnedImage } from './image-base.ts';
export { verifyImageBase } from './image-base.ts';
export { assertKeyFilesAbsent, writeKeyPairFiles } from './key-files.ts';
export { generateKeyPair, loadPrivateKey, loadPublicKey, publicKeyToPem } from './keys.ts';
export { CTRF_REPORT, parseProvenance, SLSA_PROVENANCE_V1 } from './predicates/index.ts';
export { attachAttestation, attachSignature } from './publish.ts';
export type { RebuildReport } from './rebuild.ts';
export { rebuildImage } from './rebuild.ts';
export { addSignatureForms, referrerFormsOfTags, tagOnlyEvidence } from './signature-forms.ts';
export type { Signer } from './signer.ts';
export { keySigner } from './signer.ts';
export type { Statement } from './statement.ts';
export type { OpenedTarget } from './target.ts';
export { resolveTarget, selectPlatforms } from './target.ts';
export type { ImageTarget, ImageVerification } from './verify-image.ts';
export { REQUIREMENTS, requirementTypes, verifyImage } from './verify-image.ts';
