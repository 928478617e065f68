import { createHash } from 'node:crypto';
import { serializeBundle } from './bundle.ts';
import { IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.ts';
import type { Signer } from './signer.ts';
import { simpleSigningPayload } from './simple-signing.ts';
import { type Statement, statementBytes } from './statement.ts';

/**
 * Signs an in-toto statement: canonical JSON → DSSE envelope (payloadType `application/vnd.in-toto+json`)
 * → sigstore bundle v0.3 bytes. Deterministic apart from the signature itself (ECDSA signatures are randomised).
 */
export async function signStatement(statement: Statement, signer: Signer): Promise<Uint8Array> {
  const envelope = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementBytes(statement), signer);
  return serializeBundle({ kind: 'dsse', keyHint: signer.keyHint, envelope });
}

/** A plain image signature: the bundle and the simple-signing payload it signs (the bundle holds only its digest). */
export interface ImageSignature {
  /** Sigstore bundle v0.3 with a `messageSignature` over {@link payload}. */
  readonly bundle: Uint8Array;
  /** cosign simple-signing JSON naming the manifest digest; needed again for verification. */
  readonly payload: Uint8Array;
}

/**
 * Signs image manifest `manifestDigest` (`sha256:<hex>`) as cosign does: a signature over the simple-signing
 * payload, packaged as a message-signature bundle.
 */
export async function signImage(
  image: { readonly dockerReference: string; readonly manifestDigest: string },
  signer: Signer,
): Promise<ImageSignature> {
  const payload = simpleSigningPayload(image.dockerReference, image.manifestDigest);
  const signature = await signer.sign(payload);
  const messageDigest = new Uint8Array(createHash('sha256').update(payload).digest());
  return {
    bundle: serializeBundle({ kind: 'message-signature', keyHint: signer.keyHint, messageDigest, signature }),
    payload,
  };
}
