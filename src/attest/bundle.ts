import { canonicalJsonBytes, fail } from '../core/index.ts';
import { type DsseEnvelope, envelopeFromJson, envelopeToJson } from './dsse.ts';
import { decodeBase64, encodeBase64, isRecord, parseJsonBytes } from './encoding.ts';
import { MAX_STATEMENT_BYTES } from './statement.ts';

/*
 * Sigstore bundle v0.3 (sigstore protobuf-specs, protos/sigstore_bundle.proto, in its canonical proto3 JSON
 * mapping: camelCase fields, bytes as standard base64, enums by name). We write public-key bundles only:
 * `verificationMaterial.publicKey.hint` names the key and `tlogEntries` is empty, because Ironclad signs with a
 * key held by the builder and publishes no transparency-log entry. Verifiers must therefore be configured with
 * tlog/timestamp thresholds of 0 and the public key as trust material.
 */

export const SIGSTORE_BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** Media types we read: v0.3 and its legacy spelling. Earlier versions require tlog entries we do not check. */
const READABLE_MEDIA_TYPES = new Set([
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
]);
/** Base64 grows the payload by 4/3; leave room for the rest of the document. */
export const MAX_BUNDLE_BYTES = Math.ceil((MAX_STATEMENT_BYTES * 4) / 3) + 1024 * 1024;

/** A parsed bundle: what we sign and verify, independent of the JSON shape. */
export type SigstoreBundle =
  | { readonly kind: 'dsse'; readonly keyHint: string; readonly envelope: DsseEnvelope }
  | {
      readonly kind: 'message-signature';
      readonly keyHint: string;
      /** SHA-256 of the signed artifact (the only digest algorithm we write or accept). */
      readonly messageDigest: Uint8Array;
      /** DER ECDSA signature over the artifact itself (not over the digest). */
      readonly signature: Uint8Array;
    };

/** Serialises a bundle as canonical JSON (deterministic bytes, so equal bundles get equal OCI digests). */
export function serializeBundle(bundle: SigstoreBundle): Uint8Array {
  const verificationMaterial = { publicKey: { hint: bundle.keyHint }, tlogEntries: [] };
  const content =
    bundle.kind === 'dsse'
      ? { dsseEnvelope: envelopeToJson(bundle.envelope) }
      : {
          messageSignature: {
            messageDigest: { algorithm: 'SHA2_256', digest: encodeBase64(bundle.messageDigest) },
            signature: encodeBase64(bundle.signature),
          },
        };
  return canonicalJsonBytes({ mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE, verificationMaterial, ...content });
}

/**
 * Parses bundle bytes (size-limited) into a {@link SigstoreBundle}. Only public-key verification material is
 * supported: certificate (keyless) bundles are rejected with a clear message rather than half-verified.
 * @throws IroncladError `INVALID_INPUT` for malformed bundles, `VERIFICATION_FAILED` for unsupported ones.
 */
export function parseBundle(bytes: Uint8Array): SigstoreBundle {
  const doc = parseJsonBytes(bytes, 'sigstore bundle', MAX_BUNDLE_BYTES);
  if (!isRecord(doc)) fail('INVALID_INPUT', 'sigstore bundle: not a JSON object');
  if (typeof doc.mediaType !== 'string' || !READABLE_MEDIA_TYPES.has(doc.mediaType)) {
    fail('INVALID_INPUT', `sigstore bundle: unsupported mediaType ${JSON.stringify(doc.mediaType)?.slice(0, 100)}`);
  }
  const keyHint = publicKeyHint(doc.verificationMaterial);
  if (doc.dsseEnvelope !== undefined && doc.messageSignature !== undefined) {
    fail('INVALID_INPUT', 'sigstore bundle: has both dsseEnvelope and messageSignature');
  }
  if (doc.dsseEnvelope !== undefined) {
    const envelope = envelopeFromJson(doc.dsseEnvelope, 'sigstore bundle dsseEnvelope');
    // protobuf-specs: a bundle's envelope carries exactly one signature.
    if (envelope.signatures.length !== 1) fail('INVALID_INPUT', 'sigstore bundle: dsseEnvelope needs one signature');
    return { kind: 'dsse', keyHint, envelope };
  }
  if (doc.messageSignature !== undefined) return { kind: 'message-signature', keyHint, ...messageSignature(doc) };
  return fail('INVALID_INPUT', 'sigstore bundle: no dsseEnvelope or messageSignature content');
}

function publicKeyHint(material: unknown): string {
  if (!isRecord(material)) fail('INVALID_INPUT', 'sigstore bundle: missing verificationMaterial');
  if (material.x509CertificateChain !== undefined || material.certificate !== undefined) {
    fail('VERIFICATION_FAILED', 'sigstore bundle: certificate-based (keyless) bundles are not supported', {
      hint: 'Ironclad verifies bundles signed with a public key (cosign key pairs); use cosign for keyless ones',
    });
  }
  const pk = material.publicKey;
  if (!isRecord(pk) || (pk.hint !== undefined && typeof pk.hint !== 'string')) {
    fail('INVALID_INPUT', 'sigstore bundle: verificationMaterial.publicKey is missing or invalid');
  }
  return typeof pk.hint === 'string' ? pk.hint : '';
}

function messageSignature(doc: Record<string, unknown>): { messageDigest: Uint8Array; signature: Uint8Array } {
  const ms = doc.messageSignature;
  const md = isRecord(ms) ? ms.messageDigest : undefined;
  if (!isRecord(ms) || !isRecord(md) || typeof md.digest !== 'string' || typeof ms.signature !== 'string') {
    fail('INVALID_INPUT', 'sigstore bundle: messageSignature needs messageDigest.digest and signature');
  }
  if (md.algorithm !== 'SHA2_256') {
    fail('INVALID_INPUT', `sigstore bundle: unsupported messageDigest algorithm ${String(md.algorithm)}`);
  }
  const messageDigest = decodeBase64(md.digest, 'sigstore bundle messageDigest');
  if (messageDigest.length !== 32) fail('INVALID_INPUT', 'sigstore bundle: messageDigest is not 32 bytes');
  const signature = decodeBase64(ms.signature, 'sigstore bundle signature');
  if (signature.length === 0) fail('INVALID_INPUT', 'sigstore bundle: empty signature');
  return { messageDigest, signature };
}
