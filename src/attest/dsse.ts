import { type KeyObject, verify } from 'node:crypto';
import { fail } from '../core/index.ts';
import { decodeBase64, encodeBase64, isRecord } from './encoding.ts';
import type { Signer } from './signer.ts';

/*
 * Dead Simple Signing Envelope (DSSE) v1, https://github.com/secure-systems-lab/dsse (protocol.md, envelope.md).
 * The signature covers the pre-authentication encoding of payload type and payload, never the JSON envelope, so
 * re-serialising an envelope cannot change what was signed.
 */

/** payloadType of an in-toto Statement (in-toto attestation spec, envelope.md). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface DsseSignature {
  /** Unauthenticated hint; '' when unknown. */
  readonly keyid: string;
  /** DER-encoded ECDSA signature over {@link pae}. */
  readonly sig: Uint8Array;
}

export interface DsseEnvelope {
  readonly payloadType: string;
  /** The exact signed bytes; parse them only after verification. */
  readonly payload: Uint8Array;
  readonly signatures: readonly DsseSignature[];
}

/** The envelope's JSON form (DSSE envelope.md): byte fields are standard base64. */
export interface DsseEnvelopeJson {
  readonly payload: string;
  readonly payloadType: string;
  readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
}

/**
 * DSSE protocol.md: `PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, where LEN is the
 * ASCII decimal byte length and type is UTF-8.
 */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = Buffer.from(payloadType, 'utf8');
  const head = Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.byteLength} `, 'utf8');
  const out = new Uint8Array(head.length + payload.byteLength);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** Signs `payload` with one signer; the result has exactly one signature, as a sigstore bundle requires. */
export async function signEnvelope(payloadType: string, payload: Uint8Array, signer: Signer): Promise<DsseEnvelope> {
  const sig = await signer.sign(pae(payloadType, payload));
  return { payloadType, payload, signatures: [{ keyid: signer.keyHint, sig }] };
}

/**
 * Checks that at least one signature verifies over the PAE with `publicKey` (DSSE protocol.md: a verifier accepts
 * the envelope if any signature is valid for a trusted key; keyid is not trusted, so every signature is tried).
 * @throws IroncladError `SIGNATURE_INVALID` if none does.
 */
export function verifyEnvelope(envelope: DsseEnvelope, publicKey: KeyObject): void {
  const message = pae(envelope.payloadType, envelope.payload);
  const ok = envelope.signatures.some((s) => safeVerify(message, publicKey, s.sig));
  if (!ok) {
    fail('SIGNATURE_INVALID', `DSSE envelope (${envelope.payloadType}): no signature verifies with the given key`, {
      hint: 'the attestation was signed by another key, or its payload or signature was altered',
    });
  }
}

/** Verifies a DER ECDSA/SHA-256 signature; malformed DER counts as invalid rather than throwing. */
export function safeVerify(message: Uint8Array, publicKey: KeyObject, signature: Uint8Array): boolean {
  try {
    return verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

export function envelopeToJson(envelope: DsseEnvelope): DsseEnvelopeJson {
  return {
    payload: encodeBase64(envelope.payload),
    payloadType: envelope.payloadType,
    signatures: envelope.signatures.map((s) => ({ keyid: s.keyid, sig: encodeBase64(s.sig) })),
  };
}

/**
 * Validates the JSON form of an envelope (already parsed, size-limited by the caller).
 * @throws IroncladError `INVALID_INPUT` naming every bad field.
 */
export function envelopeFromJson(doc: unknown, what = 'DSSE envelope'): DsseEnvelope {
  if (!isRecord(doc)) fail('INVALID_INPUT', `${what}: not a JSON object`);
  const problems: string[] = [];
  if (typeof doc.payload !== 'string') problems.push('payload');
  if (typeof doc.payloadType !== 'string' || doc.payloadType === '') problems.push('payloadType');
  const sigs = Array.isArray(doc.signatures) ? doc.signatures : undefined;
  if (!sigs || sigs.length === 0) problems.push('signatures');
  sigs?.forEach((s: unknown, i) => {
    if (!isRecord(s) || typeof s.sig !== 'string' || s.sig === '') problems.push(`signatures[${i}].sig`);
    else if (s.keyid !== undefined && typeof s.keyid !== 'string') problems.push(`signatures[${i}].keyid`);
  });
  if (problems.length > 0) fail('INVALID_INPUT', `${what}: missing or invalid ${problems.join(', ')}`);
  return {
    payloadType: doc.payloadType as string,
    payload: decodeBase64(doc.payload as string, `${what} payload`),
    signatures: (sigs as Record<string, unknown>[]).map((s, i) => ({
      keyid: typeof s.keyid === 'string' ? s.keyid : '',
      sig: decodeBase64(s.sig as string, `${what} signatures[${i}].sig`),
    })),
  };
}
