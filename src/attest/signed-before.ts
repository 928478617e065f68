import { createHash } from 'node:crypto';
import { canonicalJsonBytes, IroncladError } from '../core/index.ts';
import type { Descriptor, Referrers } from '../oci/index.ts';
import { serializeBundle } from './bundle.ts';
import { collectEvidence } from './evidence.ts';
import { bundlesOf, verifySignatureEvidence } from './evidence-verify.ts';
import { runIndependent } from './run-independent.ts';
import type { ImageSignature } from './sign.ts';
import type { Signer } from './signer.ts';
import type { Statement } from './statement.ts';
import { verifyAttestation } from './verify.ts';

/*
 * What `subject` already carries, signed with this signer's key, that says what a new signature or attestation
 * would say. ECDSA signatures are randomised, so signing the same thing again gives other bytes and another
 * referrer: reusing the existing signed bytes keeps one referrer per statement, and attaching them again stores
 * them in a form (OCI referrer, cosign tag) that may lack them. Only evidence that verifies with the key and names
 * the subject counts; anything else (another key, tampered, unreadable) is left alone and a new one is signed.
 */

/** Compared as canonical JSON: key order and spacing do not make two statements differ. */
function sameStatement(a: Statement<unknown>, b: Statement<unknown>): boolean {
  const key = (s: Statement<unknown>) =>
    Buffer.from(canonicalJsonBytes({ ...s, predicate: runIndependent(s.predicateType, s.predicate) })).toString(
      'latin1',
    );
  return key(a) === key(b);
}

/**
 * The bundle of the newest attestation about `subject` of `statement`'s predicate type that verifies with
 * `signer`'s key, when it states what `statement` states (equal apart from the run-specific fields runIndependent
 * leaves out); undefined otherwise. Only the newest counts (the last listed: each form lists in the order it was
 * attached), so attesting again what an older one said, after a different one, makes it the newest again.
 */
export async function attestationSignedBefore(
  sink: Referrers,
  subject: Descriptor,
  statement: Statement<unknown>,
  signer: Signer,
): Promise<Uint8Array | undefined> {
  const expected = { subjectDigest: subject.digest, predicateType: statement.predicateType };
  let newest: { readonly bundle: Uint8Array; readonly statement: Statement<unknown> } | undefined;
  for (const e of await collectEvidence(sink, subject.digest)) {
    if (e.kind !== 'attestation' && e.kind !== 'cosign-attestation') continue;
    if (e.predicateType !== undefined && e.predicateType !== statement.predicateType) continue;
    for (const bundle of unlessInvalid(() => bundlesOf(e)) ?? []) {
      const verified = unlessInvalid(() => verifyAttestation(bundle, signer.publicKey, expected));
      if (verified !== undefined) newest = { bundle, statement: verified.statement };
    }
  }
  return newest !== undefined && sameStatement(newest.statement, statement) ? newest.bundle : undefined;
}

/**
 * A signature of `subject` over exactly `payload` (the simple-signing payload: digest and docker-reference) that
 * verifies with `signer`'s key, as the bundle and payload attachSignature stores, or undefined when there is none.
 */
export async function signatureSignedBefore(
  sink: Referrers,
  subject: Descriptor,
  payload: Uint8Array,
  signer: Signer,
): Promise<ImageSignature | undefined> {
  for (const e of await collectEvidence(sink, subject.digest)) {
    if (e.kind !== 'signature' && e.kind !== 'cosign-signature') continue;
    if (!Buffer.from(e.payload).equals(payload)) continue;
    const valid = unlessInvalid(() => {
      verifySignatureEvidence(e, signer.publicKey, subject.digest);
      return true;
    });
    if (valid === undefined) continue;
    if (e.kind === 'signature') return { bundle: e.bundle, payload: e.payload };
    // The bundle attachSignature made for this cosign layer: the same signature over the same payload.
    const messageDigest = new Uint8Array(createHash('sha256').update(payload).digest());
    const bundle = serializeBundle({
      kind: 'message-signature',
      keyHint: signer.keyHint,
      messageDigest,
      signature: e.signature,
    });
    return { bundle, payload };
  }
  return undefined;
}

/** `check()`'s value, or undefined when it fails verification (an IroncladError); other errors propagate. */
function unlessInvalid<T>(check: () => T): T | undefined {
  try {
    return check();
  } catch (err) {
    if (err instanceof IroncladError) return undefined;
    throw err;
  }
}
