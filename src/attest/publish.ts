import type { Descriptor, Referrers } from '../oci/index.ts';
import { attestationReferrer, imageSignatureReferrer } from './referrer.ts';
import { signImage, signStatement } from './sign.ts';
import { attestationSignedBefore, signatureSignedBefore } from './signed-before.ts';
import type { Signer } from './signer.ts';
import { simpleSigningPayload } from './simple-signing.ts';
import { buildStatement, imageSubject } from './statement.ts';

/*
 * Signing and attesting an image that is already stored: sign, wrap as a referrer artifact, store beside the
 * subject. Bundles and referrer manifests carry no time, but ECDSA signatures are randomised, so signing the same
 * thing again would add a referrer each time: what the subject already carries, signed with the same key and
 * saying the same thing, is attached again as it is instead (signed-before.ts), which adds nothing where it is
 * stored already. The image itself is never touched.
 */

/** What attaching gave: the referrer that holds it, and whether it was signed before (nothing new was signed). */
export interface Attachment {
  readonly referrer: Descriptor;
  readonly reused: boolean;
}

/** One predicate to attest: its in-toto `predicateType` URI and the JSON document. */
export interface PredicateInput {
  readonly type: string;
  readonly predicate: unknown;
}

/**
 * Signs manifest or index `subject` (a cosign simple-signing payload naming its digest) and stores the
 * signature bundle as a referrer of it. `repository` is the image name without tag or digest; it is recorded
 * in the payload (verification matches the digest). A valid signature by the same key over the same payload
 * is reused rather than signed again (`reused: true`).
 */
export async function attachSignature(
  sink: Referrers,
  subject: Descriptor,
  repository: string,
  signer: Signer,
): Promise<Attachment> {
  const payload = simpleSigningPayload(repository, subject.digest);
  const before = await signatureSignedBefore(sink, subject, payload, signer);
  const signature =
    before ?? (await signImage({ dockerReference: repository, manifestDigest: subject.digest }, signer));
  return { referrer: await sink.attach(imageSignatureReferrer(signature, subject)), reused: before !== undefined };
}

/**
 * Wraps `predicate` in an in-toto Statement v1 whose only subject is `subject`, signs it (DSSE in a sigstore
 * bundle v0.3) and stores the bundle as a referrer annotated with the predicate type. A valid attestation by the
 * same key with the same statement (run-specific fields aside: run-independent.ts) is reused rather than signed
 * again (`reused: true`); a changed statement is a new attestation beside the old one, which stays.
 */
export async function attachAttestation(
  sink: Referrers,
  subject: Descriptor,
  repository: string,
  input: PredicateInput,
  signer: Signer,
): Promise<Attachment> {
  const statement = buildStatement([imageSubject(repository, subject.digest)], input.type, input.predicate);
  const before = await attestationSignedBefore(sink, subject, statement, signer);
  const bundle = before ?? (await signStatement(statement, signer));
  return {
    referrer: await sink.attach(attestationReferrer(bundle, subject, input.type)),
    reused: before !== undefined,
  };
}
