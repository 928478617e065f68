import { createHash, type KeyObject, timingSafeEqual } from 'node:crypto';
import { fail, IroncladError } from '../core/index.ts';
import { parseBundle, type SigstoreBundle } from './bundle.ts';
import { IN_TOTO_PAYLOAD_TYPE, safeVerify, verifyEnvelope } from './dsse.ts';
import { parseSimpleSigningPayload, SIMPLE_SIGNING_TYPE, type SimpleSigningPayload } from './simple-signing.ts';
import { parseStatement, type Statement, sha256HexOf } from './statement.ts';

/** What an attestation must say to be accepted for an image. */
export interface ExpectedAttestation {
  /** The image manifest (or index) digest `sha256:<hex>` the statement must name as a subject. */
  readonly subjectDigest: string;
  /** The predicate type the statement must have; any when absent (listing every attestation). */
  readonly predicateType?: string | undefined;
}

export interface VerifiedAttestation {
  /** The statement, parsed only after its signature was checked. */
  readonly statement: Statement<unknown>;
  /** The bundle's key hint (informational: trust comes from the key passed in). */
  readonly keyHint: string;
}

/**
 * Verifies an attestation bundle against a public key, in this order: bundle well-formed and DSSE → signature over
 * the PAE → payloadType in-toto → statement well-formed → expected subject digest → expected predicate type.
 * The payload is parsed only once the signature is known to be good.
 * @throws IroncladError `SIGNATURE_INVALID` when the signature does not verify with `publicKey`; `SUBJECT_MISMATCH`
 *   when the statement is about another image; `VERIFICATION_FAILED` for everything else, naming the failed check.
 */
export function verifyAttestation(
  bundleBytes: Uint8Array,
  publicKey: KeyObject,
  expected: ExpectedAttestation,
): VerifiedAttestation {
  const wanted = expectedHex(expected.subjectDigest);
  const bundle = readBundle(bundleBytes, 'attestation');
  if (bundle.kind !== 'dsse')
    fail('VERIFICATION_FAILED', 'attestation: bundle holds a plain signature, not a DSSE envelope');
  verifyEnvelope(bundle.envelope, publicKey);
  if (bundle.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    fail(
      'VERIFICATION_FAILED',
      `attestation: payloadType is ${bundle.envelope.payloadType}, not ${IN_TOTO_PAYLOAD_TYPE}`,
    );
  }
  const statement = asVerificationFailure(() => parseStatement(bundle.envelope.payload), 'attestation statement');
  if (!statement.subject.some((s) => s.digest.sha256 === wanted)) {
    const got = statement.subject.map((s) => `sha256:${s.digest.sha256 ?? '?'}`).join(', ');
    fail('SUBJECT_MISMATCH', `attestation: subject digest ${got} does not match image ${expected.subjectDigest}`);
  }
  if (expected.predicateType !== undefined && statement.predicateType !== expected.predicateType) {
    fail(
      'VERIFICATION_FAILED',
      `attestation: predicate type is ${statement.predicateType}, expected ${expected.predicateType}`,
    );
  }
  return { statement, keyHint: bundle.keyHint };
}

/**
 * Verifies a plain image signature: the bundle's message digest is the SHA-256 of `payload`, the signature over
 * `payload` verifies with `publicKey`, and the payload is a cosign simple-signing document for `manifestDigest`.
 * @throws IroncladError `SIGNATURE_INVALID` for a bad signature or digest; `SUBJECT_MISMATCH` when it signs another
 *   manifest; `VERIFICATION_FAILED` otherwise.
 */
export function verifyImageSignature(
  bundleBytes: Uint8Array,
  payload: Uint8Array,
  publicKey: KeyObject,
  manifestDigest: string,
): SimpleSigningPayload {
  expectedHex(manifestDigest);
  const bundle = readBundle(bundleBytes, 'image signature');
  if (bundle.kind !== 'message-signature') {
    fail('VERIFICATION_FAILED', 'image signature: bundle holds a DSSE envelope, not a message signature');
  }
  const digest = createHash('sha256').update(payload).digest();
  if (digest.length !== bundle.messageDigest.length || !timingSafeEqual(digest, bundle.messageDigest)) {
    fail('SIGNATURE_INVALID', 'image signature: the payload does not match the digest in the bundle');
  }
  if (!safeVerify(payload, publicKey, bundle.signature)) {
    fail('SIGNATURE_INVALID', 'image signature: the signature does not verify with the given key', {
      hint: 'the image was signed by another key, or the signature was altered',
    });
  }
  const parsed = asVerificationFailure(() => parseSimpleSigningPayload(payload), 'image signature payload');
  if (parsed.critical.type !== SIMPLE_SIGNING_TYPE) {
    fail('VERIFICATION_FAILED', `image signature: payload type is ${JSON.stringify(parsed.critical.type)}`);
  }
  const signed = parsed.critical.image['docker-manifest-digest'];
  if (signed !== manifestDigest) {
    fail('SUBJECT_MISMATCH', `image signature: signs manifest ${signed}, not ${manifestDigest}`);
  }
  return parsed;
}

function expectedHex(digest: string): string {
  try {
    return sha256HexOf(digest);
  } catch (err) {
    return fail('USAGE', `expected digest must be sha256:<64 hex>, got ${digest.slice(0, 80)}`, { cause: err });
  }
}

function readBundle(bytes: Uint8Array, what: string): SigstoreBundle {
  return asVerificationFailure(() => parseBundle(bytes), `${what} bundle`);
}

/** Malformed signed material is an integrity failure (exit 3), not a usage error. */
function asVerificationFailure<T>(parse: () => T, what: string): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof IroncladError && err.code === 'VERIFICATION_FAILED') throw err;
    const detail = err instanceof Error ? err.message : String(err);
    return fail('VERIFICATION_FAILED', `${what} is malformed: ${detail}`, { cause: err });
  }
}
