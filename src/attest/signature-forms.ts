import { createHash, type KeyObject } from 'node:crypto';
import { fail, IroncladError } from '../core/index.ts';
import {
  COSIGN_PREDICATE_ANNOTATION,
  COSIGN_SIGNATURE_ANNOTATION,
  type Descriptor,
  digestOf,
  type Referrers,
} from '../oci/index.ts';
import { MAX_BUNDLE_BYTES, serializeBundle } from './bundle.ts';
import { envelopeFromJson } from './dsse.ts';
import { encodeBase64, parseJsonBytes } from './encoding.ts';
import { collectEvidence, type Evidence } from './evidence.ts';
import { type EvidenceEntry, judgeEvidence } from './evidence-entry.ts';
import { unverifiedStatement } from './evidence-verify.ts';
import { keyFingerprint } from './keys.ts';
import { attestationReferrer, imageSignatureReferrer, type ReferrerArtifact } from './referrer.ts';
import { verifyAttestation } from './verify.ts';

/*
 * One signature, two packagings: a signature or attestation stored as an OCI referrer (sigstore bundle) holds
 * everything its cosign tag form needs (the simple-signing payload and signature, or the DSSE envelope), so the
 * tag form can be written from it without the key. Nothing is verified that way: a copy carries signatures as
 * they are, and `verify` judges them wherever they end up. The other way, a cosign tag lacks the key hint a bundle
 * names, so a tag-form signature becomes a referrer only after it verifies with the key given for it.
 */

/**
 * For every signature and attestation kept as an OCI referrer of `subjects` in `from`, stores the same signature
 * in `to` in the forms `to` writes (open it with the `tags` signature format to add just the cosign tags; `from`
 * and `to` may be the same place). Equal layers are kept once, so running it again adds nothing. Referrers that
 * cannot be read are left to `verify` to report. Returns how many signatures and attestations were written.
 */
export async function addSignatureForms(
  from: Referrers,
  to: Referrers,
  subjects: readonly Descriptor[],
): Promise<number> {
  let written = 0;
  const seen = new Set<string>();
  for (const subject of subjects) {
    if (seen.has(subject.digest)) continue;
    seen.add(subject.digest);
    for (const e of await collectEvidence(from, subject.digest)) {
      const artifact = artifactOf(e, subject);
      if (artifact === undefined) continue;
      await to.attach(artifact);
      written++;
    }
  }
  return written;
}

function artifactOf(
  e: Awaited<ReturnType<typeof collectEvidence>>[number],
  subject: Descriptor,
): ReferrerArtifact | undefined {
  try {
    if (e.kind === 'signature') return imageSignatureReferrer({ bundle: e.bundle, payload: e.payload }, subject);
    if (e.kind === 'attestation') {
      return attestationReferrer(e.bundle, subject, e.predicateType ?? unverifiedStatement(e).predicateType);
    }
  } catch (err) {
    // A malformed bundle has no other form to give; verify lists it as FAILED where it is.
    if (err instanceof IroncladError) return undefined;
    throw err;
  }
  return undefined;
}

/**
 * The signatures and attestations of `subjects` kept in cosign's tags in `from`, each verified with `publicKey`
 * against its subject and rewrapped as the OCI referrer artifact holding the same signature (a sigstore bundle
 * whose key hint is the key's fingerprint). A tag Ironclad wrote from a referrer gives back that referrer byte for
 * byte, so storing it again adds nothing. Verification comes first and is all or nothing: nothing is returned
 * unless every tag-form entry verifies.
 * @throws IroncladError with the first failure's code (SIGNATURE_INVALID, SUBJECT_MISMATCH, ...) naming every
 *   entry that does not verify.
 */
export async function referrerFormsOfTags(
  from: Referrers,
  subjects: readonly Descriptor[],
  publicKey: KeyObject,
): Promise<ReferrerArtifact[]> {
  const keyId = keyFingerprint(publicKey);
  const failed: EvidenceEntry[] = [];
  const out: ReferrerArtifact[] = [];
  const seen = new Set<string>();
  for (const subject of subjects) {
    if (seen.has(subject.digest)) continue;
    seen.add(subject.digest);
    for (const e of await collectEvidence(from, subject.digest)) {
      if (e.kind !== 'cosign-signature' && e.kind !== 'cosign-attestation') continue;
      const entry = judgeEvidence(e, subject.digest, publicKey, keyId);
      if (entry === undefined) continue;
      if (!entry.ok) failed.push(entry);
      else out.push(referrerOfTag(e, subject, publicKey, keyId));
    }
  }
  const first = failed[0];
  if (first !== undefined) {
    const what = (f: EvidenceEntry) => (f.predicateType === undefined ? f.kind : `${f.kind} ${f.predicateType}`);
    const list = failed.map((f) => `${what(f)} on ${f.subject} in ${f.tag} (${f.reason})`);
    fail(first.code ?? 'VERIFICATION_FAILED', `not converted to referrers: ${list.join('; ')}`, {
      hint: 'give the key they were signed with, or keep them as cosign tags (--signature-format both or tags)',
    });
  }
  return out;
}

/** The referrer artifact of a verified cosign-tag entry: the same payload and signature, or envelope signature. */
function referrerOfTag(
  e: Extract<Evidence, { kind: 'cosign-signature' | 'cosign-attestation' }>,
  subject: Descriptor,
  publicKey: KeyObject,
  keyHint: string,
): ReferrerArtifact {
  if (e.kind === 'cosign-signature') {
    const messageDigest = new Uint8Array(createHash('sha256').update(e.payload).digest());
    const bundle = serializeBundle({ kind: 'message-signature', keyHint, messageDigest, signature: e.signature });
    return imageSignatureReferrer({ bundle, payload: e.payload }, subject);
  }
  const envelope = envelopeFromJson(parseJsonBytes(e.envelope, 'cosign attestation', MAX_BUNDLE_BYTES));
  // A bundle holds one signature (protobuf-specs): the one that verifies with the key (judgeEvidence found one).
  for (const signature of envelope.signatures) {
    const bundle = serializeBundle({ kind: 'dsse', keyHint, envelope: { ...envelope, signatures: [signature] } });
    try {
      const { statement } = verifyAttestation(bundle, publicKey, { subjectDigest: subject.digest });
      return attestationReferrer(bundle, subject, statement.predicateType);
    } catch (err) {
      if (!(err instanceof IroncladError)) throw err;
    }
  }
  return fail('INTERNAL', `cosign attestation in ${e.manifest.digest} verified, but none of its signatures does`);
}

/**
 * How many signatures and attestations of `subjects` in `from` exist only in cosign's tags (no OCI referrer holds
 * the same signature): what a copy that writes only referrers leaves behind unless they are converted.
 */
export async function tagOnlyEvidence(from: Referrers, subjects: readonly Descriptor[]): Promise<number> {
  let n = 0;
  for (const subject of subjects) {
    const evidence = await collectEvidence(from, subject.digest);
    const twins = new Set<string>();
    for (const e of evidence) {
      const layer = artifactOf(e, subject)?.cosign.layer;
      if (layer !== undefined) twins.add(`${layer.digest} ${JSON.stringify(layer.annotations ?? {})}`);
    }
    for (const e of evidence) {
      if (e.kind === 'cosign-attestation') {
        const annotations = e.predicateType === undefined ? {} : { [COSIGN_PREDICATE_ANNOTATION]: e.predicateType };
        if (!twins.has(`${digestOf(e.envelope)} ${JSON.stringify(annotations)}`)) n++;
      } else if (e.kind === 'cosign-signature') {
        const annotations = { [COSIGN_SIGNATURE_ANNOTATION]: encodeBase64(e.signature) };
        if (!twins.has(`${digestOf(e.payload)} ${JSON.stringify(annotations)}`)) n++;
      }
    }
  }
  return n;
}
