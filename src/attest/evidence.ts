import { type ErrorCode, fail, IroncladError } from '../core/index.ts';
import {
  COSIGN_ATTESTATION_SUFFIX,
  COSIGN_PREDICATE_ANNOTATION,
  COSIGN_SIGNATURE_ANNOTATION,
  COSIGN_SIGNATURE_SUFFIX,
  type Descriptor,
  type Digest,
  DSSE_ENVELOPE_MEDIA_TYPE,
  MAX_MANIFEST_BYTES,
  parseDigest,
  parseManifest,
  REF_NAME_ANNOTATION,
  type Referrers,
} from '../oci/index.ts';
import { MAX_BUNDLE_BYTES, SIGSTORE_BUNDLE_V03_MEDIA_TYPE } from './bundle.ts';
import { ANNOTATION_BUNDLE_CONTENT, ANNOTATION_BUNDLE_PREDICATE_TYPE } from './referrer.ts';
import { SIMPLE_SIGNING_MEDIA_TYPE } from './simple-signing.ts';

/*
 * Reads what is attached to an image manifest and sorts it by kind, without verifying anything: verification
 * (verify-image.ts) decides what counts. Everything read here is outside data, so sizes are bounded and a
 * malformed referrer becomes an `unreadable` entry rather than an exception that hides the others.
 */

/** A simple-signing payload names one digest; anything larger is not one. */
const MAX_PAYLOAD_BYTES = 64 * 1024;

/** One signature or attestation found for a subject; `manifest` is the referrer (or cosign tag) manifest. */
export type Evidence =
  | {
      readonly kind: 'signature';
      readonly manifest: Descriptor;
      readonly bundle: Uint8Array;
      readonly payload: Uint8Array;
    }
  | {
      readonly kind: 'attestation';
      readonly manifest: Descriptor;
      /** From the annotation: unauthenticated, for listing and picking only. */
      readonly predicateType: string | undefined;
      readonly bundle: Uint8Array;
    }
  | {
      readonly kind: 'cosign-signature';
      readonly manifest: Descriptor;
      readonly payload: Uint8Array;
      readonly signature: Uint8Array;
    }
  | {
      readonly kind: 'cosign-attestation';
      readonly manifest: Descriptor;
      readonly predicateType: string | undefined;
      /** DSSE envelope JSON bytes. */
      readonly envelope: Uint8Array;
    }
  | { readonly kind: 'other'; readonly manifest: Descriptor; readonly artifactType: string }
  | { readonly kind: 'unreadable'; readonly manifest: Descriptor; readonly problem: string; readonly code: ErrorCode };

/**
 * Everything attached to `subject` in `sink`, in the order the sink lists it (referrers first, then cosign
 * tags). A cosign `.sig`/`.att` manifest with several layers gives one entry per layer.
 */
export async function collectEvidence(sink: Referrers, subject: Digest): Promise<Evidence[]> {
  const out: Evidence[] = [];
  for (const manifest of await sink.list(subject)) {
    try {
      out.push(...(await readEvidence(sink, manifest)));
    } catch (err) {
      if (!(err instanceof IroncladError)) throw err;
      out.push({ kind: 'unreadable', manifest, problem: err.message, code: err.code });
    }
  }
  return out;
}

async function readEvidence(sink: Referrers, desc: Descriptor): Promise<Evidence[]> {
  const bytes = await sink.readBlob(desc, MAX_MANIFEST_BYTES);
  const parsed = parseManifest(bytes, desc.mediaType, `referrer ${desc.digest}`);
  if (parsed.kind !== 'manifest') return [{ kind: 'other', manifest: desc, artifactType: parsed.mediaType }];
  const m = parsed.manifest;
  const tag = desc.annotations?.[REF_NAME_ANNOTATION] ?? '';
  if (tag.endsWith(COSIGN_SIGNATURE_SUFFIX)) return cosignSignatures(sink, desc, m.layers);
  if (tag.endsWith(COSIGN_ATTESTATION_SUFFIX)) return cosignAttestations(sink, desc, m.layers);
  const artifactType = m.artifactType ?? m.config.mediaType;
  if (artifactType !== SIGSTORE_BUNDLE_V03_MEDIA_TYPE) return [{ kind: 'other', manifest: desc, artifactType }];
  const [bundleDesc, payloadDesc] = m.layers;
  if (bundleDesc === undefined) fail('VERIFICATION_FAILED', `referrer ${desc.digest} has no bundle layer`);
  const bundle = await sink.readBlob(bundleDesc, MAX_BUNDLE_BYTES);
  const annotations = m.annotations ?? {};
  if (annotations[ANNOTATION_BUNDLE_CONTENT] === 'message-signature') {
    if (payloadDesc?.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) {
      fail('VERIFICATION_FAILED', `signature ${desc.digest} carries no simple-signing payload`);
    }
    const payload = await sink.readBlob(payloadDesc, MAX_PAYLOAD_BYTES);
    return [{ kind: 'signature', manifest: desc, bundle, payload }];
  }
  const predicateType = annotations[ANNOTATION_BUNDLE_PREDICATE_TYPE];
  return [{ kind: 'attestation', manifest: desc, predicateType, bundle }];
}

async function cosignSignatures(
  sink: Referrers,
  manifest: Descriptor,
  layers: readonly Descriptor[],
): Promise<Evidence[]> {
  const out: Evidence[] = [];
  for (const layer of layers) {
    const sig = layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
    if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE || sig === undefined) continue;
    const payload = await sink.readBlob(checked(layer), MAX_PAYLOAD_BYTES);
    out.push({ kind: 'cosign-signature', manifest, payload, signature: new Uint8Array(Buffer.from(sig, 'base64')) });
  }
  return out;
}

async function cosignAttestations(
  sink: Referrers,
  manifest: Descriptor,
  layers: readonly Descriptor[],
): Promise<Evidence[]> {
  const out: Evidence[] = [];
  for (const layer of layers) {
    if (layer.mediaType !== DSSE_ENVELOPE_MEDIA_TYPE) continue;
    const envelope = await sink.readBlob(checked(layer), MAX_BUNDLE_BYTES);
    const predicateType = layer.annotations?.[COSIGN_PREDICATE_ANNOTATION];
    out.push({ kind: 'cosign-attestation', manifest, predicateType, envelope });
  }
  return out;
}

function checked(layer: Descriptor): Descriptor {
  return { ...layer, digest: parseDigest(layer.digest, 'cosign layer') };
}
