import { createHash, type KeyObject } from 'node:crypto';
import { fail, IroncladError } from '../core/index.ts';
import { MAX_BUNDLE_BYTES, parseBundle, serializeBundle } from './bundle.ts';
import { envelopeFromJson } from './dsse.ts';
import { parseJsonBytes } from './encoding.ts';
import type { Evidence } from './evidence.ts';
import { parseStatement, type Statement } from './statement.ts';
import {
  type ExpectedAttestation,
  type VerifiedAttestation,
  verifyAttestation,
  verifyImageSignature,
} from './verify.ts';

/*
 * Verification of one piece of evidence, whatever its storage form. cosign's tag-scheme signatures and
 * envelopes are rewrapped as the equivalent public-key bundles, so there is one verification path
 * (verify.ts) for both.
 */

type SignatureEvidence = Extract<Evidence, { kind: 'signature' | 'cosign-signature' }>;
type AttestationEvidence = Extract<Evidence, { kind: 'attestation' | 'cosign-attestation' }>;

/** Checks an image signature against `publicKey` and `manifestDigest`. @throws as verifyImageSignature. */
export function verifySignatureEvidence(e: SignatureEvidence, publicKey: KeyObject, manifestDigest: string): void {
  if (e.kind === 'signature') {
    verifyImageSignature(e.bundle, e.payload, publicKey, manifestDigest);
    return;
  }
  const messageDigest = new Uint8Array(createHash('sha256').update(e.payload).digest());
  const bundle = serializeBundle({
    kind: 'message-signature',
    keyHint: 'cosign',
    messageDigest,
    signature: e.signature,
  });
  verifyImageSignature(bundle, e.payload, publicKey, manifestDigest);
}

/**
 * Checks an attestation against `publicKey` and what it must say. A cosign envelope may hold several
 * signatures; it is accepted when one of them verifies (DSSE protocol).
 * @throws as verifyAttestation; for a cosign envelope, the error of its last signature.
 */
export function verifyAttestationEvidence(
  e: AttestationEvidence,
  publicKey: KeyObject,
  expected: ExpectedAttestation,
): VerifiedAttestation {
  let lastError: unknown;
  for (const bundle of bundlesOf(e)) {
    try {
      return verifyAttestation(bundle, publicKey, expected);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError ?? new IroncladError('VERIFICATION_FAILED', `attestation ${e.manifest.digest} has no signature`);
}

/**
 * The statement of an attestation read WITHOUT checking its signature, for display (`attest get` without
 * `--verify`). @throws IroncladError `VERIFICATION_FAILED` when the bundle or statement is malformed.
 */
export function unverifiedStatement(e: AttestationEvidence): Statement<unknown> {
  try {
    const [bundle] = bundlesOf(e);
    if (bundle === undefined) fail('VERIFICATION_FAILED', `attestation ${e.manifest.digest} has no signature`);
    const parsed = parseBundle(bundle);
    if (parsed.kind !== 'dsse') fail('VERIFICATION_FAILED', `attestation ${e.manifest.digest} is not a DSSE bundle`);
    return parseStatement(parsed.envelope.payload);
  } catch (err) {
    if (err instanceof IroncladError && err.code === 'VERIFICATION_FAILED') throw err;
    const detail = err instanceof Error ? err.message : String(err);
    return fail('VERIFICATION_FAILED', `attestation ${e.manifest.digest} is malformed: ${detail}`, { cause: err });
  }
}

/** The key hint of an evidence's bundle (unauthenticated), or '' when it cannot be read. */
export function evidenceKeyHint(e: Evidence): string {
  try {
    if (e.kind === 'signature' || e.kind === 'attestation') return parseBundle(e.bundle).keyHint;
    if (e.kind === 'cosign-attestation') return envelopeOf(e).signatures[0]?.keyid ?? '';
  } catch {
    return '';
  }
  return '';
}

/**
 * The sigstore bundles an attestation stands for: its own bundle, or one per signature of a cosign envelope (each
 * rewrapped with its keyid as the key hint, which gives back the bundle its `.att` layer was derived from).
 * @throws IroncladError VERIFICATION_FAILED for a malformed cosign envelope.
 */
export function bundlesOf(e: AttestationEvidence): Uint8Array[] {
  if (e.kind === 'attestation') return [e.bundle];
  const envelope = asVerificationFailure(() => envelopeOf(e));
  return envelope.signatures.map((s) =>
    serializeBundle({ kind: 'dsse', keyHint: s.keyid || 'cosign', envelope: { ...envelope, signatures: [s] } }),
  );
}

function envelopeOf(e: Extract<Evidence, { kind: 'cosign-attestation' }>) {
  return envelopeFromJson(parseJsonBytes(e.envelope, 'cosign attestation', MAX_BUNDLE_BYTES), 'cosign attestation');
}

function asVerificationFailure<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return fail('VERIFICATION_FAILED', `malformed attestation: ${detail}`, { cause: err });
  }
}
