import type { Descriptor, Referrers } from '../oci/index.ts';
import { attestationReferrer, imageSignatureReferrer } from './referrer.ts';
import { signImage, signStatement } from './sign.ts';
import type { Signer } from './signer.ts';
import { buildStatement, imageSubject } from './statement.ts';

/*
 * Signing and attesting an image that is already stored: sign, wrap as a referrer artifact, store beside the
 * subject. Bundles and referrer manifests carry no time, so re-signing adds a new referrer only because ECDSA
 * signatures are randomised; the image itself is never touched.
 */

/** One predicate to attest: its in-toto `predicateType` URI and the JSON document. */
export interface PredicateInput {
  readonly type: string;
  readonly predicate: unknown;
}

/**
 * Signs manifest or index `subject` (a cosign simple-signing payload naming its digest) and stores the
 * signature bundle as a referrer of it. `repository` is the image name without tag or digest; it is recorded
 * in the payload for information only (verification matches the digest). Returns the referrer descriptor.
 */
export async function attachSignature(
  sink: Referrers,
  subject: Descriptor,
  repository: string,
  signer: Signer,
): Promise<Descriptor> {
  const signature = await signImage({ dockerReference: repository, manifestDigest: subject.digest }, signer);
  return sink.attach(imageSignatureReferrer(signature, subject));
}

/**
 * Wraps `predicate` in an in-toto Statement v1 whose only subject is `subject`, signs it (DSSE in a sigstore
 * bundle v0.3) and stores the bundle as a referrer annotated with the predicate type.
 */
export async function attachAttestation(
  sink: Referrers,
  subject: Descriptor,
  repository: string,
  input: PredicateInput,
  signer: Signer,
): Promise<Descriptor> {
  const statement = buildStatement([imageSubject(repository, subject.digest)], input.type, input.predicate);
  const bundle = await signStatement(statement, signer);
  return sink.attach(attestationReferrer(bundle, subject, input.type));
}
